// Sign up, log in, log out and the current user (GET /me with its role).

import { errorBox } from './answer.js';
import { byId, h, show, uniqueId } from './dom.js';

function field(label, props) {
  const id = uniqueId('field');
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, ...props }));
}

function credentialsForm({ title, submit, note, autocomplete, onSubmit }) {
  const headingId = uniqueId('heading');
  const message = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    note ? h('p', { class: 'muted' }, note) : null,
    field('Email', { name: 'email', type: 'email', autocomplete: 'username', required: true }),
    field('Password', { name: 'password', type: 'password', autocomplete, required: true }),
    message,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { class: 'button primary', type: 'submit' }, submit),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    show(message);
    try {
      await onSubmit(form.elements.email.value.trim(), form.elements.password.value, message, form);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export function initAccount(ctx) {
  const { api, dataset } = ctx;

  async function logIn(email, password, message) {
    const answer = await api.request('POST', '/login', { json: { email, password }, auth: false });
    if (answer.status === 404) {
      show(
        message,
        h(
          'p',
          { class: 'notice' },
          'This server has no sign-in (no identity provider): use an access token below.',
        ),
      );
      return;
    }
    if (!answer.ok) {
      show(message, errorBox(answer));
      return;
    }
    api.setSession({
      accessToken: answer.data.access_token,
      refreshToken: answer.data.refresh_token ?? null,
      email,
    });
    await ctx.loadUser();
    ctx.navigate('catalog');
  }

  const login = credentialsForm({
    title: 'Log in',
    submit: 'Log in',
    autocomplete: 'current-password',
    onSubmit: logIn,
  });
  login.id = 'login-form';

  const signup = credentialsForm({
    title: 'Create an account',
    submit: 'Sign up',
    note: 'New accounts can read the catalog; an administrator can promote them.',
    autocomplete: 'new-password',
    onSubmit: async (email, password, message, form) => {
      const answer = await api.request('POST', '/signup', {
        json: { email, password },
        auth: false,
      });
      if (!answer.ok) {
        show(message, errorBox(answer));
        return;
      }
      form.reset();
      login.elements.email.value = email;
      show(
        message,
        h(
          'p',
          { class: 'notice notice-ok', role: 'status' },
          `Account created for ${email}. You can log in now.`,
        ),
      );
      login.elements.password.focus();
    },
  });
  signup.id = 'signup-form';

  // Without an identity provider (DEV_ADMIN_TOKEN mode) the API has no /login: a pasted token.
  const tokenInput = uniqueId('token');
  const tokenForm = h(
    'form',
    {
      class: 'token-form',
      novalidate: true,
      id: 'token-form',
      'aria-label': 'Use an access token',
    },
    h(
      'p',
      { class: 'muted' },
      'For a server without sign-in (DEV_ADMIN_TOKEN) or a token obtained elsewhere (Swagger UI, curl).',
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: tokenInput }, 'Bearer token'),
      h('input', { id: tokenInput, name: 'token', type: 'password', autocomplete: 'off' }),
    ),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { class: 'button', type: 'submit' }, 'Use token'),
    ),
  );
  tokenForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = tokenForm.elements.token.value.trim();
    if (!token) return;
    api.setSession({ accessToken: token, refreshToken: null, email: null });
    tokenForm.reset();
    await ctx.loadUser();
    ctx.navigate('catalog');
  });

  function renderProfile() {
    const user = ctx.user;
    return h(
      'section',
      { class: 'card', 'aria-label': 'Signed in' },
      h('h2', {}, 'Signed in'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Email'),
        h('dd', { id: 'profile-email' }, user?.email ?? api.session?.email ?? '(token)'),
        user?.uid ? [h('dt', {}, 'User id'), h('dd', {}, h('code', {}, user.uid))] : null,
        h('dt', {}, 'Role'),
        h('dd', { id: 'profile-role' }, ctx.roleName()),
        user
          ? [h('dt', {}, 'Status'), h('dd', {}, user.is_active ? 'active' : 'deactivated')]
          : null,
      ),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { class: 'button', type: 'button', onclick: () => ctx.logOut() }, 'Log out'),
      ),
    );
  }

  function render() {
    const forms = byId('account-forms');
    if (api.session) {
      byId('account-lead').textContent = 'You are signed in; the token stays in this tab only.';
      show(forms, renderProfile());
      return;
    }
    byId('account-lead').textContent = dataset.has.login
      ? 'Sign in to browse the catalog; administrators can also change it.'
      : 'This server has no sign-in (no identity provider): use the development token.';
    show(
      forms,
      dataset.has.login ? login : null,
      dataset.has.signup ? signup : null,
      h(
        'details',
        { class: 'card token-card' },
        h('summary', {}, 'Use an access token instead'),
        tokenForm,
      ),
    );
  }

  function renderChip() {
    const chip = byId('account-chip');
    if (!api.session) {
      show(
        chip,
        h('a', { class: 'button small', href: '#account', id: 'sign-in-link' }, 'Sign in'),
      );
      return;
    }
    const role = ctx.roleName();
    show(
      chip,
      h(
        'a',
        { class: 'who', href: '#account', title: 'Account' },
        h(
          'span',
          { class: 'who-email', id: 'who-email' },
          ctx.user?.email ?? api.session.email ?? 'token',
        ),
        h('span', { class: `role role-${role}`, id: 'who-role' }, role),
      ),
      h(
        'button',
        { class: 'button small', type: 'button', id: 'log-out', onclick: () => ctx.logOut() },
        'Log out',
      ),
    );
  }

  ctx.on('user', () => {
    render();
    renderChip();
  });
  render();
  renderChip();
}
