// REST calls: JSON in and out, the session cookie, X-Device-ID. Errors are
// ApiError with the server's code, message and field.
import { deviceId } from './device.js';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
  /** Whether trying the same request again may help (network, 5xx, 429). */
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

let unauthorized = () => {};
/** Sets what happens when the server says the session is gone. */
export function onUnauthorized(fn) { unauthorized = fn; }

export async function api(method, path, body) {
  const headers = { 'X-Device-ID': deviceId(), Accept: 'application/json' };
  const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch {
    throw new ApiError(0, 'network', navigator.onLine === false
      ? 'You are offline.' : 'The server cannot be reached.');
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && !path.startsWith('/api/auth/')) unauthorized();
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || `The server answered ${res.status}.`, e.field);
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p) => api('DELETE', p);
