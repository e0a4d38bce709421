// The consumption chart: one bar per period, coloured by quality, drawn with uPlot.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { toNumber, unitLabel } from '../lib/decimal';
import { h } from '../lib/dom';
import type { ReadingPoint } from '../types';

export const QUALITY_COLORS: Record<string, string> = {
  valid: '#2f6feb',
  estimated: '#f0a020',
  suspect: '#d1242f',
};

export interface ChartSeries {
  xs: number[]; // seconds, middle of each period
  valid: (number | null)[];
  estimated: (number | null)[];
  suspect: (number | null)[];
  drawn: ReadingPoint[]; // the points behind xs, in order
}

/** Splits points into per-quality series; points whose value is not a decimal are left out. */
export function toSeries(points: readonly ReadingPoint[]): ChartSeries {
  const rows = points
    .map((p) => ({ p, v: toNumber(p.value), s: Date.parse(p.start), e: Date.parse(p.end) }))
    .filter((r) => r.v !== null && Number.isFinite(r.s))
    .sort((a, b) => a.s - b.s);
  const out: ChartSeries = { xs: [], valid: [], estimated: [], suspect: [], drawn: [] };
  for (const r of rows) {
    const end = Number.isFinite(r.e) && r.e > r.s ? r.e : r.s;
    out.xs.push((r.s + end) / 2000);
    const q = r.p.quality === 'estimated' || r.p.quality === 'suspect' ? r.p.quality : 'valid';
    out.valid.push(q === 'valid' ? r.v : null);
    out.estimated.push(q === 'estimated' ? r.v : null);
    out.suspect.push(q === 'suspect' ? r.v : null);
    out.drawn.push(r.p);
  }
  return out;
}

function safeZone(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

export function formatInZone(ms: number, tz: string | undefined, withTime = true): string {
  const opts: Intl.DateTimeFormatOptions = {
    timeZone: safeZone(tz),
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
  };
  return new Intl.DateTimeFormat('en-GB', opts).format(new Date(ms));
}

function tooltipPlugin(series: ChartSeries, unit: string, tz: string | undefined): uPlot.Plugin {
  let tip: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        tip = h('div', { class: 'chart-tip', 'data-testid': 'chart-tooltip' });
        tip.style.display = 'none';
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', () => (tip.style.display = 'none'));
      },
      setCursor: (u) => {
        const { left, top, idx } = u.cursor;
        if (idx === null || idx === undefined || left === undefined || left < 0 || top === undefined) {
          tip.style.display = 'none';
          return;
        }
        const p = series.drawn[idx];
        if (!p) {
          tip.style.display = 'none';
          return;
        }
        const start = Date.parse(p.start);
        const end = Date.parse(p.end);
        tip.replaceChildren(
          h('div', { class: 'chart-tip-value' }, `${p.value} ${unitLabel(unit)}`),
          h('div', { class: 'chart-tip-time' }, `${formatInZone(start, tz)} – ${formatInZone(end, tz)}`),
          h('div', { class: `chart-tip-q q-${p.quality}` }, String(p.quality)),
        );
        tip.style.display = 'block';
        const w = u.over.clientWidth;
        const tw = tip.offsetWidth;
        const x = left + 12 + tw > w ? left - 12 - tw : left + 12;
        tip.style.left = `${Math.max(0, x)}px`;
        tip.style.top = `${Math.max(0, Math.min(top, u.over.clientHeight - tip.offsetHeight))}px`;
      },
    },
  };
}

export interface ChartHandle {
  points: number;
  destroy(): void;
}

/** Draws the points into `el` over [fromMs, toMs); returns how many points were drawn. */
export function drawChart(
  el: HTMLElement,
  points: readonly ReadingPoint[],
  opts: { fromMs: number; toMs: number; unit: string; timeZone?: string; height?: number },
): ChartHandle {
  const series = toSeries(points);
  const tz = safeZone(opts.timeZone);
  const bars = uPlot.paths.bars!({ size: [0.8, 48, 1], align: 0, gap: 1 });
  const width = Math.max(300, el.clientWidth || 800);
  const axisFont = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const ys = [...series.valid, ...series.estimated, ...series.suspect].filter((v): v is number => v !== null);
  const ymax = ys.length ? Math.max(0, ...ys) : 1;
  const ymin = ys.length ? Math.min(0, ...ys) : 0;

  const mk = (label: string, color: string, fillAlpha: string): uPlot.Series => ({
    label,
    stroke: color,
    fill: color + fillAlpha,
    width: 0,
    paths: bars,
    points: { show: false },
    value: (_u, v) => (v === null ? '' : String(v)),
  });

  const u = new uPlot(
    {
      width,
      height: opts.height ?? 280,
      padding: [12, 12, 4, 4],
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
      ...(tz ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz) } : {}),
      scales: {
        x: { time: true, range: () => [opts.fromMs / 1000, opts.toMs / 1000] },
        y: { range: () => [ymin < 0 ? ymin * 1.1 : 0, ymax > 0 ? ymax * 1.12 : 1] },
      },
      axes: [
        {
          stroke: '#57606a',
          font: axisFont,
          grid: { stroke: '#eef1f4', width: 1 },
          ticks: { stroke: '#d0d7de', width: 1, size: 4 },
          // 24-hour clock, day before month: [tick step, format, then the format for a new year,
          // month, day, hour, minute, second, and mode] as in uPlot's own table.
          values: [
            [3600 * 24 * 365, '{YYYY}', null, null, null, null, null, null, 1],
            [3600 * 24 * 28, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
            [3600 * 24, '{D} {MMM}', '\n{YYYY}', null, null, null, null, null, 1],
            [3600, '{HH}:{mm}', '\n{D} {MMM} {YYYY}', null, '\n{D} {MMM}', null, null, null, 1],
            [60, '{HH}:{mm}', '\n{D} {MMM} {YYYY}', null, '\n{D} {MMM}', null, null, null, 1],
            [1, ':{ss}', '\n{D} {MMM} {YYYY} {HH}:{mm}', null, '\n{D} {MMM} {HH}:{mm}', null, '\n{HH}:{mm}', null, 1],
          ],
        },
        {
          stroke: '#57606a',
          font: axisFont,
          size: 56,
          grid: { stroke: '#eef1f4', width: 1 },
          ticks: { show: false },
          label: unitLabel(opts.unit),
          labelFont: axisFont,
          labelSize: 16,
        },
      ],
      series: [
        {},
        mk('Valid', QUALITY_COLORS.valid, 'dd'),
        mk('Estimated', QUALITY_COLORS.estimated, 'dd'),
        mk('Suspect', QUALITY_COLORS.suspect, 'dd'),
      ],
      plugins: [tooltipPlugin(series, opts.unit, tz)],
    },
    [series.xs, series.valid, series.estimated, series.suspect] as uPlot.AlignedData,
    el,
  );

  let ro: ResizeObserver | null = null;
  if (typeof ResizeObserver !== 'undefined') {
    ro = new ResizeObserver(() => {
      const w = Math.max(300, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: u.height });
    });
    ro.observe(el);
  }
  return {
    points: series.xs.length,
    destroy() {
      ro?.disconnect();
      u.destroy();
    },
  };
}
