// What a person reads when a request fails: the error's code and field
// mapped to a sentence in their language. The server answers errors in the
// Accept-Language language too (saying which with Content-Language), but
// its message names API fields ("ends_at darf nicht vor starts_at liegen")
// and is written for developers, so the app words errors itself; only the
// assistant shows the server's sentence, when serverSpeaks() (its refusals
// are written for a person).
import { currentLang, has, t } from './i18n.js';

/** The table key for an API field: "ingredients[2].quantity" → "ingredients.quantity" (and the index 2). */
function fieldKey(field) {
  const m = /^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$/.exec(field || '');
  if (!m) return { key: null, index: null };
  return { key: m[3] ? `${m[1]}.${m[3]}` : m[1], index: m[2] == null ? null : Number(m[2]) + 1 };
}

// Answers whose meaning depends on the request: [status, path, message key].
const BY_PATH = [
  [401, /^\/api\/auth\/pin$/, 'error.pin'],
  [403, /^\/api\/auth\/login$/, 'error.noFamily'],
  [409, /^\/api\/family\/members\/[^/]+$/, 'error.conflict.lastOwner'],
  [409, /^\/api\/me$/, 'error.conflict.lastOwner'],
  [409, /^\/api\/family\/leave$/, 'error.conflict.leave'],
  [409, /^\/api\/family\/members\/[^/]+\/pin$/, 'error.conflict.pinName'],
  // The list kept changing under a recipe's merging add (docs/api/recipes.md):
  // a 409 without a field (one with field "id" is a request id used before).
  [409, /^\/api\/recipes\/[^/]+\/add-to-list$/, 'error.conflict.listChanging', { fieldless: true }],
];

// A collection at its limit (limit_reached, docs/api.md "Limits"): which
// one, by the request's path.
const BY_LIMIT = [
  [/^\/api\/shopping\/lists$/, 'error.limit.lists'],
  [/^\/api\/shopping\/lists\/[^/]+\/items$/, 'error.limit.items'],
  [/^\/api\/recipes\/[^/]+\/add-to-list$/, 'error.limit.items'],
  [/^\/api\/recipes$/, 'error.limit.recipes'],
  [/^\/api\/tasks(\/[^/]+\/uncomplete)?$/, 'error.limit.tasks'],
  [/^\/api\/family\/invites$/, 'error.limit.invites'],
  [/^\/api\/family\/child-devices$/, 'error.limit.childDevices'],
  [/^\/api\/dav\/app-passwords$/, 'error.limit.appPasswords'],
  // A split starts a new series: an event like any other created.
  [/^\/api\/calendar\/events(\/[^/]+\/split)?$/, 'error.limit.events'],
  [/^\/api\/calendar\/feeds$/, 'error.limit.feeds'],
  [/^\/api\/calendar\/subscriptions$/, 'error.limit.subscriptions'],
  [/^\/api\/auth\/signup$/, 'error.limit.members'],
];

// Every code the server sends (REST's table in http/http.go, the realtime
// protocol's error replies) and its sentence; invalid is worded above by
// field. http/errors_pwa_test.go fails when the server gains a code this
// table lacks. The realtime codes mean the app sent a message the server
// refused (unknown_type, too_many_topics): the app's fault, not the person's.
const BY_CODE = {
  malformed_request: 'error.malformed', unauthorized: 'error.unauthorized', removed_from_family: 'auth.removed', device_revoked: 'pin.deviceGone', forbidden: 'error.forbidden',
  not_found: 'error.notFound', conflict: 'error.conflict', already_created: 'write.madeAfterAll', too_large: 'error.tooLarge', limit_reached: 'error.limit',
  rate_limited: 'error.rateLimited', too_many_connections: 'error.tooManyConnections', too_many_tickets: 'error.tooManyTickets', unavailable: 'error.unavailable', busy: 'assistant.busy', internal: 'error.internal',
  method_not_allowed: 'error.malformed', unknown_type: 'error.malformed', too_many_topics: 'error.tooManyTopics',
};

// A code whose causes the app words apart, by the error's reason
// (docs/api.md): a busy undo that another change got in the way of, or
// any write whose every try deadlocked with another, is not "your
// previous command is still running".
const BY_REASON = { busy: { other_change: 'assistant.busyOther' } };

// The realtime protocol's error replies (docs/realtime.md) come over the
// live connection, not as an answer to a request: the server refused a
// message the app sent (a topic or view it does not know, a message too
// large, or of a type it does not understand, as from an app older or newer
// than the server). The connection carries on; what it delivers may not be
// what the page needs. Where REST's sentence does not fit a socket, the
// socket has its own; any other code the generic one.
const BY_REALTIME_CODE = { invalid: 'error.realtime.invalid', too_large: 'error.realtime.tooLarge' };

/** realtimeReason(code) is the sentence for a realtime error reply's code. */
export function realtimeReason(code) {
  const key = BY_REALTIME_CODE[code] || (code !== 'internal' && BY_CODE[code]) || 'error.realtime.other';
  return t(key);
}

/**
 * friendly(status, code, field, ctx) returns the sentence for an error.
 * ctx.path is the request's path (a 401 at sign-in means wrong password);
 * ctx.timedOut: no answer came within the request's timeout (api.js);
 * ctx.reason: the error's reason (BY_REASON).
 */
export function friendly(status, code, field, ctx = {}) {
  if (code === 'network') return t(navigator.onLine === false ? 'error.offline' : ctx.timedOut ? 'error.timeout' : 'error.network');
  if (status === 412) return t('error.stale');
  if (code === 'limit_reached') {
    const limit = BY_LIMIT.find(([re]) => re.test(ctx.path || ''));
    if (limit) return t(limit[1]);
  }
  const special = BY_PATH.find(([s, re, , only]) => s === status && re.test(ctx.path || '') && !(only?.fieldless && field));
  if (special) return t(special[2]);
  if (status === 401) return t(ctx.path === '/api/auth/login' ? 'error.login' : 'error.unauthorized');
  if (code === 'invalid' || status === 422) {
    let { key, index } = fieldKey(field);
    if (key === 'password' && ctx.path?.startsWith('/api/calendar/subscriptions')) key = 'subscriptionPassword';
    if (key && has(`error.field.${key}`)) return t(`error.field.${key}`, { n: index ?? '' });
    if (key && has(`field.${key}`)) return t('error.invalidField', { field: t(`field.${key}`) });
    return t('error.invalid');
  }
  if (code === 'conflict' && field && has(`error.conflict.${field}`)) return t(`error.conflict.${field}`);
  const byReason = BY_REASON[code]?.[ctx.reason];
  if (byReason) return t(byReason);
  const byCode = BY_CODE[code];
  if (byCode) return t(byCode);
  // A proxy's own answer (no code of ours): the server behind it is down
  // or did not answer in time.
  if (status === 502 || status === 504) return t('error.gateway');
  if (status >= 500) return t('error.internal');
  return t('error.unknown', { status });
}

/**
 * sayError(e) says an error from what stays of it ({status, code, field,
 * path, key, timedOut, reason}: an ApiError, or that much of one kept in IndexedDB, errorOf)
 * in the language in use now: key, the app's own sentence, else by code.
 */
export function sayError(e) {
  return e.key ? t(e.key) : friendly(e.status, e.code, e.field, { path: e.path, timedOut: e.timedOut, reason: e.reason });
}

/** errorOf(e) is what sayError needs of an ApiError, plain (to keep in IndexedDB). */
export const errorOf = (e) => ({ status: e.status, code: e.code, field: e.field ?? null, path: e.path ?? null, key: e.key ?? null, timedOut: !!e.timedOut, reason: e.reason ?? null });

/** Whether the server wrote message for a person in the language in use. */
export function serverSpeaks(contentLanguage) {
  return !!contentLanguage && contentLanguage.split(',')[0].trim().toLowerCase().split('-')[0] === currentLang();
}
