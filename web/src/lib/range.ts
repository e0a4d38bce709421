// Chart ranges and the resolution that suits them.
import { MS, toRfc3339 } from './time';

export type Resolution = 'interval' | 'hour' | 'day' | 'month';
export type RangePreset = '24h' | '7d' | '30d' | 'custom';

export const RESOLUTIONS: readonly Resolution[] = ['interval', 'hour', 'day', 'month'];

export const PRESETS: ReadonlyArray<{ id: Exclude<RangePreset, 'custom'>; label: string; span: number }> = [
  { id: '24h', label: 'Last 24 h', span: MS.DAY },
  { id: '7d', label: '7 days', span: 7 * MS.DAY },
  { id: '30d', label: '30 days', span: 30 * MS.DAY },
];

export interface TimeRange {
  from: number; // epoch ms, inclusive
  to: number; // epoch ms, exclusive
}

/** Most points a chart asks for; finer resolutions that would exceed it are not offered. */
export const MAX_POINTS = 3000;

/**
 * The range of a preset ending now. The end is rounded up to the next full hour so hourly bars
 * are whole and repeated requests within the hour ask for the same range.
 */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, now: number = Date.now()): TimeRange {
  const p = PRESETS.find((x) => x.id === preset);
  if (!p) throw new Error(`unknown range preset ${preset}`);
  const to = Math.ceil(now / MS.HOUR) * MS.HOUR;
  return { from: to - p.span, to };
}

/** The resolution a range opens with. */
export function defaultResolution(range: TimeRange | number): Resolution {
  const span = typeof range === 'number' ? range : range.to - range.from;
  if (span <= 6 * MS.HOUR) return 'interval';
  if (span <= 10 * MS.DAY) return 'hour';
  if (span <= 400 * MS.DAY) return 'day';
  return 'month';
}

export function defaultResolutionForPreset(preset: RangePreset, range?: TimeRange): Resolution {
  switch (preset) {
    case '24h':
    case '7d':
      return 'hour';
    case '30d':
      return 'day';
    case 'custom':
      return range ? defaultResolution(range) : 'hour';
  }
}

/** Roughly how many periods a range has at a resolution. */
export function estimatePoints(range: TimeRange, res: Resolution, intervalS = 900): number {
  const span = Math.max(0, range.to - range.from);
  const step =
    res === 'interval' ? Math.max(1, intervalS) * 1000 : res === 'hour' ? MS.HOUR : res === 'day' ? MS.DAY : 30 * MS.DAY;
  return Math.ceil(span / step);
}

/** Resolutions that make sense for a range: not too many points, and at least one period. */
export function allowedResolutions(range: TimeRange, intervalS = 900): Resolution[] {
  const ok = RESOLUTIONS.filter((r) => estimatePoints(range, r, intervalS) <= MAX_POINTS);
  return ok.length ? ok : ['month'];
}

/** Checks a custom range: returns an error message, or null if it is usable. */
export function validateRange(range: TimeRange | null): string | null {
  if (!range || !Number.isFinite(range.from) || !Number.isFinite(range.to)) return 'Enter both a start and an end.';
  if (range.to <= range.from) return 'The end must be after the start.';
  if (range.to - range.from > 3660 * MS.DAY) return 'The range can be at most 10 years.';
  return null;
}

/** Query parameters of GET /meters/{id}/readings for a range and resolution. */
export function readingsQuery(range: TimeRange, res: Resolution): { from: string; to: string; resolution: Resolution } {
  return { from: toRfc3339(range.from), to: toRfc3339(range.to), resolution: res };
}
