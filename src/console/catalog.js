// The catalog browser: filter controls generated from the dataset's description (category values
// as choices, numeric ranges, page size, sort when the API offers it), the results table with the
// count, paging by cursor, and every answer's cache badge, key, size and timings.

import { answerSummary, errorBox } from './answer.js';
import { confirmDelete } from './confirm.js';
import { catalogQuery, categoryChoices, rangeInput } from './dataset.js';
import { announce, byId, h, show, uniqueId } from './dom.js';
import { formatCount } from './timing.js';

const PAGE_SIZES = [10, 25, 50, 100, 1000];
const MAX_ROWS_SHOWN = 2000;

export function cellText(column, value) {
  if (value === null || value === undefined) return '—';
  if (column.type === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function initCatalog(ctx) {
  const { api, dataset } = ctx;
  const form = byId('filters');
  const results = byId('results');
  const state = { categories: {}, ranges: {}, sort: '', limit: dataset.paging ? 50 : null };
  let cursors = [null]; // the cursor of each page visited, the first page's is null
  let searched = false;
  let loads = 0; // searches started, so an older answer arriving late never replaces a newer one

  function chipGroup(category) {
    const choices = categoryChoices(category, ctx.facets);
    const legendId = uniqueId('legend');
    const selected = new Set((state.categories[category.name] ?? []).map(String));
    const group = h(
      'fieldset',
      { class: 'facet', 'data-column': category.name },
      h(
        'legend',
        { id: legendId },
        category.name,
        category.description ? h('span', { class: 'hint' }, category.description) : null,
      ),
    );
    if (!choices) {
      const id = uniqueId('value');
      group.append(
        h('label', { class: 'visually-hidden', for: id }, `${category.name} equals`),
        h('input', {
          id,
          class: 'input',
          name: `category:${category.name}`,
          type: category.type === 'integer' ? 'number' : 'text',
          placeholder: 'any value',
          value: [...selected][0] ?? '',
        }),
      );
      return group;
    }
    const chips = h('div', { class: 'chips' });
    for (const value of choices) {
      const id = uniqueId('chip');
      chips.append(
        h(
          'span',
          { class: 'chip' },
          h('input', {
            id,
            type: 'checkbox',
            name: `category:${category.name}`,
            value: String(value),
            checked: selected.has(String(value)),
          }),
          h('label', { for: id }, String(value)),
        ),
      );
    }
    group.append(chips);
    return group;
  }

  function rangeRow(range) {
    const minId = uniqueId('min');
    const maxId = uniqueId('max');
    const bounds = state.ranges[range.name] ?? {};
    const input = rangeInput(range);
    const hint = [...range.rules, ...(input.hint ? [input.hint] : [])].join(' · ');
    return h(
      'div',
      { class: 'range', 'data-column': range.name, title: range.description },
      h('span', { class: 'range-name', id: `${minId}-name` }, range.name),
      h('label', { class: 'visually-hidden', for: minId }, `${range.name} at least`),
      h('input', {
        id: minId,
        class: 'input',
        name: `min:${range.name}`,
        type: input.type,
        step: input.step,
        inputmode: input.inputmode,
        placeholder: 'min',
        value: bounds.min ?? '',
      }),
      h('span', { class: 'range-dash', 'aria-hidden': 'true' }, '–'),
      h('label', { class: 'visually-hidden', for: maxId }, `${range.name} at most`),
      h('input', {
        id: maxId,
        class: 'input',
        name: `max:${range.name}`,
        type: input.type,
        step: input.step,
        inputmode: input.inputmode,
        placeholder: 'max',
        value: bounds.max ?? '',
      }),
      hint ? h('span', { class: 'range-hint' }, hint) : null,
    );
  }

  function renderForm() {
    const sizeId = uniqueId('size');
    const sortId = uniqueId('sort');
    show(
      form,
      dataset.categories.length
        ? h('div', { class: 'facets' }, dataset.categories.map(chipGroup))
        : null,
      dataset.ranges.length
        ? h(
            'fieldset',
            { class: 'ranges' },
            h('legend', {}, 'Ranges ', h('span', { class: 'hint' }, 'inclusive')),
            h('div', { class: 'range-grid' }, dataset.ranges.map(rangeRow)),
          )
        : null,
      h(
        'div',
        { class: 'form-actions filter-actions' },
        dataset.sort
          ? h(
              'div',
              { class: 'field inline' },
              h('label', { for: sortId }, 'Sort'),
              dataset.sort.choices
                ? h(
                    'select',
                    { id: sortId, name: 'sort', class: 'input' },
                    h('option', { value: '' }, 'default'),
                    dataset.sort.choices.map((choice) =>
                      h('option', { value: choice, selected: state.sort === choice }, choice),
                    ),
                  )
                : h('input', { id: sortId, name: 'sort', class: 'input', value: state.sort }),
            )
          : null,
        dataset.paging
          ? h(
              'div',
              { class: 'field inline' },
              h('label', { for: sizeId }, 'Page size'),
              h(
                'select',
                { id: sizeId, name: 'limit', class: 'input' },
                PAGE_SIZES.filter(
                  (size) => !dataset.paging.maxLimit || size <= dataset.paging.maxLimit,
                ).map((size) =>
                  h(
                    'option',
                    { value: String(size), selected: state.limit === size },
                    String(size),
                  ),
                ),
                h('option', { value: 'all', selected: state.limit === null }, 'All (no limit)'),
              ),
            )
          : null,
        h('span', { class: 'spacer' }),
        h(
          'button',
          { class: 'button', type: 'button', id: 'filters-reset', onclick: reset },
          'Reset',
        ),
        h('button', { class: 'button primary', type: 'submit', id: 'filters-search' }, 'Search'),
      ),
    );
  }

  function readForm() {
    state.categories = {};
    state.ranges = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      const [kind, column] = element.name.split(':');
      if (kind === 'category') {
        if (
          (element.type === 'checkbox' && element.checked) ||
          (element.type !== 'checkbox' && element.value.trim() !== '')
        ) {
          (state.categories[column] ??= []).push(element.value.trim());
        }
      } else if (kind === 'min' || kind === 'max') {
        (state.ranges[column] ??= {})[kind] = element.value;
      }
    }
    if (form.elements.limit)
      state.limit = form.elements.limit.value === 'all' ? null : Number(form.elements.limit.value);
    if (form.elements.sort) state.sort = form.elements.sort.value;
  }

  function reset() {
    state.categories = {};
    state.ranges = {};
    state.sort = '';
    state.limit = dataset.paging ? 50 : null;
    renderForm();
    search();
  }

  function markInvalidParameter(answer) {
    for (const input of form.querySelectorAll('[aria-invalid]'))
      input.removeAttribute('aria-invalid');
    if (answer.status !== 400) return;
    const message = answer.error?.message ?? '';
    for (const element of form.elements) {
      if (!element.name) continue;
      const [kind, column] = element.name.split(':');
      const parameter = kind === 'min' || kind === 'max' ? `${column}_${kind}` : column;
      if (
        parameter &&
        new RegExp(`\\b${parameter}\\b`).test(message) &&
        message.indexOf('allowed:') === -1
      ) {
        element.setAttribute('aria-invalid', 'true');
      }
    }
  }

  function itemRow(item, columns) {
    const row = h('tr', { 'data-id': String(item.id) });
    for (const column of columns) {
      const numeric = column.type === 'integer' || column.type === 'number';
      row.append(h('td', { class: numeric ? 'num' : null }, cellText(column, item[column.name])));
    }
    if (ctx.isAdmin()) {
      row.append(
        h(
          'td',
          { class: 'actions-cell' },
          h(
            'div',
            { class: 'row-actions' },
            dataset.has.replace
              ? h(
                  'button',
                  {
                    class: 'button small',
                    type: 'button',
                    'aria-label': `Edit item ${item.id}`,
                    onclick: () => ctx.emit('edit-item', item),
                  },
                  'Edit',
                )
              : null,
            dataset.has.remove
              ? h(
                  'button',
                  {
                    class: 'button small danger-outline',
                    type: 'button',
                    'aria-label': `Delete item ${item.id}`,
                    onclick: () => removeItem(item, row),
                  },
                  'Delete',
                )
              : null,
          ),
        ),
      );
    }
    return row;
  }

  async function removeItem(item, row) {
    if (
      !(await confirmDelete(
        `Delete item #${item.id}? Cached answers that include it are invalidated.`,
      ))
    )
      return;
    const answer = await api.request('DELETE', `/catalog/${item.id}`);
    if (!answer.ok) {
      results.prepend(errorBox(answer));
      return;
    }
    row.remove();
    announce(`Deleted item #${item.id}.`);
    ctx.emit('catalog-changed', { kind: 'deleted', item });
  }

  function renderTable(items) {
    const columns = dataset.columns;
    const shown = items.slice(0, MAX_ROWS_SHOWN);
    return h(
      'div',
      { class: 'table-wrap', tabindex: '0', 'aria-label': 'Items' },
      h(
        'table',
        { class: 'items', id: 'items-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((column) =>
              h(
                'th',
                {
                  scope: 'col',
                  class: column.type === 'integer' || column.type === 'number' ? 'num' : null,
                  title: column.description,
                },
                column.name,
              ),
            ),
            ctx.isAdmin()
              ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions'))
              : null,
          ),
        ),
        h(
          'tbody',
          {},
          shown.map((item) => itemRow(item, columns)),
        ),
      ),
    );
  }

  function renderAnswer(answer) {
    if (!answer.ok) {
      const needsSignIn = answer.status === 401;
      show(
        results,
        answerSummary(answer),
        needsSignIn
          ? h(
              'div',
              { class: 'notice' },
              'The catalog needs a signed-in user. ',
              h('a', { href: '#account' }, 'Sign in'),
              ' to browse it.',
            )
          : errorBox(answer),
      );
      return;
    }
    const page = answer.data;
    const pageNumber = cursors.length;
    const hasNext = typeof page.next_cursor === 'string';
    show(
      results,
      h(
        'div',
        { class: 'results-head' },
        h(
          'p',
          { class: 'count' },
          h(
            'strong',
            { id: 'result-count', 'data-count': String(page.count) },
            formatCount(page.count),
          ),
          page.count === 1 ? ' item' : ' items',
          state.limit ? h('span', { class: 'muted' }, ` · page ${pageNumber}`) : null,
        ),
        answerSummary(answer),
      ),
      page.count > MAX_ROWS_SHOWN
        ? h(
            'p',
            { class: 'muted' },
            `Showing the first ${formatCount(MAX_ROWS_SHOWN)} rows of this answer; choose a smaller page size to page through.`,
          )
        : null,
      page.count === 0
        ? h('p', { class: 'empty' }, 'No items match these filters.')
        : renderTable(page.items),
      state.limit
        ? h(
            'nav',
            { class: 'pager', 'aria-label': 'Pages' },
            h(
              'button',
              {
                class: 'button',
                type: 'button',
                id: 'page-previous',
                disabled: pageNumber <= 1,
                onclick: () => turn(-1),
              },
              '← Previous',
            ),
            h('span', { class: 'muted' }, `Page ${pageNumber}`),
            h(
              'button',
              {
                class: 'button',
                type: 'button',
                id: 'page-next',
                disabled: !hasNext,
                onclick: () => turn(+1, page.next_cursor),
              },
              'Next →',
            ),
          )
        : null,
    );
    announce(`${formatCount(page.count)} items, X-Cache ${answer.cache ?? 'none'}.`);
  }

  async function load() {
    searched = true;
    const query = catalogQuery({ ...state, cursor: cursors[cursors.length - 1] });
    const mine = ++loads;
    results.setAttribute('aria-busy', 'true');
    const answer = await api.request('GET', `/catalog${query ? `?${query}` : ''}`);
    if (mine !== loads) return; // a later search was started: its answer is the one to show
    results.removeAttribute('aria-busy');
    markInvalidParameter(answer);
    renderAnswer(answer);
    results.dataset.requestId = answer.requestId ?? ''; // which answer is on screen
  }

  function search() {
    readForm();
    cursors = [null];
    return load();
  }

  function turn(direction, cursor) {
    if (direction > 0) cursors.push(cursor);
    else if (cursors.length > 1) cursors.pop();
    return load();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search();
  });
  ctx.on('facets', () => {
    readForm();
    renderForm();
  });
  ctx.on('user', () => {
    if (!api.session) {
      show(results);
      delete results.dataset.requestId;
      searched = false;
    } else if (searched) {
      load(); // the role may change the table (admin actions) and what may be read
    }
  });
  document.addEventListener('console:view', (event) => {
    if (event.detail === 'catalog' && !searched && api.session) search();
  });
  renderForm();
}
