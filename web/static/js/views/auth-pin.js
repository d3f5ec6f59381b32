// PIN sign-in on a children's device (child-device.js): the family's
// children as large buttons (POST /api/auth/pin/children with this device's
// key, read when the page opens), the family code (filled in from the
// setup), the child's name (typed, when the list cannot be loaded: offline,
// an older server) and their PIN (POST /api/auth/pin with the key).
// A device an adult revoked elsewhere hears so from either (401
// device_revoked; any 401 to the names, which check only the key): it
// forgets its set-up and stops sending the key (gone), unless another tab
// has set the device up again meanwhile: that set-up is kept and shown.
import { api, post } from '../api.js';
import { forgetChildDevice, rememberName } from '../child-device.js';
import { field, formValues, h, nextId, setChildren } from '../dom.js';
import { t } from '../i18n.js';
import { sayIn } from '../lines.js';
import { busy, errorBox, fail } from './form.js';

/** How long the names may take before the typed name is all there is. */
const NAMES_TIMEOUT = 10000;

/** What the status line says when the names could not be loaded. */
function namesTrouble(e) {
  if (e.status === 429) return e.say();
  return t('pin.namesFailed');
}

/**
 * pinCard(app, device, onGone) is the PIN form; onGone() once the server
 * has refused the device's key and it is forgotten (a newer set-up, made
 * meanwhile in another tab, is kept: onGone draws what is stored).
 */
export function pinCard(app, device, onGone) {
  const err = errorBox();
  const gone = () => {
    forgetChildDevice(device.key); // not a set-up made since in another tab
    if (form.isConnected) onGone(); // else the page was left meanwhile
  };
  const nameIn = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', autocapitalize: 'words', list: 'pin-names' });
  const pinIn = h('input', {
    name: 'pin', type: 'password', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8,
    autocomplete: 'off', required: true,
  });
  // The chosen child's button is pressed, also when the name is typed.
  const buttons = h('div.pin-names');
  const mark = () => {
    const v = nameIn.value.trim().toLowerCase();
    for (const b of buttons.children) b.setAttribute('aria-pressed', String(b.textContent.toLowerCase() === v));
  };
  const show = (names) => {
    setChildren(buttons, names.map((n) => h('button.pin-child', {
      type: 'button', 'aria-pressed': 'false',
      onclick: () => { nameIn.value = n; mark(); pinIn.focus(); },
    }, n)));
    mark();
  };
  nameIn.addEventListener('input', mark);
  const whoId = nextId('pin-who');
  const status = h('p.hint.pin-names-status', { role: 'status' });
  const who = h('div.pin-who', { role: 'group', 'aria-labelledby': whoId },
    h('p.pin-who-title', { id: whoId }, t('pin.who')), buttons, status);
  // Names that signed in here before, until the family's list is in.
  show(device.names);
  sayIn(status, () => t('pin.namesLoading'));
  who.setAttribute('aria-busy', 'true');
  api('POST', '/api/auth/pin/children', { device_key: device.key }, { background: true, timeout: NAMES_TIMEOUT })
    .then((data) => {
      const names = Array.isArray(data?.names) ? data.names.filter((n) => typeof n === 'string') : [];
      show(names);
      if (names.length) setChildren(status);
      else sayIn(status, () => t('pin.namesNone'));
    }, (e) => (e.status === 401 ? gone() : sayIn(status, () => namesTrouble(e))))
    .finally(() => who.removeAttribute('aria-busy'));
  const form = h('form.card.pin-form', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      const name = v.name.trim();
      busy(form, true);
      try {
        await post('/api/auth/pin', { device_key: device.key, family_code: v.family_code.trim(), name, pin: v.pin, device_name: device.name });
        rememberName(name);
        await app.signedIn();
        app.go('/shopping');
      } catch (ex) {
        if (ex.code === 'device_revoked') { gone(); return; }
        pinIn.value = '';
        fail(err, form, ex);
        if (!ex.field) pinIn.focus();
      } finally { busy(form, false); }
    },
  },
  h('h1', t('pin.title')),
  h('p.hint', t('pin.intro', { device: device.name })),
  err,
  who,
  field(t('pin.familyCode'), h('input', { name: 'family_code', required: true, maxlength: 20, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', value: device.familyCode })),
  field(t('pin.name'), nameIn),
  h('datalist#pin-names', device.names.map((n) => h('option', { value: n }))),
  field(t('pin.pin'), pinIn, t('pin.pinHint')),
  h('button.primary', { type: 'submit' }, t('auth.signIn')));
  return form;
}
