// Server-Timing as the console reads it, and the time bar's segments.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  formatBytes,
  formatMs,
  parseServerTiming,
  timingSegments,
} from '../../../src/console/timing.js';

test('Server-Timing phases are read in milliseconds', () => {
  assert.deepEqual(
    parseServerTiming('auth;dur=0.12, cache;dur=0.30, db;dur=4.10, total;dur=4.90'),
    {
      auth: 0.12,
      cache: 0.3,
      db: 4.1,
      total: 4.9,
    },
  );
  assert.deepEqual(parseServerTiming('miss, db;desc="x";dur=2'), { miss: 0, db: 2 });
  assert.deepEqual(parseServerTiming(null), {});
});

test('segments split the round trip into the named phases, the rest of the server and the network', () => {
  const segments = timingSegments({ auth: 0.1, cache: 0.4, db: 3.5, total: 4.5 }, 6);
  assert.deepEqual(
    segments.map((segment) => segment.name),
    ['auth', 'cache', 'db', 'server', 'network'],
  );
  assert.ok(Math.abs(segments.reduce((sum, segment) => sum + segment.ms, 0) - 6) < 1e-9);
  // A cache hit: no db segment at all.
  assert.deepEqual(
    timingSegments({ auth: 0, cache: 0.2, db: 0, total: 0.3 }, 0.3).map((segment) => segment.name),
    ['cache', 'server'],
  );
});

test('sizes and durations read like people write them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(218_000), '213 KB');
  assert.equal(formatMs(0.456), '0.46 ms');
  assert.equal(formatMs(38.4), '38 ms');
});
