import { describe, expect, it } from 'vitest';
import { formatInterval, fromLocalInput, parseTime, relativeTime, toLocalInput, toRfc3339 } from '../../src/lib/time';

const NOW = Date.parse('2026-11-21T10:15:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe('relativeTime', () => {
  it('says never for a missing time', () => {
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime(undefined, NOW)).toBe('never');
    expect(relativeTime('not a time', NOW)).toBe('never');
  });
  it('rounds to the largest sensible unit', () => {
    expect(relativeTime(ago(10_000), NOW)).toBe('just now');
    expect(relativeTime(ago(60_000), NOW)).toBe('1 min ago');
    expect(relativeTime(ago(3 * 60_000), NOW)).toBe('3 min ago');
    expect(relativeTime(ago(3 * 60_000 + 20_000), NOW)).toBe('3 min ago');
    expect(relativeTime(ago(59 * 60_000), NOW)).toBe('59 min ago');
    expect(relativeTime(ago(2 * 3600_000 + 59 * 60_000), NOW)).toBe('2 h ago');
    expect(relativeTime(ago(3 * 86400_000), NOW)).toBe('3 d ago');
    expect(relativeTime(ago(90 * 86400_000), NOW)).toBe('3 mo ago');
    expect(relativeTime(ago(800 * 86400_000), NOW)).toBe('2 y ago');
  });
  it('handles the future (clock skew)', () => {
    expect(relativeTime(ago(-5 * 60_000), NOW)).toBe('in 5 min');
    expect(relativeTime(ago(-5_000), NOW)).toBe('in a moment');
  });
  it('reads RFC 3339 with Z', () => {
    expect(relativeTime('2026-11-21T10:12:00Z', NOW)).toBe('3 min ago');
  });
});

describe('RFC 3339', () => {
  it('writes UTC without fractions', () => {
    expect(toRfc3339(Date.parse('2026-11-21T10:15:00.789Z'))).toBe('2026-11-21T10:15:00Z');
    expect(toRfc3339(0)).toBe('1970-01-01T00:00:00Z');
  });
  it('parses or gives null', () => {
    expect(parseTime('2026-11-21T10:15:00Z')).toBe(NOW);
    expect(parseTime('')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
  });
});

describe('datetime-local inputs', () => {
  it('round-trips local minutes', () => {
    const t = new Date(2026, 10, 21, 8, 30).getTime();
    expect(toLocalInput(t)).toBe('2026-11-21T08:30');
    expect(fromLocalInput('2026-11-21T08:30')).toBe(t);
  });
  it('rejects junk', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('21/11/2026 08:30')).toBeNull();
  });
});

describe('formatInterval', () => {
  it('picks a unit', () => {
    expect(formatInterval(900)).toBe('15 min');
    expect(formatInterval(3600)).toBe('1 h');
    expect(formatInterval(86400)).toBe('1 d');
    expect(formatInterval(45)).toBe('45 s');
    expect(formatInterval(null)).toBe('—');
  });
});
