// Sign in (with a password; on a children's device also with a PIN,
// auth-pin.js), sign up (create a family or join one with an invite code).
import { post } from '../api.js';
import { childDevice } from '../child-device.js';
import { field, formValues, h } from '../dom.js';
import { t } from '../i18n.js';
import { pinCard } from './auth-pin.js';
import { busy, errorBox, fail } from './form.js';
import { languagePicker } from './language.js';

/** Shows message at the top of the page (one at a time). */
export function notice(main, message) {
  main.querySelector(':scope .notice')?.remove();
  main.prepend(h('p.notice', { role: 'status' }, message));
}

export function login(app, main) {
  const err = errorBox();
  const form = h('form.card', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      busy(form, true);
      try {
        await post('/api/auth/login', { email: v.email, password: v.password });
        await app.signedIn();
        app.go('/shopping');
      } catch (ex) { fail(err, form, ex); } finally { busy(form, false); }
    },
  },
  h('h1', t('auth.signIn')),
  err,
  field(t('auth.email'), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  field(t('auth.password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  h('button.primary', { type: 'submit' }, t('auth.signIn')),
  h('p.alt', h('a', { href: '/reset' }, t('reset.forgot'))),
  h('p.alt', t('auth.newHere'), ' ', h('a', { href: '/signup' }, t('auth.createAccount')), ' ', t('auth.orJoin')));
  // On a children's device the PIN comes first; the password is for adults.
  const device = childDevice();
  if (device) {
    form.querySelector('h1').remove();
    // Revoked by an adult elsewhere: drawn anew, the normal sign-in, saying
    // why; but if another tab has set the device up again meanwhile (before
    // or after the key was refused), the PIN page of that set-up, no notice.
    const gone = () => {
      app.go('/login', { replace: true });
      if (!childDevice()) notice(main, t('pin.deviceGone'));
    };
    main.append(h('section.auth', pinCard(app, device, gone),
      h('details.card.adult-signin', h('summary', t('pin.adults')), form),
      h('div.card.lang-card', languagePicker())));
    return;
  }
  main.append(h('section.auth', form, h('div.card.lang-card', languagePicker())));
}

export function signup(app, main, code) {
  const err = errorBox();
  const join = h('input', { type: 'radio', name: 'mode', value: 'join', checked: !!code });
  const create = h('input', { type: 'radio', name: 'mode', value: 'create', checked: !code });
  const familyField = field(t('auth.familyName'), h('input', { name: 'family_name', autocomplete: 'off', placeholder: t('auth.familyNameExample') }));
  const codeField = field(t('auth.inviteCode'), h('input', { name: 'invite_code', autocomplete: 'off', value: code || '', placeholder: 'ABCD-EFGH' }),
    t('auth.inviteHint'));
  const sync = () => {
    familyField.hidden = join.checked;
    codeField.hidden = !join.checked;
  };
  join.addEventListener('change', sync);
  create.addEventListener('change', sync);
  sync();
  const form = h('form.card', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      const body = { email: v.email, password: v.password, display_name: v.display_name };
      if (join.checked) body.invite_code = v.invite_code;
      else {
        body.family_name = v.family_name;
        try { body.time_zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { /* UTC */ }
      }
      busy(form, true);
      try {
        await post('/api/auth/signup', body);
        await app.signedIn();
        app.go('/shopping');
      } catch (ex) { fail(err, form, ex); } finally { busy(form, false); }
    },
  },
  h('h1', t('auth.createYourAccount')),
  err,
  field(t('auth.yourName'), h('input', { name: 'display_name', autocomplete: 'name', required: true })),
  field(t('auth.email'), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  field(t('auth.password'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }), t('auth.passwordHint')),
  h('fieldset.choice', h('legend', t('auth.family')),
    h('label', create, ' ', t('auth.startFamily')),
    h('label', join, ' ', t('auth.joinFamily'))),
  familyField,
  codeField,
  h('button.primary', { type: 'submit' }, t('auth.createAccountButton')),
  h('p.alt', t('auth.haveAccount'), ' ', h('a', { href: '/login' }, t('auth.signIn'))));
  main.append(h('section.auth', form, h('div.card.lang-card', languagePicker())));
}
