// Pure helpers for what each API answer says about itself: the Server-Timing breakdown, sizes
// and durations as people read them. No DOM here (unit-tested with node --test).

// "auth;dur=0.12, cache;dur=0.30, db;dur=4.10, total;dur=4.90" -> {auth: 0.12, cache: 0.3, ...}
// in milliseconds. Entries without a duration count as 0; unknown parameters are ignored.
export function parseServerTiming(header) {
  const phases = {};
  if (!header) return phases;
  for (const entry of header.split(',')) {
    const [rawName, ...params] = entry.split(';');
    const name = rawName.trim();
    if (!name) continue;
    let duration = 0;
    for (const param of params) {
      const [key, value] = param.split('=').map((part) => part.trim());
      if (key === 'dur') {
        const number = Number(value);
        if (Number.isFinite(number)) duration = number;
      }
    }
    phases[name] = (phases[name] ?? 0) + duration;
  }
  return phases;
}

// The segments of one answer's time bar, in a fixed order, from the client's round trip and the
// server's phases. "server" is the server's time not spent in a named phase (routing, rendering,
// sending), "network" what the browser waited beyond the server's total (transfer, parsing).
export function timingSegments(phases, roundTripMs) {
  const named = ['auth', 'cache', 'db', 'http'];
  const segments = [];
  let accounted = 0;
  for (const name of named) {
    const value = phases[name] ?? 0;
    if (value > 0) {
      segments.push({ name, ms: value });
      accounted += value;
    }
  }
  const total = phases.total ?? accounted;
  if (total - accounted > 0.005) segments.push({ name: 'server', ms: total - accounted });
  if (Number.isFinite(roundTripMs) && roundTripMs - total > 0.005) {
    segments.push({ name: 'network', ms: roundTripMs - total });
  }
  return segments;
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatCount(count) {
  return Number.isFinite(count) ? count.toLocaleString('en-US') : '–';
}
