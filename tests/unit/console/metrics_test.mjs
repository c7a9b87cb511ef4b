// The live panel's arithmetic: Prometheus text in, rates, hit ratio and percentiles out.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MetricsWindow,
  difference,
  parsePrometheus,
  quantile,
  snapshotFromMetrics,
  summarize,
} from '../../../src/console/metrics.js';

// The shape `GET /metrics` answers (telemetry/core/metrics.hpp), trimmed to two routes.
function scrape({ catalog, catalogFast, metrics, hit, miss }) {
  const histogram = (route, fast, slow) => [
    `vitrina_http_request_duration_seconds_bucket{route="${route}",status="200",le="0.001"} ${fast}`,
    `vitrina_http_request_duration_seconds_bucket{route="${route}",status="200",le="0.05"} ${fast + slow}`,
    `vitrina_http_request_duration_seconds_bucket{route="${route}",status="200",le="+Inf"} ${fast + slow}`,
    `vitrina_http_request_duration_seconds_sum{route="${route}",status="200"} 1.5`,
    `vitrina_http_request_duration_seconds_count{route="${route}",status="200"} ${fast + slow}`,
  ];
  return [
    '# HELP vitrina_http_request_duration_seconds HTTP request latency.',
    '# TYPE vitrina_http_request_duration_seconds histogram',
    ...histogram('GET /catalog', catalogFast, catalog - catalogFast),
    ...histogram('GET /metrics', metrics, 0),
    '# TYPE vitrina_cache_results_total counter',
    `vitrina_cache_results_total{outcome="hit"} ${hit}`,
    `vitrina_cache_results_total{outcome="miss"} ${miss}`,
    'vitrina_cache_results_total{outcome="bypass"} 0',
    '',
  ].join('\n');
}

test('parsePrometheus reads names, labels (with escapes) and values, skipping comments', () => {
  const samples = parsePrometheus('# HELP x y\nx_total{a="b \\"q\\"",le="+Inf"} 3\nplain 4.5\n\n');
  assert.deepEqual(samples, [
    { name: 'x_total', labels: { a: 'b "q"', le: '+Inf' }, value: 3 },
    { name: 'plain', labels: {}, value: 4.5 },
  ]);
});

test('quantile interpolates inside the bucket like histogram_quantile', () => {
  const buckets = new Map([
    [0.001, 50],
    [0.05, 100],
    [Infinity, 100],
  ]);
  assert.equal(quantile(0.5, buckets), 0.001);
  assert.ok(Math.abs(quantile(0.75, buckets) - (0.001 + 0.049 * 0.5)) < 1e-12);
  assert.ok(
    Number.isNaN(
      quantile(
        0.5,
        new Map([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ),
  );
  // Past the last finite bound the answer is that bound.
  assert.equal(
    quantile(
      0.99,
      new Map([
        [0.1, 1],
        [Infinity, 10],
      ]),
    ),
    0.1,
  );
});

test('a difference of two scrapes gives the rate, hit ratio and percentiles without /metrics', () => {
  const older = snapshotFromMetrics(
    scrape({ catalog: 10, catalogFast: 5, metrics: 3, hit: 4, miss: 6 }),
    0,
  );
  const newer = snapshotFromMetrics(
    scrape({ catalog: 30, catalogFast: 23, metrics: 40, hit: 22, miss: 8 }),
    10000,
  );
  const figures = summarize(difference(older, newer));
  assert.equal(figures.requests, 20); // the 37 polls of /metrics are not counted
  assert.equal(figures.rate, 2);
  assert.equal(figures.hitRatio, 0.9);
  // 18 of the 20 took at most 1 ms: the 10th is 10/18 into that bucket, as Prometheus reckons.
  assert.ok(Math.abs(figures.p50 - 10 / 18) < 1e-9, String(figures.p50));
  assert.ok(figures.p95 > 1 && figures.p95 <= 50);
  assert.deepEqual(
    figures.byRoute.map((route) => route.route),
    ['GET /catalog'],
  );
});

test('without cache lookups the hit ratio is unknown, not zero', () => {
  const a = snapshotFromMetrics(
    scrape({ catalog: 1, catalogFast: 1, metrics: 0, hit: 0, miss: 0 }),
    0,
  );
  const b = snapshotFromMetrics(
    scrape({ catalog: 1, catalogFast: 1, metrics: 5, hit: 0, miss: 0 }),
    2000,
  );
  assert.equal(summarize(difference(a, b)).hitRatio, null);
});

test('a counter going down (a restart) is no difference, and the window starts over', () => {
  const before = snapshotFromMetrics(
    scrape({ catalog: 50, catalogFast: 50, metrics: 9, hit: 9, miss: 1 }),
    0,
  );
  const after = snapshotFromMetrics(
    scrape({ catalog: 2, catalogFast: 2, metrics: 1, hit: 1, miss: 1 }),
    2000,
  );
  assert.equal(difference(before, after), null);
  const window = new MetricsWindow(60000);
  window.add(before);
  window.add(after);
  assert.equal(window.overall(), null);
});

test('the window keeps one scrape older than a minute as its starting point', () => {
  const window = new MetricsWindow(60000);
  for (let second = 0; second <= 120; second += 2) {
    window.add(
      snapshotFromMetrics(
        scrape({ catalog: second, catalogFast: second, metrics: 0, hit: 0, miss: 0 }),
        second * 1000,
      ),
    );
  }
  const overall = window.overall();
  assert.ok(overall.seconds >= 60 && overall.seconds < 62, String(overall.seconds));
  assert.equal(window.series().length, window.snapshots.length - 1);
  assert.ok(Math.abs(overall.rate - 1) < 1e-9);
});
