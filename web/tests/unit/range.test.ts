import { describe, expect, it } from 'vitest';
import {
  allowedResolutions,
  defaultResolution,
  defaultResolutionForPreset,
  estimatePoints,
  presetRange,
  readingsQuery,
  validateRange,
} from '../../src/lib/range';

const H = 3600_000;
const D = 24 * H;
const NOW = Date.parse('2026-11-21T10:15:42Z');

describe('presetRange', () => {
  it('ends at the next full hour and spans the preset', () => {
    const r = presetRange('24h', NOW);
    expect(new Date(r.to).toISOString()).toBe('2026-11-21T11:00:00.000Z');
    expect(r.to - r.from).toBe(D);
    expect(presetRange('7d', NOW).to - presetRange('7d', NOW).from).toBe(7 * D);
    expect(presetRange('30d', NOW).to - presetRange('30d', NOW).from).toBe(30 * D);
  });
  it('is stable within the hour', () => {
    expect(presetRange('7d', NOW)).toEqual(presetRange('7d', NOW + 30 * 60_000));
  });
  it('keeps an exact hour', () => {
    const t = Date.parse('2026-11-21T10:00:00Z');
    expect(presetRange('24h', t).to).toBe(t);
  });
});

describe('default resolution', () => {
  it('per preset', () => {
    expect(defaultResolutionForPreset('24h')).toBe('hour');
    expect(defaultResolutionForPreset('7d')).toBe('hour');
    expect(defaultResolutionForPreset('30d')).toBe('day');
  });
  it('per custom span', () => {
    expect(defaultResolution(2 * H)).toBe('interval');
    expect(defaultResolution(2 * D)).toBe('hour');
    expect(defaultResolution(60 * D)).toBe('day');
    expect(defaultResolution(3 * 365 * D)).toBe('month');
    expect(defaultResolutionForPreset('custom', { from: 0, to: 90 * D })).toBe('day');
  });
});

describe('allowed resolutions', () => {
  it('leaves out resolutions with too many points', () => {
    expect(estimatePoints({ from: 0, to: D }, 'interval', 900)).toBe(96);
    expect(allowedResolutions({ from: 0, to: D }, 900)).toEqual(['interval', 'hour', 'day', 'month']);
    expect(allowedResolutions({ from: 0, to: 365 * D }, 900)).toEqual(['day', 'month']);
    expect(allowedResolutions({ from: 0, to: 30 * D }, 900)).toEqual(['interval', 'hour', 'day', 'month']);
    expect(allowedResolutions({ from: 0, to: 30 * D }, 60)).toEqual(['hour', 'day', 'month']);
  });
  it('always offers something', () => {
    expect(allowedResolutions({ from: 0, to: 1000 * 365 * D }, 900)).toEqual(['month']);
  });
});

describe('validateRange', () => {
  it('accepts a forward range', () => {
    expect(validateRange({ from: 0, to: D })).toBeNull();
  });
  it('rejects empty, backwards and huge ranges', () => {
    expect(validateRange(null)).toMatch(/both/);
    expect(validateRange({ from: NaN, to: D })).toMatch(/both/);
    expect(validateRange({ from: D, to: D })).toMatch(/after/);
    expect(validateRange({ from: 2 * D, to: D })).toMatch(/after/);
    expect(validateRange({ from: 0, to: 4000 * D })).toMatch(/10 years/);
  });
});

describe('readingsQuery', () => {
  it('writes RFC 3339 UTC', () => {
    expect(readingsQuery(presetRange('7d', NOW), 'hour')).toEqual({
      from: '2026-11-14T11:00:00Z',
      to: '2026-11-21T11:00:00Z',
      resolution: 'hour',
    });
  });
});
