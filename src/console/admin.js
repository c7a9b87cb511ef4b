// Admin: the item editor (POST /catalog, PUT /catalog/{id}) generated from the dataset's input
// schema, with the API's per-field validation errors next to the fields, and the users list
// (GET /users, PATCH /users/{uid}). The browser does not validate: the API's rules (the spec's)
// are the only ones, and its messages are what the user sees.

import { errorBox } from './answer.js';
import { boundRules, categoryChoices, inputPlaceholder, itemBody } from './dataset.js';
import { announce, byId, h, show, uniqueId } from './dom.js';

function ruleText(column) {
  const rules = [];
  if (column.choices) rules.push(`one of ${column.choices.join(', ')}`);
  rules.push(...boundRules(column));
  if (column.maxLength !== undefined) rules.push(`at most ${column.maxLength} characters`);
  return [column.type, ...rules].join(' · ');
}

function initItemEditor(ctx) {
  const { api, dataset } = ctx;
  const card = byId('item-editor');
  let editing = null; // the item being edited, or null for a new one
  let values = {};

  function control(column, id, errorId, hintId) {
    const common = {
      id,
      name: column.name,
      class: 'input',
      'aria-describedby': `${hintId} ${errorId}`,
    };
    const current = values[column.name] ?? '';
    if (column.type === 'boolean') {
      return h(
        'select',
        common,
        h(
          'option',
          { value: '', selected: current === '' },
          column.required ? 'choose…' : '— (none)',
        ),
        h('option', { value: 'true', selected: current === 'true' }, 'true'),
        h('option', { value: 'false', selected: current === 'false' }, 'false'),
      );
    }
    if (column.choices) {
      return h(
        'select',
        common,
        h(
          'option',
          { value: '', selected: current === '' },
          column.required ? 'choose…' : '— (none)',
        ),
        column.choices.map((choice) =>
          h(
            'option',
            { value: String(choice), selected: String(choice) === current },
            String(choice),
          ),
        ),
      );
    }
    const numeric = column.type === 'integer' || column.type === 'number';
    // Text inputs even for numbers: what the user typed reaches the API, which says what is wrong.
    const input = h('input', {
      ...common,
      type: 'text',
      inputmode: numeric ? 'decimal' : null,
      placeholder: inputPlaceholder(column),
      autocomplete: 'off',
      value: current,
    });
    const category = dataset.categories.find((candidate) => candidate.name === column.name);
    const suggestions = category ? categoryChoices(category, ctx.facets) : null;
    if (!suggestions) return input;
    const listId = `${id}-values`;
    input.setAttribute('list', listId);
    return [
      input,
      h(
        'datalist',
        { id: listId },
        suggestions.map((value) => h('option', { value: String(value) })),
      ),
    ];
  }

  function render(message) {
    const titleId = 'item-editor-title';
    const fields = dataset.inputColumns.map((column) => {
      const id = `item-${column.name}`;
      const errorId = `${id}-error`;
      const hintId = `${id}-hint`;
      return h(
        'div',
        { class: 'field', 'data-field': column.name },
        h(
          'label',
          { for: id },
          column.name,
          column.required ? h('span', { class: 'required', title: 'required' }, ' *') : null,
        ),
        control(column, id, errorId, hintId),
        h('span', { class: 'hint', id: hintId }, ruleText(column)),
        h('span', { class: 'field-error', id: errorId, 'aria-live': 'polite' }),
      );
    });
    const form = h(
      'form',
      { novalidate: true, id: 'item-form', 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'form-message', id: 'item-message', 'aria-live': 'polite' },
        message ?? null,
      ),
      h('div', { class: 'field-grid' }, fields),
      h(
        'div',
        { class: 'form-actions' },
        editing
          ? h(
              'button',
              { class: 'button', type: 'button', onclick: () => startNew() },
              'Cancel edit',
            )
          : null,
        h('span', { class: 'spacer' }),
        h(
          'button',
          { class: 'button primary', type: 'submit', id: 'item-submit' },
          editing ? `Save item #${editing.id}` : 'Add item',
        ),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      save(form);
    });
    show(
      card,
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: titleId }, editing ? `Edit item #${editing.id}` : 'Add an item'),
        h(
          'p',
          { class: 'muted' },
          editing
            ? `PUT /catalog/${editing.id} replaces every field.`
            : 'POST /catalog. Fields marked * are required.',
        ),
      ),
      form,
    );
  }

  function showFieldErrors(form, fields) {
    for (const column of dataset.inputColumns) {
      const input = form.elements[column.name];
      const reason = fields[column.name];
      const slot = byId(`item-${column.name}-error`);
      slot.textContent = reason ? reason : '';
      if (reason) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  async function save(form) {
    values = {};
    for (const column of dataset.inputColumns)
      values[column.name] = form.elements[column.name].value;
    const body = itemBody(dataset.inputColumns, values);
    const button = byId('item-submit');
    button.disabled = true;
    const answer = editing
      ? await api.request('PUT', `/catalog/${editing.id}`, { json: body })
      : await api.request('POST', '/catalog', { json: body });
    button.disabled = false;
    card.dataset.requestId = answer.requestId ?? ''; // which answer the editor shows
    if (!answer.ok) {
      const fields = answer.error?.fields ?? {};
      showFieldErrors(form, fields);
      const unplaced = Object.keys(fields).some(
        (name) => !dataset.inputColumns.some((column) => column.name === name),
      );
      show(byId('item-message'), errorBox(answer, { fieldsShownElsewhere: !unplaced }));
      const firstInvalid = form.querySelector('[aria-invalid=true]');
      if (firstInvalid) firstInvalid.focus();
      return;
    }
    const verb = editing ? 'Saved' : 'Created';
    const item = answer.data;
    editing = null;
    values = {};
    render(
      h(
        'p',
        { class: 'notice notice-ok', role: 'status', id: 'item-saved', 'data-id': String(item.id) },
        `${verb} item #${item.id}. `,
        h('a', { href: '#catalog' }, 'Back to the catalog'),
        ' — search again to see it.',
      ),
    );
    announce(`${verb} item #${item.id}.`);
    ctx.emit('catalog-changed', { kind: verb.toLowerCase(), item });
    ctx.refreshFacets();
  }

  function startNew() {
    editing = null;
    values = {};
    render();
  }

  ctx.on('edit-item', (item) => {
    editing = item;
    values = {};
    for (const column of dataset.inputColumns) {
      const value = item[column.name];
      values[column.name] = value === null || value === undefined ? '' : String(value);
    }
    render();
    ctx.navigate('admin');
    byId(`item-${dataset.inputColumns[0]?.name}`)?.focus();
  });
  ctx.on('facets', () => {
    if (!byId('item-form')) render();
  });
  render();
}

function initUsers(ctx) {
  const { api, dataset } = ctx;
  const card = byId('users');

  function actionButton(user, label, patch) {
    return h(
      'button',
      {
        class: 'button small',
        type: 'button',
        'data-action': label.toLowerCase(),
        'aria-label': `${label} ${user.email}`,
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          const answer = await api.request('PATCH', `/users/${encodeURIComponent(user.uid)}`, {
            json: patch,
          });
          if (!answer.ok) {
            card.querySelector('.form-message')?.replaceChildren(errorBox(answer));
            event.currentTarget.disabled = false;
            return;
          }
          announce(`${label}d ${user.email}.`);
          if (user.uid === ctx.user?.uid) await ctx.loadUser();
          await load();
        },
      },
      label,
    );
  }

  function render(answer) {
    const users = answer?.ok ? (answer.data.users ?? answer.data) : [];
    show(
      card,
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: 'users-title' }, 'Users'),
        h(
          'button',
          { class: 'button small', type: 'button', id: 'users-refresh', onclick: load },
          'Refresh',
        ),
      ),
      h(
        'div',
        { class: 'form-message', 'aria-live': 'polite' },
        answer && !answer.ok ? errorBox(answer) : null,
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'users', id: 'users-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Email'),
              h('th', { scope: 'col' }, 'Role'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h(
            'tbody',
            {},
            users.map((user) =>
              h(
                'tr',
                { 'data-email': user.email },
                h(
                  'td',
                  {},
                  user.email,
                  user.uid === ctx.user?.uid ? h('span', { class: 'muted' }, ' (you)') : null,
                ),
                h(
                  'td',
                  {},
                  h(
                    'span',
                    { class: `role role-${user.is_admin ? 'admin' : 'user'}` },
                    user.is_admin ? 'admin' : 'user',
                  ),
                ),
                h(
                  'td',
                  {},
                  h(
                    'span',
                    { class: `state state-${user.is_active ? 'active' : 'inactive'}` },
                    user.is_active ? 'active' : 'deactivated',
                  ),
                ),
                h(
                  'td',
                  { class: 'actions-cell' },
                  h(
                    'div',
                    { class: 'row-actions' },
                    user.is_admin
                      ? actionButton(user, 'Demote', { is_admin: false })
                      : actionButton(user, 'Promote', { is_admin: true }),
                    user.is_active
                      ? actionButton(user, 'Deactivate', { is_active: false })
                      : actionButton(user, 'Activate', { is_active: true }),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function load() {
    if (!dataset.has.users || !ctx.isAdmin() || ctx.user?.devToken) {
      show(
        card,
        h('h2', { id: 'users-title' }, 'Users'),
        h(
          'p',
          { class: 'muted' },
          ctx.user?.devToken
            ? 'This server has no user accounts (no identity provider).'
            : 'User management needs an administrator signed in through /login.',
        ),
      );
      return;
    }
    render(await api.request('GET', '/users'));
  }

  ctx.on('user', load);
  document.addEventListener('console:view', (event) => {
    if (event.detail === 'admin') load();
  });
  load();
}

export function initAdmin(ctx) {
  initItemEditor(ctx);
  initUsers(ctx);
}
