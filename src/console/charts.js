// Small hand-written SVG charts: no library, nothing fetched. Sizes are in viewBox units and the
// SVG scales to its container; colours come from console.css classes.

import { svg } from './dom.js';
import { formatMs } from './timing.js';

// A sparkline of values (null = gap) with its last point marked.
export function sparkline(values, { max, label, width = 240, height = 48 } = {}) {
  const finite = values.filter((value) => Number.isFinite(value));
  const top = max ?? Math.max(1e-9, ...finite);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (value) => height - 2 - (Math.min(value, top) / top) * (height - 4);
  let path = '';
  let pen = false;
  let firstX = null;
  let lastX = null;
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${y(value).toFixed(1)}`;
    pen = true;
    firstX ??= i * step;
    lastX = i * step;
  });
  const area = path ? `${path}L${lastX.toFixed(1)},${height}L${firstX.toFixed(1)},${height}Z` : '';
  const lastIndex = values.length - 1;
  const last = values[lastIndex];
  return svg(
    'svg',
    {
      class: 'sparkline',
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': label ?? 'trend',
    },
    svg('line', { class: 'baseline', x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5 }),
    finite.length > 1 && path.indexOf('M') === path.lastIndexOf('M')
      ? svg('path', { class: 'area', d: area })
      : null,
    svg('path', { class: 'line', d: path }),
    Number.isFinite(last)
      ? svg('circle', {
          class: 'dot',
          cx: (lastIndex * step).toFixed(1),
          cy: y(last).toFixed(1),
          r: 2.5,
        })
      : null,
  );
}

// One horizontal stacked bar per row, all on the same scale, labelled with their total:
// rows = [{label, tag, segments: [{name, ms}], note}]; tag (HIT, MISS) is drawn in its colour,
// note after the total.
// Segment classes are seg-<name>.
export function timingBars(
  rows,
  { width = 860, rowHeight = 30, labelWidth = 150, tagWidth = 50 } = {},
) {
  const totals = rows.map((row) => row.segments.reduce((sum, segment) => sum + segment.ms, 0));
  const top = Math.max(1e-9, ...totals);
  const barSpace = width - labelWidth - tagWidth - 180;
  const height = rows.length * rowHeight + 4;
  const chart = svg('svg', {
    class: 'timing-bars',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': rows.map((row, i) => `${row.label}: ${formatMs(totals[i])}`).join('; '),
  });
  rows.forEach((row, i) => {
    const top_ = i * rowHeight + 4;
    chart.append(svg('text', { class: 'bar-label', x: 0, y: top_ + rowHeight / 2 + 1 }, row.label));
    if (row.tag) {
      chart.append(
        svg(
          'text',
          {
            class: `bar-tag tag-${row.tag.toLowerCase()}`,
            x: labelWidth,
            y: top_ + rowHeight / 2 + 1,
          },
          row.tag,
        ),
      );
    }
    let x = labelWidth + tagWidth;
    for (const segment of row.segments) {
      const w = Math.max(segment.ms > 0 ? 1 : 0, (segment.ms / top) * barSpace);
      chart.append(
        svg(
          'rect',
          {
            class: `seg seg-${segment.name}`,
            x: x.toFixed(1),
            y: top_ + 5,
            width: w.toFixed(1),
            height: rowHeight - 12,
            rx: 2,
          },
          svg('title', {}, `${segment.name} ${formatMs(segment.ms)}`),
        ),
      );
      x += w;
    }
    chart.append(
      svg(
        'text',
        { class: 'bar-value', x: (x + 6).toFixed(1), y: top_ + rowHeight / 2 + 1 },
        row.note ? `${formatMs(totals[i])} · ${row.note}` : formatMs(totals[i]),
      ),
    );
  });
  return chart;
}

// A stacked bar for one answer (the catalog browser's time line), full width.
export function timingStrip(segments) {
  const total = segments.reduce((sum, segment) => sum + segment.ms, 0);
  const strip = svg('svg', {
    class: 'timing-strip',
    viewBox: '0 0 100 6',
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': segments.map((segment) => `${segment.name} ${formatMs(segment.ms)}`).join(', '),
  });
  let x = 0;
  for (const segment of segments) {
    const w = total > 0 ? (segment.ms / total) * 100 : 0;
    strip.append(
      svg('rect', {
        class: `seg seg-${segment.name}`,
        x: x.toFixed(2),
        y: 0,
        width: w.toFixed(2),
        height: 6,
      }),
    );
    x += w;
  }
  return strip;
}
