// PIN sign-in on a children's device (child-device.js): the family code
// (filled in from the setup), the child's name and their PIN
// (POST /api/auth/pin with this device's key). Names that signed in here
// before are one tap away.
import { post } from '../api.js';
import { rememberName } from '../child-device.js';
import { field, formValues, h } from '../dom.js';
import { t } from '../i18n.js';
import { busy, errorBox, fail } from './form.js';

export function pinCard(app, device) {
  const err = errorBox();
  const nameIn = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', autocapitalize: 'words', list: 'pin-names' });
  const pinIn = h('input', {
    name: 'pin', type: 'password', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8,
    autocomplete: 'off', required: true,
  });
  const names = device.names.length ? h('div.pin-names', { role: 'group', 'aria-label': t('pin.who') },
    device.names.map((n) => h('button.small', { type: 'button', onclick: () => { nameIn.value = n; pinIn.focus(); } }, n))) : null;
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
        pinIn.value = '';
        fail(err, form, ex);
        if (!ex.field) pinIn.focus();
      } finally { busy(form, false); }
    },
  },
  h('h1', t('pin.title')),
  h('p.hint', t('pin.intro', { device: device.name })),
  err,
  names,
  field(t('pin.familyCode'), h('input', { name: 'family_code', required: true, maxlength: 20, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', value: device.familyCode })),
  field(t('pin.name'), nameIn),
  h('datalist#pin-names', device.names.map((n) => h('option', { value: n }))),
  field(t('pin.pin'), pinIn, t('pin.pinHint')),
  h('button.primary', { type: 'submit' }, t('auth.signIn')));
  return form;
}
