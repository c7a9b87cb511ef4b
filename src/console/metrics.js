// Pure logic of the live panel: parsing GET /metrics (Prometheus text format 0.0.4) and turning
// successive scrapes into rates, a hit ratio and latency percentiles over a time window. No DOM
// here (unit-tested with node --test).

const REQUEST_HISTOGRAM = 'vitrina_http_request_duration_seconds';
const CACHE_RESULTS = 'vitrina_cache_results_total';

// The live panel's own polling would otherwise be most of the traffic on an idle server.
export const IGNORED_ROUTES = new Set(['GET /metrics']);

function parseLabels(text) {
  const labels = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const match of text.matchAll(pattern)) {
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

// Every sample line as {name, labels, value}; comments and blank lines are skipped.
export function parsePrometheus(text) {
  const samples = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = match[4] === '+Inf' ? Infinity : Number(match[4]);
    if (Number.isNaN(value)) continue;
    samples.push({ name: match[1], labels: match[3] ? parseLabels(match[3]) : {}, value });
  }
  return samples;
}

// What one scrape says, reduced to what the panel needs: per route, the request count and the
// cumulative latency buckets (summed over status codes); and the cache outcomes.
export function snapshotFromMetrics(text, time) {
  const routes = new Map();
  const cache = { hit: 0, miss: 0, bypass: 0 };
  const route = (name) => {
    if (!routes.has(name)) routes.set(name, { count: 0, buckets: new Map() });
    return routes.get(name);
  };
  for (const sample of parsePrometheus(text)) {
    if (sample.name === `${REQUEST_HISTOGRAM}_count`) {
      route(sample.labels.route ?? '').count += sample.value;
    } else if (sample.name === `${REQUEST_HISTOGRAM}_bucket`) {
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      const buckets = route(sample.labels.route ?? '').buckets;
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    } else if (sample.name === CACHE_RESULTS && sample.labels.outcome in cache) {
      cache[sample.labels.outcome] += sample.value;
    }
  }
  return { time, routes, cache };
}

// The change between two snapshots: requests per route, latency buckets and cache outcomes.
// Null when a counter went down (the server restarted): there is no meaningful difference then.
export function difference(older, newer) {
  const routes = new Map();
  for (const [name, now] of newer.routes) {
    const before = older.routes.get(name) ?? { count: 0, buckets: new Map() };
    const count = now.count - before.count;
    if (count < 0) return null;
    const buckets = new Map();
    for (const [le, value] of now.buckets) buckets.set(le, value - (before.buckets.get(le) ?? 0));
    routes.set(name, { count, buckets });
  }
  const cache = {};
  for (const outcome of Object.keys(newer.cache)) {
    cache[outcome] = newer.cache[outcome] - (older.cache[outcome] ?? 0);
    if (cache[outcome] < 0) return null;
  }
  return { seconds: (newer.time - older.time) / 1000, routes, cache };
}

// The q-quantile (0..1) of a cumulative histogram, interpolated linearly inside its bucket as
// Prometheus' histogram_quantile does; in the +Inf bucket, the highest finite bound. Seconds.
export function quantile(q, buckets) {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  if (bounds.length === 0) return NaN;
  const total = buckets.get(bounds[bounds.length - 1]);
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const cumulative = buckets.get(bound);
    if (cumulative >= rank) {
      if (bound === Infinity) return lower;
      const inBucket = cumulative - below;
      return inBucket > 0 ? lower + (bound - lower) * ((rank - below) / inBucket) : bound;
    }
    lower = bound;
    below = cumulative;
  }
  return lower;
}

function mergeBuckets(routes) {
  const merged = new Map();
  for (const [name, { buckets }] of routes) {
    if (IGNORED_ROUTES.has(name)) continue;
    for (const [le, value] of buckets) merged.set(le, (merged.get(le) ?? 0) + value);
  }
  return merged;
}

// Figures for one difference: requests/s, the hit ratio (null without cache lookups) and the
// latency percentiles in milliseconds, all routes together (IGNORED_ROUTES left out).
export function summarize(diff) {
  let requests = 0;
  const byRoute = [];
  for (const [name, { count, buckets }] of diff.routes) {
    if (IGNORED_ROUTES.has(name) || count === 0) continue;
    requests += count;
    byRoute.push({
      route: name,
      count,
      p50: quantile(0.5, buckets) * 1000,
      p95: quantile(0.95, buckets) * 1000,
    });
  }
  byRoute.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
  const buckets = mergeBuckets(diff.routes);
  const lookups = diff.cache.hit + diff.cache.miss + diff.cache.bypass;
  return {
    seconds: diff.seconds,
    requests,
    rate: diff.seconds > 0 ? requests / diff.seconds : 0,
    cache: diff.cache,
    hitRatio: lookups > 0 ? diff.cache.hit / lookups : null,
    p50: quantile(0.5, buckets) * 1000,
    p95: quantile(0.95, buckets) * 1000,
    p99: quantile(0.99, buckets) * 1000,
    byRoute,
  };
}

// Scrapes kept for the last `windowMs`, plus one older (the window's starting point).
export class MetricsWindow {
  constructor(windowMs = 60000) {
    this.windowMs = windowMs;
    this.snapshots = [];
  }

  add(snapshot) {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last && difference(last, snapshot) === null) this.snapshots = []; // restarted
    this.snapshots.push(snapshot);
    while (this.snapshots.length > 2 && snapshot.time - this.snapshots[1].time >= this.windowMs) {
      this.snapshots.shift();
    }
  }

  // The whole window's figures, or null before two scrapes.
  overall() {
    if (this.snapshots.length < 2) return null;
    return summarize(difference(this.snapshots[0], this.snapshots[this.snapshots.length - 1]));
  }

  // The figures of each interval between consecutive scrapes (for the charts), oldest first.
  series() {
    const points = [];
    for (let i = 1; i < this.snapshots.length; ++i) {
      const diff = difference(this.snapshots[i - 1], this.snapshots[i]);
      if (diff) points.push({ time: this.snapshots[i].time, ...summarize(diff) });
    }
    return points;
  }
}
