// Sign in, sign up (create a family or join one with an invite code).
import { post } from '../api.js';
import { field, formValues, h } from '../dom.js';

export function notice(main, message) {
  main.prepend(h('p.notice', { role: 'status' }, message));
}

function errorBox() {
  return h('p.form-error', { role: 'alert', hidden: true });
}

function fail(box, form, e) {
  box.textContent = e.message;
  box.hidden = false;
  const bad = e.field && form.elements[e.field];
  if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
}

export function login(app, main) {
  const err = errorBox();
  const form = h('form.card', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      try {
        await post('/api/auth/login', { email: v.email, password: v.password });
        await app.signedIn();
        app.go('/shopping');
      } catch (ex) { fail(err, form, ex); }
    },
  },
  h('h1', 'Sign in'),
  err,
  field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  h('button.primary', { type: 'submit' }, 'Sign in'),
  h('p.alt', 'New here? ', h('a', { href: '/signup' }, 'Create an account'), ' or join your family with an invite code.'));
  main.append(h('section.auth', form));
}

export function signup(app, main, code) {
  const err = errorBox();
  const join = h('input', { type: 'radio', name: 'mode', value: 'join', checked: !!code });
  const create = h('input', { type: 'radio', name: 'mode', value: 'create', checked: !code });
  const familyField = field('Family name', h('input', { name: 'family_name', autocomplete: 'off', placeholder: 'The Riveras' }));
  const codeField = field('Invite code', h('input', { name: 'invite_code', autocomplete: 'off', value: code || '', placeholder: 'ABCD-EFGH' }),
    'Ask a family member for one (Family page).');
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
      try {
        await post('/api/auth/signup', body);
        await app.signedIn();
        app.go('/shopping');
      } catch (ex) { fail(err, form, ex); }
    },
  },
  h('h1', 'Create your account'),
  err,
  field('Your name', h('input', { name: 'display_name', autocomplete: 'name', required: true })),
  field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
  field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 })),
  h('fieldset.choice', h('legend', 'Family'),
    h('label', create, ' Start a new family'),
    h('label', join, ' Join with an invite code')),
  familyField,
  codeField,
  h('button.primary', { type: 'submit' }, 'Create account'),
  h('p.alt', 'Have an account? ', h('a', { href: '/login' }, 'Sign in')));
  main.append(h('section.auth', form));
}
