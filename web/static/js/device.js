// The device id: made once per browser profile, kept in localStorage, sent
// as ?device_id= on the realtime connection and X-Device-ID on REST calls.
const KEY = 'familyhub.device_id';

export function deviceId() {
  let id = null;
  try { id = localStorage.getItem(KEY); } catch { /* storage blocked */ }
  if (id && /^[A-Za-z0-9._:-]{1,64}$/.test(id)) return id;
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  id = 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  try { localStorage.setItem(KEY, id); } catch { /* still works for this tab */ }
  return id;
}
