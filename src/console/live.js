// The live panel: GET /metrics polled every two seconds (from page load, so the last minute is
// there when the panel opens), reduced to requests per second, the cache hit ratio and latency
// percentiles over the last minute, with a small chart per figure and a table by route.

import { sparkline } from './charts.js';
import { byId, h, show } from './dom.js';
import { MetricsWindow, snapshotFromMetrics } from './metrics.js';
import { formatCount, formatMs } from './timing.js';

const POLL_MS = 2000;
const WINDOW_MS = 60000;

function percent(ratio) {
  return ratio === null || ratio === undefined
    ? '–'
    : `${(ratio * 100).toFixed(ratio >= 0.995 || ratio === 0 ? 0 : 1)} %`;
}

function counted(count, one, many) {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

function rate(value) {
  if (!Number.isFinite(value)) return '–';
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

function stat({ id, label, value, detail, chart }) {
  return h(
    'section',
    { class: 'card stat', id, 'aria-label': label },
    h('h2', { class: 'stat-label' }, label),
    h('p', { class: 'stat-value' }, value),
    h('p', { class: 'stat-detail' }, detail),
    chart,
  );
}

export function initLive(ctx) {
  const { api } = ctx;
  const root = byId('live');
  const window_ = new MetricsWindow(WINDOW_MS);
  let unavailable = null;
  let timer = null;

  function render() {
    if (unavailable) {
      show(root, h('p', { class: 'notice' }, unavailable));
      return;
    }
    const overall = window_.overall();
    const series = window_.series();
    if (!overall) {
      show(root, h('p', { class: 'muted' }, 'Collecting… (two polls are needed for a rate)'));
      return;
    }
    const span = Math.round(overall.seconds);
    const ratioSeries = series.map((point) => point.hitRatio);
    show(
      root,
      h(
        'div',
        { class: 'stats' },
        stat({
          id: 'live-rate',
          label: 'Requests per second',
          value: h('span', { 'data-value': String(overall.rate) }, rate(overall.rate)),
          detail: `${formatCount(overall.requests)} requests in the last ${span} s`,
          chart: sparkline(
            series.map((point) => point.rate),
            { label: 'requests per second, per poll' },
          ),
        }),
        stat({
          id: 'live-hit-ratio',
          label: 'Cache hit ratio',
          value: h(
            'span',
            { 'data-value': String(overall.hitRatio ?? '') },
            percent(overall.hitRatio),
          ),
          detail: [
            counted(overall.cache.hit, 'hit', 'hits'),
            counted(overall.cache.miss, 'miss', 'misses'),
            counted(overall.cache.bypass, 'bypass', 'bypasses'),
          ].join(' · '),
          chart: sparkline(ratioSeries, { max: 1, label: 'hit ratio, per poll' }),
        }),
        stat({
          id: 'live-latency',
          label: 'Latency (server)',
          value: h(
            'span',
            { class: 'percentiles' },
            h('span', {}, h('small', {}, 'p50 '), formatMs(overall.p50)),
            h('span', {}, h('small', {}, 'p95 '), formatMs(overall.p95)),
            h('span', {}, h('small', {}, 'p99 '), formatMs(overall.p99)),
          ),
          detail: 'From the request-duration histogram (bucket interpolation)',
          chart: sparkline(
            series.map((point) => point.p95),
            { label: 'p95 latency, per poll' },
          ),
        }),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'By route, last minute'),
        overall.byRoute.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'routes', id: 'routes-table' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'col' }, 'Route'),
                    h('th', { scope: 'col', class: 'num' }, 'Requests'),
                    h('th', { scope: 'col', class: 'num' }, 'per s'),
                    h('th', { scope: 'col', class: 'num' }, 'p50'),
                    h('th', { scope: 'col', class: 'num' }, 'p95'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  overall.byRoute.map((route) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, h('code', {}, route.route)),
                      h('td', { class: 'num' }, formatCount(route.count)),
                      h('td', { class: 'num' }, rate(route.count / overall.seconds)),
                      h('td', { class: 'num' }, formatMs(route.p50)),
                      h('td', { class: 'num' }, formatMs(route.p95)),
                    ),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No requests in the last minute besides these polls.'),
      ),
    );
  }

  async function poll() {
    const answer = await api.request('GET', '/metrics', { auth: false });
    if (answer.status === 404) {
      unavailable = 'Metrics are off on this server (METRICS_ENABLED=false).';
      stop();
    } else if (answer.ok) {
      unavailable = null;
      window_.add(snapshotFromMetrics(answer.text, Date.now()));
    }
    if (!byId('view-live').hidden) render();
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function start() {
    if (timer || unavailable) return;
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stop();
    else start();
  });
  document.addEventListener('console:view', (event) => {
    if (event.detail === 'live') render();
  });
  start();
}
