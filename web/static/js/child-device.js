// This browser as a children's device: an adult of the family set it up
// (POST /api/family/child-devices), and the device key the server gave is
// what lets a child sign in with a short PIN here. The key stays on this
// device only (localStorage; the server keeps just its hash), with the
// family code children type and the names that signed in here before.
const KEY = 'familyhub.childDevice';

/** The setup of this device ({id, name, key, familyCode, names}), or null. */
export function childDevice() {
  try {
    const d = JSON.parse(localStorage.getItem(KEY) || 'null');
    return d && typeof d.key === 'string' && typeof d.familyCode === 'string' ? { names: [], ...d } : null;
  } catch {
    return null;
  }
}

/** Keeps the answer of POST /api/family/child-devices on this device. */
export function saveChildDevice(created) {
  const d = { id: created.id, name: created.name, key: created.device_key, familyCode: created.family_code, names: [] };
  localStorage.setItem(KEY, JSON.stringify(d));
  return d;
}

/** Remembers a child's name that signed in here (offered next time). */
export function rememberName(name) {
  const d = childDevice();
  if (!d) return;
  d.names = [name, ...d.names.filter((n) => n.toLowerCase() !== name.toLowerCase())].slice(0, 8);
  try { localStorage.setItem(KEY, JSON.stringify(d)); } catch { /* only a convenience */ }
}

/**
 * This device is a children's device no more. With key, only if that is
 * still the stored key: another tab may have set the device up again.
 */
export function forgetChildDevice(key) {
  if (key !== undefined && childDevice()?.key !== key) return;
  try { localStorage.removeItem(KEY); } catch { /* storage blocked */ }
}
