// The cache-flow panel: the brief's verification run from the browser, step by step, with the
// timings side by side. Reads go through the same GET /catalog as everyone's; the write is a real
// POST of an item copied from the category (so it is valid for any dataset spec), and the item is
// deleted again at the end unless asked not to (which also makes the next run start cold).

import { SEGMENT_LABELS, cacheBadge, statusBadge, timingLegend } from './answer.js';
import { timingBars } from './charts.js';
import { categoryChoices } from './dataset.js';
import { announce, byId, h, show, uniqueId } from './dom.js';
import { formatBytes, formatCount, formatMs, timingSegments } from './timing.js';

const STEPS = [
  {
    key: 'cold',
    short: 'first read',
    title: 'First read',
    expect: 'MISS',
    note: 'PostgreSQL answers; the answer is stored in Redis.',
  },
  {
    key: 'warm',
    short: 'read again',
    title: 'Same read again',
    expect: 'HIT',
    note: 'Redis answers; PostgreSQL is not asked.',
  },
  {
    key: 'other',
    title: 'Read the other value',
    expect: null,
    note: 'Cached now, to check below that the write leaves it alone.',
  },
  {
    key: 'write',
    title: 'Add an item (admin)',
    expect: 201,
    note: 'POST /catalog with the same category; the write invalidates the keys it affects.',
  },
  {
    key: 'after',
    short: 'after the write',
    title: 'Read after the write',
    expect: 'MISS',
    note: 'Fresh from PostgreSQL, with one more item.',
  },
  {
    key: 'untouched',
    short: 'other value',
    title: 'Other value after the write',
    expect: 'HIT',
    note: 'Another category is still a HIT.',
  },
  {
    key: 'cleanup',
    title: 'Delete the added item',
    expect: 204,
    note: 'Leaves the catalog as it was (and the key cold for the next run).',
  },
];

function queryFor(column, value) {
  return `/catalog?${new URLSearchParams([[column, String(value)]]).toString()}`;
}

export function initFlow(ctx) {
  const { api, dataset } = ctx;
  const form = byId('flow-form');
  const output = byId('flow-result');
  const choice = { column: dataset.categories[0]?.name ?? '', value: '', other: '' };
  let running = false;

  function valuesOf(columnName) {
    const category = dataset.categories.find((candidate) => candidate.name === columnName);
    return category ? categoryChoices(category, ctx.facets) : null;
  }

  function valueControl(name, label, current, fallbackIndex) {
    const id = uniqueId(name);
    const values = valuesOf(choice.column);
    let control;
    if (values && values.length) {
      const selected = values.map(String).includes(String(current))
        ? String(current)
        : String(values[Math.min(fallbackIndex, values.length - 1)]);
      control = h(
        'select',
        { id, name, class: 'input' },
        values.map((value) =>
          h(
            'option',
            { value: String(value), selected: String(value) === selected },
            String(value),
          ),
        ),
      );
    } else {
      control = h('input', {
        id,
        name,
        class: 'input',
        value: current ?? '',
        placeholder: 'a value',
      });
    }
    return h('div', { class: 'field' }, h('label', { for: id }, label), control);
  }

  function renderForm() {
    if (!dataset.categories.length) {
      show(
        form,
        h('p', { class: 'muted' }, 'This dataset has no category column to run the flow with.'),
      );
      return;
    }
    const columnId = uniqueId('column');
    const cleanupId = uniqueId('cleanup');
    const admin = ctx.isAdmin();
    show(
      form,
      h(
        'div',
        { class: 'flow-controls' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: columnId }, 'Category'),
          h(
            'select',
            { id: columnId, name: 'column', class: 'input' },
            dataset.categories.map((category) =>
              h(
                'option',
                { value: category.name, selected: category.name === choice.column },
                category.name,
              ),
            ),
          ),
        ),
        valueControl('value', 'Value', choice.value, 0),
        valueControl('other', 'Another value', choice.other, 1),
        h(
          'div',
          { class: 'field checkbox-field' },
          h('input', { id: cleanupId, type: 'checkbox', name: 'cleanup', checked: true }),
          h('label', { for: cleanupId }, 'Delete the added item afterwards'),
        ),
        h(
          'button',
          {
            class: 'button primary',
            type: 'submit',
            id: 'flow-run',
            disabled: running || !api.session,
          },
          running ? 'Running…' : 'Run the flow',
        ),
      ),
      !api.session
        ? h('p', { class: 'muted' }, h('a', { href: '#account' }, 'Sign in'), ' to run the flow.')
        : !admin
          ? h(
              'p',
              { class: 'muted' },
              'Signed in as a user: the reads run, the write (steps 4–7) needs an administrator.',
            )
          : null,
    );
    form.elements.column.addEventListener('change', () => {
      choice.column = form.elements.column.value;
      choice.value = '';
      choice.other = '';
      renderForm();
    });
  }

  function stepView(step, index, result) {
    const answer = result?.answer;
    let verdict = null;
    if (result?.skipped) verdict = h('span', { class: 'muted' }, result.skipped);
    else if (answer && step.expect !== null) {
      const got = typeof step.expect === 'number' ? answer.status : answer.cache;
      const good = got === step.expect && (!result.expectCount || result.countOk);
      verdict = h(
        'span',
        { class: good ? 'check ok' : 'check bad' },
        good ? '✓ as expected' : `✗ expected ${step.expect}`,
      );
    }
    const count = answer?.data && typeof answer.data.count === 'number' ? answer.data.count : null;
    return h(
      'li',
      {
        class: `step${result ? '' : ' pending'}`,
        'data-step': step.key,
        'data-cache': answer?.cache ?? '',
        'data-status': answer ? String(answer.status) : '',
      },
      h('div', { class: 'step-num', 'aria-hidden': 'true' }, String(index + 1)),
      h(
        'div',
        { class: 'step-body' },
        h(
          'div',
          { class: 'step-title' },
          h('strong', {}, step.title),
          answer ? cacheBadge(answer.cache) : null,
          answer ? statusBadge(answer) : null,
        ),
        h('code', { class: 'request-line' }, result?.request ?? '…'),
        h('p', { class: 'step-note' }, step.note),
        answer
          ? h(
              'p',
              { class: 'step-figures' },
              count !== null
                ? h(
                    'span',
                    { class: 'step-count', 'data-count': String(count) },
                    `${formatCount(count)} items${result.delta ? ` (${result.delta})` : ''}`,
                  )
                : null,
              answer.data?.id !== undefined && step.key === 'write'
                ? h('span', {}, `item #${answer.data.id}`)
                : null,
              h('span', {}, `round trip ${formatMs(answer.ms)}`),
              answer.serverTiming?.total !== undefined
                ? h('span', {}, `server ${formatMs(answer.serverTiming.total)}`)
                : null,
              answer.serverTiming?.db !== undefined
                ? h('span', {}, `db ${formatMs(answer.serverTiming.db)}`)
                : null,
              answer.serverTiming?.cache !== undefined
                ? h('span', {}, `cache ${formatMs(answer.serverTiming.cache)}`)
                : null,
            )
          : null,
        answer && !answer.ok ? h('p', { class: 'step-error' }, answer.error?.message ?? '') : null,
        verdict,
      ),
    );
  }

  function render(results, done) {
    const reads = ['cold', 'warm', 'after', 'untouched']
      .map((key) => ({ key, result: results[key], step: STEPS.find((step) => step.key === key) }))
      .filter(({ result }) => result?.answer?.ok);
    const rows = reads.map(({ step, result }) => ({
      label: `${STEPS.indexOf(step) + 1} · ${step.short}`,
      tag: result.answer.cache ?? '',
      // The server's phases only: the browser's share (network, reading the body) is the same
      // for a HIT and a MISS of the same answer, and would hide what the cache changes.
      segments: timingSegments(result.answer.serverTiming ?? {}, NaN),
      note: `round trip ${formatMs(result.answer.ms)}`,
    }));
    const names = [...new Set(rows.flatMap((row) => row.segments.map((segment) => segment.name)))];
    const cold = results.cold?.answer;
    const warm = results.warm?.answer;
    const speedup = cold?.ok && warm?.ok && warm.ms > 0 ? cold.ms / warm.ms : null;
    const coldServer = cold?.serverTiming?.total;
    const warmServer = warm?.serverTiming?.total;
    const serverSpeedup = coldServer > 0 && warmServer > 0 ? coldServer / warmServer : null;
    const times = (ratio) => `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`;
    show(
      output,
      h('h2', {}, 'Result'),
      h(
        'ol',
        { class: 'steps', id: 'flow-steps' },
        STEPS.map((step, index) => stepView(step, index, results[step.key])),
      ),
      rows.length
        ? h(
            'figure',
            { class: 'flow-chart' },
            h('figcaption', {}, 'Time in the server for each read, by phase (Server-Timing)'),
            timingBars(rows),
            timingLegend(names.filter((name) => name in SEGMENT_LABELS)),
          )
        : null,
      speedup
        ? h(
            'p',
            { class: 'speedup', id: 'flow-speedup' },
            serverSpeedup
              ? `The server answered the HIT in ${formatMs(warmServer)} instead of ${formatMs(coldServer)} (${times(serverSpeedup)} faster). `
              : '',
            `Round trip in this browser: ${formatMs(warm.ms)} instead of ${formatMs(cold.ms)} (${times(speedup)}); `,
            `the rest is the network and the browser receiving ${formatBytes(warm.bytes)}.`,
          )
        : null,
      done ? verdictView(results) : h('p', { class: 'muted' }, 'Running…'),
    );
  }

  function verdictView(results) {
    if (results.error) return h('p', { class: 'verdict bad', id: 'flow-verdict' }, results.error);
    if (results.cold?.answer?.cache === 'DISABLED') {
      return h(
        'p',
        { class: 'verdict bad', id: 'flow-verdict' },
        'The cache is off on this server (X-Cache: DISABLED): every read goes to PostgreSQL.',
      );
    }
    const checks = [
      results.cold?.answer?.cache === 'MISS',
      results.warm?.answer?.cache === 'HIT',
      results.write?.answer?.status === 201,
      results.after?.answer?.cache === 'MISS' && results.after?.countOk,
      results.untouched?.answer?.cache === 'HIT',
    ];
    if (checks.every(Boolean)) {
      return h(
        'p',
        { class: 'verdict ok', id: 'flow-verdict' },
        '✓ MISS → HIT → write → MISS with one more item, and the other category stayed a HIT.',
      );
    }
    const hints = [];
    if (results.cold?.answer?.cache === 'HIT')
      hints.push(
        'the first read was already cached (run it again: the clean-up leaves it cold), or pick another value',
      );
    if (!results.write) hints.push('the write needs an administrator');
    return h(
      'p',
      { class: 'verdict partial', id: 'flow-verdict' },
      `Not every step went as the brief expects${hints.length ? `: ${hints.join('; ')}` : ''}.`,
    );
  }

  async function itemTemplate(column, value, cold) {
    let item = cold?.data?.items?.[0];
    if (!item) {
      const any = await api.request('GET', '/catalog?limit=1');
      item = any.data?.items?.[0];
    }
    if (!item) return null;
    const body = {};
    for (const input of dataset.inputColumns) body[input.name] = item[input.name] ?? null;
    body[column] = value;
    return body;
  }

  async function run() {
    const column = form.elements.column.value;
    const category = dataset.categories.find((candidate) => candidate.name === column);
    const typed = (text) => (category?.type === 'integer' ? Number(text) : text);
    const value = typed(form.elements.value.value.trim());
    const other = typed(form.elements.other.value.trim());
    const cleanup = form.elements.cleanup.checked;
    Object.assign(choice, { column, value: String(value), other: String(other) });
    running = true;
    renderForm();
    output.hidden = false;
    const results = {};
    render(results, false); // at once: nothing of the previous run stays on screen
    const read = async (key, target) => {
      results[key] = { request: `GET ${target}`, answer: await api.request('GET', target) };
      render(results, false);
      return results[key].answer;
    };
    try {
      const target = queryFor(column, value);
      const cold = await read('cold', target);
      if (!cold.ok) throw new Error(`The first read failed: ${cold.error?.message}`);
      await read('warm', target);
      if (String(other) !== String(value)) await read('other', queryFor(column, other));
      else results.other = { skipped: 'Pick another value to compare with.' };
      if (!ctx.isAdmin()) {
        for (const key of ['write', 'after', 'untouched', 'cleanup'])
          results[key] = { skipped: 'Needs an administrator.' };
        return;
      }
      const body = await itemTemplate(column, value, cold);
      if (!body) throw new Error('There is no item to copy for the write.');
      const written = await api.request('POST', '/catalog', { json: body });
      results.write = {
        request: `POST /catalog  {${column}: ${JSON.stringify(value)}, …}`,
        answer: written,
      };
      render(results, false);
      if (!written.ok) throw new Error(`The write failed: ${written.error?.message}`);
      const after = await read('after', target);
      results.after.expectCount = true;
      results.after.countOk = after.ok && after.data.count === cold.data.count + 1;
      results.after.delta = after.ok
        ? `${after.data.count - cold.data.count >= 0 ? '+' : ''}${after.data.count - cold.data.count}`
        : '';
      if (results.other?.answer) await read('untouched', queryFor(column, other));
      else results.untouched = { skipped: 'No other value was read.' };
      if (cleanup) {
        const id = written.data.id;
        results.cleanup = {
          request: `DELETE /catalog/${id}`,
          answer: await api.request('DELETE', `/catalog/${id}`),
        };
      } else {
        results.cleanup = { skipped: 'Kept, as asked.' };
      }
      ctx.emit('catalog-changed', { kind: 'flow' });
    } catch (failure) {
      results.error = failure.message;
    } finally {
      running = false;
      renderForm();
      render(results, true);
      announce(byId('flow-verdict')?.textContent ?? 'Flow finished.');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!running) run();
  });
  ctx.on('facets', renderForm);
  ctx.on('user', renderForm);
  renderForm();
}
