import { describe, expect, it } from 'vitest';
import { deviceHref, parseHash } from '../../src/router';
import { buildQuery } from '../../src/api';
import { toSeries } from '../../src/components/chart';

describe('parseHash', () => {
  it('routes', () => {
    expect(parseHash('')).toEqual({ name: 'fleet' });
    expect(parseHash('#/fleet')).toEqual({ name: 'fleet' });
    expect(parseHash('#/login')).toEqual({ name: 'login' });
    expect(parseHash('#/events')).toEqual({ name: 'events' });
    expect(parseHash('#/devices/D000001')).toEqual({ name: 'device', id: 'D000001' });
    expect(parseHash('#/devices/D%2F1')).toEqual({ name: 'device', id: 'D/1' });
    expect(parseHash('#/users')).toEqual({ name: 'users' });
    expect(parseHash('#/account')).toEqual({ name: 'account' });
    expect(parseHash('#/nope').name).toBe('notfound');
  });
  it('builds device links that parse back', () => {
    const id = 'D 1/x';
    expect(parseHash(deviceHref(id))).toEqual({ name: 'device', id });
  });
});

describe('buildQuery', () => {
  it('leaves out empty values', () => {
    expect(buildQuery({ search: 'D1', medium: '', limit: 50, offset: 0, x: undefined })).toBe('?search=D1&limit=50&offset=0');
    expect(buildQuery({})).toBe('');
  });
  it('encodes RFC 3339 times', () => {
    expect(buildQuery({ from: '2026-11-21T10:00:00Z' })).toBe('?from=2026-11-21T10%3A00%3A00Z');
  });
});

describe('toSeries', () => {
  it('splits points by quality, sorted, skipping bad values', () => {
    const s = toSeries([
      { start: '2026-11-21T11:00:00Z', end: '2026-11-21T12:00:00Z', value: '0.200', quality: 'estimated' },
      { start: '2026-11-21T10:00:00Z', end: '2026-11-21T11:00:00Z', value: '0.120', quality: 'valid' },
      { start: '2026-11-21T12:00:00Z', end: '2026-11-21T13:00:00Z', value: 'oops', quality: 'valid' },
      { start: '2026-11-21T13:00:00Z', end: '2026-11-21T14:00:00Z', value: '1.5', quality: 'suspect' },
    ]);
    expect(s.xs).toEqual([Date.parse('2026-11-21T10:30:00Z') / 1000, Date.parse('2026-11-21T11:30:00Z') / 1000, Date.parse('2026-11-21T13:30:00Z') / 1000]);
    expect(s.valid).toEqual([0.12, null, null]);
    expect(s.estimated).toEqual([null, 0.2, null]);
    expect(s.suspect).toEqual([null, null, 1.5]);
    expect(s.drawn.map((p) => p.value)).toEqual(['0.120', '0.200', '1.5']);
  });
});
