// REST calls: JSON in and out, the session cookie, X-Device-ID and the
// user's language (Accept-Language). Errors are ApiError: the server's code
// and field, and a message for a person in their language (errors.js).
import { deviceId } from './device.js';
import { friendly, serverSpeaks } from './errors.js';
import { acceptLanguage } from './i18n.js';

/**
 * What the app is ready for but the server does not offer yet. Each flag
 * marks the one place that switches when the endpoint exists (see
 * docs/pwa.md, "Waiting for the server"):
 * - assistantUndo: POST /api/assistant/commands/{id}/undo (assistant.js)
 * - occurrenceEdit: editing one occurrence or "this and following" (views/event-dialog.js)
 */
export const serverCaps = {
  assistantUndo: false,
  occurrenceEdit: false,
};

export class ApiError extends Error {
  constructor(status, code, field, ctx = {}) {
    super(friendly(status, code, field, ctx));
    this.status = status;
    this.code = code;
    this.field = field;
    // The server's own text: shown only when it speaks the user's language.
    this.serverMessage = ctx.serverMessage ?? null;
    this.localized = serverSpeaks(ctx.contentLanguage) && !!ctx.serverMessage;
  }
  /** Whether trying the same request again may help (network, 5xx, 429). */
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

let unauthorized = () => {};
/** Sets what happens when the server says the session is gone. */
export function onUnauthorized(fn) { unauthorized = fn; }

/**
 * request(method, path, body) answers {data, headers}; api() only the data.
 * A failure throws ApiError.
 */
export async function request(method, path, body) {
  const headers = { 'X-Device-ID': deviceId(), Accept: 'application/json', 'Accept-Language': acceptLanguage() };
  const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch {
    throw new ApiError(0, 'network', undefined, { path });
  }
  if (res.status === 204) return { data: null, headers: res.headers };
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && !path.startsWith('/api/auth/')) unauthorized();
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.field, {
      path, serverMessage: e.message, contentLanguage: res.headers.get('Content-Language'),
    });
  }
  return { data, headers: res.headers };
}

export async function api(method, path, body) {
  return (await request(method, path, body)).data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
