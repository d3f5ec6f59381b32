// A new password with a reset code (no e-mail needed): an owner of the
// family makes the code on the Family page and gives it in person;
// POST /api/auth/reset sets the password, then the person signs in. It
// revokes their app passwords too, which the page says beforehand.
import { post } from '../api.js';
import { field, formValues, h } from '../dom.js';
import { t } from '../i18n.js';
import { notice } from './auth.js';
import { busy, errorBox, fail } from './form.js';

export function resetPage(app, main) {
  const err = errorBox();
  const form = h('form.card', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      busy(form, true);
      try {
        await post('/api/auth/reset', { email: v.email, code: v.code.trim(), new_password: v.new_password });
        app.go('/login', { replace: true });
        notice(main, t('reset.done'));
      } catch (ex) { fail(err, form, ex); } finally { busy(form, false); }
    },
  },
  h('h1', t('reset.title')),
  h('p.hint', t('reset.intro')),
  err,
  field(t('auth.email'), h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  field(t('reset.code'), h('input', { name: 'code', required: true, maxlength: 64, autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'ABCDE-FGHJK' })),
  field(t('reset.newPassword'), h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }), t('auth.passwordHint')),
  h('p.hint.app-passwords-note', t('reset.appPasswords')),
  h('button.primary', { type: 'submit' }, t('reset.submit')),
  h('p.alt', h('a', { href: '/login' }, t('reset.back'))));
  main.append(h('section.auth', form));
}
