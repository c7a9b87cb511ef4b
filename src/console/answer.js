// How one API answer is shown everywhere in the console: the request line, status, X-Cache badge,
// X-Cache-Key, size, the client's round trip and the Server-Timing breakdown as a bar.

import { timingStrip } from './charts.js';
import { h } from './dom.js';
import { formatBytes, formatMs, timingSegments } from './timing.js';

export const SEGMENT_LABELS = {
  auth: 'auth',
  cache: 'cache (Redis)',
  db: 'db (PostgreSQL)',
  http: 'outbound HTTP',
  server: 'server, other',
  network: 'network + browser',
};

// The X-Cache value as a badge; null when the answer has none (routes other than GET /catalog).
export function cacheBadge(outcome) {
  if (!outcome) return null;
  const known = ['HIT', 'MISS', 'BYPASS', 'DISABLED'].includes(outcome)
    ? outcome.toLowerCase()
    : 'other';
  return h(
    'span',
    { class: `badge badge-${known}`, 'data-cache': outcome, title: `X-Cache: ${outcome}` },
    outcome,
  );
}

export function statusBadge(answer) {
  const kind = answer.ok ? 'ok' : answer.status >= 500 || answer.status === 0 ? 'fail' : 'warn';
  return h(
    'span',
    { class: `status status-${kind}` },
    answer.status === 0 ? 'no answer' : String(answer.status),
  );
}

// The legend of the timing colours.
export function timingLegend(names) {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Timing legend' },
    names.map((name) =>
      h(
        'li',
        {},
        h('span', { class: `swatch seg-${name}`, 'aria-hidden': 'true' }),
        SEGMENT_LABELS[name] ?? name,
      ),
    ),
  );
}

// Request line, badges, key, size and timings of one answer.
export function answerSummary(answer) {
  const segments = timingSegments(answer.serverTiming ?? {}, answer.ms);
  const phases = answer.serverTiming ?? {};
  const phaseText = ['auth', 'cache', 'db', 'http']
    .filter((name) => name in phases)
    .map((name) => `${name} ${formatMs(phases[name])}`)
    .join(' · ');
  return h(
    'div',
    { class: 'answer' },
    h(
      'div',
      { class: 'answer-line' },
      h('code', { class: 'request-line' }, `${answer.method} ${answer.path}`),
      statusBadge(answer),
      cacheBadge(answer.cache),
    ),
    h(
      'dl',
      { class: 'answer-facts' },
      answer.cacheKey
        ? [
            h('dt', {}, 'X-Cache-Key'),
            h('dd', {}, h('code', { class: 'cache-key' }, answer.cacheKey)),
          ]
        : null,
      h('dt', {}, 'Size'),
      h('dd', { class: 'answer-size' }, formatBytes(answer.bytes)),
      h('dt', {}, 'Round trip'),
      h('dd', { class: 'answer-ms' }, formatMs(answer.ms)),
      'total' in phases
        ? [h('dt', {}, 'Server'), h('dd', { class: 'server-total' }, formatMs(phases.total))]
        : null,
      phaseText
        ? [h('dt', {}, 'Server-Timing'), h('dd', { class: 'server-timing' }, phaseText)]
        : null,
    ),
    segments.length ? timingStrip(segments) : null,
    segments.length ? timingLegend(segments.map((segment) => segment.name)) : null,
  );
}

// An error's message, with the per-field reasons when the API gave them.
export function errorBox(answer, { fieldsShownElsewhere = false } = {}) {
  const fields = Object.entries(answer.error?.fields ?? {});
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('strong', {}, answer.status ? `${answer.status} ${answer.error?.code ?? ''}` : 'No answer'),
    ' ',
    answer.error?.message ?? '',
    fields.length && !fieldsShownElsewhere
      ? h(
          'ul',
          {},
          fields.map(([field, reason]) => h('li', {}, h('code', {}, field), ` ${reason}`)),
        )
      : null,
  );
}
