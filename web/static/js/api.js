// REST calls: JSON in and out, the session cookie, X-Device-ID and the
// user's language (Accept-Language). Errors are ApiError: the server's code
// and field, and a message for a person in their language (errors.js).
import { deviceId } from './device.js';
import { sayError, serverSpeaks } from './errors.js';
import { acceptLanguage } from './i18n.js';

/**
 * What the app is ready for but the server does not offer yet. Each flag
 * marks the one place that switches when the endpoint exists (see
 * docs/pwa.md, "Waiting for the server"):
 * - assistantUndo: POST /api/assistant/commands/{id}/undo (assistant.js)
 */
export const serverCaps = {
  assistantUndo: true,
};

export class ApiError extends Error {
  constructor(status, code, field, ctx = {}) {
    super(sayError({ status, code, field, path: ctx.path, key: ctx.key, timedOut: ctx.timedOut, reason: ctx.reason }));
    this.key = ctx.key ?? null; // the app's own sentence for it, in place of the code's
    this.status = status;
    this.code = code;
    this.field = field;
    this.path = ctx.path ?? null;
    // Which of its code's causes (busy: previous_command, other_change).
    this.reason = ctx.reason ?? null;
    // The server's own text: shown only when it speaks the user's language.
    this.serverMessage = ctx.serverMessage ?? null;
    this.localized = serverSpeaks(ctx.contentLanguage) && !!ctx.serverMessage;
    // Its language (Content-Language): whether it speaks the language in use after a switch.
    this.contentLanguage = ctx.contentLanguage ?? null;
    // A 412's record as stored now ({"current": …}), and Retry-After in ms.
    this.current = ctx.current ?? null;
    this.retryAfter = ctx.retryAfter ?? null;
    // No answer within the request's timeout (a network error too).
    this.timedOut = !!ctx.timedOut;
    // A network failure with the device offline when it was sent: it never left.
    this.unsent = !!ctx.unsent;
  }
  /**
   * The sentence in the language in use now (message is in the one in use
   * when the answer came): a line kept through a language switch is said
   * again from the code, never left in the old language.
   */
  say() { return sayError(this); }
  /** Whether trying the same request again may help (network, 5xx, 429). */
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408;
  }
  /**
   * Whether the request may have been done though no answer says so: no
   * answer (the network failed after sending, or none in time), a 500 or a
   * 502/503/504, our server's 503 `unavailable` too: it also says the
   * connection to PostgreSQL broke mid-request, which can be during the
   * COMMIT that made the record. Not the assistant's 503 `busy` (refused
   * before any write), nor a 4xx: clear refusals. A create the server
   * names then reads its list again (shell.js failed, {reread}): its Retry
   * sends the same create_key, so it is never made twice.
   */
  get outcomeUnknown() {
    if (this.status === 0) return !this.unsent;
    if (this.status === 503) return this.code !== 'busy';
    return this.status >= 500;
  }
}

/** Retry-After (seconds or an HTTP date) in milliseconds, or null. */
function retryAfterMs(v) {
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

// Whether the server answered the last request, and if not why: the
// network failed ('network': the device is offline, or nothing answers at
// all) or a proxy answered for a server behind it that is down or too slow
// ('server': a 502 or 504). The offline line and the connection indicator
// in the header (shell.js) listen.
let reachable = true;
let problem = null; // null, 'network' or 'server'
const reachListeners = new Set();
/** Calls fn(reachable) when the server stops or starts answering (or stops for another reason); returns an unsubscribe. */
export function onReachable(fn) { reachListeners.add(fn); return () => reachListeners.delete(fn); }
/** Whether the last request reached the server. */
export const serverReachable = () => reachable;
/** Why the last request did not reach the server: 'network', 'server' (a proxy's 502/504), or null when it did. */
export const unreachableWhy = () => problem;
// Requests are numbered as they are sent. An answer clears a failure only
// if its request was sent after the failed one: a read sent before the
// server went down, answered late, says nothing about the server now.
let sentCount = 0;
let failedSent = 0;
function setReachable(v, why = null) {
  const next = v ? null : why;
  if (v === reachable && next === problem) return;
  reachable = v;
  problem = next;
  for (const fn of reachListeners) fn(v);
}

/**
 * Whether a read that failed with e may stand in with the device's copy:
 * the network failed (offline), or the server did (a 500 of ours, a proxy's
 * 502/503/504 for a server behind it that is down or slow). Any other
 * answer (404, 403, …) is about the data, not the server.
 */
export const serverDown = (e) => e?.status === 0 || e?.status >= 500;

let unauthorized = () => {};
/**
 * Sets what happens when the server says the session is gone: fn(code)
 * with the 401's error code (removed_from_family: removed from the family).
 */
export function onUnauthorized(fn) { unauthorized = fn; }

/**
 * How long any request waits for its answer unless it says otherwise: a
 * hung proxy or server ends in a clear "did not answer in time" with a way
 * to try again, never a spinner forever. Longer than the assistant's
 * 30 s, the longest a request of the app is expected to take; the
 * realtime connection has its own timers (realtime*.js).
 */
export const REQUEST_TIMEOUT = 35000;

/**
 * request(method, path, body, opts) answers {data, headers, status}; api()
 * only the data. opts: ifMatch (the version the change was made against,
 * sent as If-Match), timeout (ms, REQUEST_TIMEOUT unless given; then it
 * fails as a network error with timedOut set, said as "did not answer in
 * time", errors.js),
 * background (a read the user did not ask for, such as the calendar's
 * read-ahead: its failure, the network's or a proxy's 502/504, is not
 * reported to onReachable, so the header and the offline line stay as
 * they are; an answer still is: the server answered), quietTimeout (true
 * unless given false: a request that ends at its timeout is not reported
 * to onReachable: no answer in time is a slow answer, not an outage, so
 * the header and the offline line keep what the rest of the app knows; a
 * network failure still is reported), signal (an AbortSignal of the caller's: aborted
 * before the answer's status and headers are in, the request fails as a
 * network error, e.g. when the device goes offline; once they are in, the
 * server has done the request, so its body is read to the end or the
 * timeout: an answer that came is not thrown away).
 * A failure throws ApiError.
 */
export async function request(method, path, body, { ifMatch = null, timeout = REQUEST_TIMEOUT, background = false, quietTimeout = true, signal = null } = {}) {
  const headers = { 'X-Device-ID': deviceId(), Accept: 'application/json', 'Accept-Language': acceptLanguage() };
  const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (ifMatch != null) headers['If-Match'] = `"${ifMatch}"`;
  let timer = null;
  let timedOut = false;
  let stop = null; // the caller's signal's listener, removed once the answer is in
  if (timeout || signal) {
    const ctrl = new AbortController();
    opts.signal = ctrl.signal;
    if (timeout) timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, timeout);
    if (signal?.aborted) ctrl.abort();
    else if (signal) {
      stop = () => ctrl.abort();
      signal.addEventListener('abort', stop, { once: true });
    }
  }
  const unlisten = () => { if (stop) signal.removeEventListener('abort', stop); stop = null; };
  const sent = ++sentCount;
  const unsent = navigator.onLine === false; // offline now: a network failure means it never left
  const failed = (why) => {
    if (background) return;
    failedSent = Math.max(failedSent, sent);
    setReachable(false, why);
  };
  let res;
  let data = null;
  try {
    res = await fetch(path, opts);
    unlisten();
    if (res.status !== 204) {
      // Only a body that is not JSON is taken as none: a read that fails
      // (aborted, the network lost mid-body) is a network failure, not an
      // empty answer its caller would take for done.
      try { data = await res.json(); } catch (e) { if (e.name !== 'SyntaxError') throw e; }
    }
  } catch {
    if (!(timedOut && quietTimeout)) failed('network');
    throw new ApiError(0, 'network', undefined, { path, timedOut, unsent: unsent && !timedOut });
  } finally {
    clearTimeout(timer);
    unlisten();
  }
  const proxyFailed = res.status === 502 || res.status === 504;
  if (proxyFailed) failed('server');
  else if (sent > failedSent) setReachable(true);
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && !path.startsWith('/api/auth/')) unauthorized(e.code);
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.field, {
      path, reason: e.reason, serverMessage: e.message, contentLanguage: res.headers.get('Content-Language'),
      current: data?.current, retryAfter: retryAfterMs(res.headers.get('Retry-After')),
    });
  }
  return { data, headers: res.headers, status: res.status };
}

/**
 * change(method, path, body, rec, {fields}) sends a change of rec (a PATCH,
 * DELETE or action) with If-Match: rec.version, and answers the data (true
 * for an empty answer). On 412, when the record as stored still has the
 * same fields (only something the user does not see moved, such as the
 * categoriser's bookkeeping) it is sent once more against the new version;
 * otherwise rec takes the stored version and the error is thrown, so
 * trying again is the user's choice to keep theirs over the other change.
 */
export async function change(method, path, body, rec, { fields = null } = {}) {
  for (let again = !!fields; ; again = false) {
    try {
      const { data } = await request(method, path, body, { ifMatch: rec?.version ?? null });
      if (rec && data?.version != null) rec.version = data.version;
      return data ?? true;
    } catch (e) {
      if (e.status !== 412 || !rec || e.current?.version == null) throw e;
      rec.version = e.current.version;
      if (!again || !fields.every((f) => (rec[f] ?? null) === (e.current[f] ?? null))) throw e;
    }
  }
}

/** api(method, path, body, opts) answers request's data (opts as request's). */
export async function api(method, path, body, opts) {
  return (await request(method, path, body, opts)).data;
}

/** get(path, opts): opts as request's, e.g. {background: true}. */
export const get = (p, opts) => api('GET', p, undefined, opts);
export const post = (p, b) => api('POST', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
