import { describe, expect, it } from 'vitest';
import { formatAuditDetail, verifyVerdict } from '../../src/lib/audit';
import { parseHash } from '../../src/router';

describe('verifyVerdict', () => {
  it('reports an intact chain', () => {
    expect(verifyVerdict({ ok: true, entries: 1204, first_broken: null })).toEqual({ ok: true, text: 'Audit chain OK: 1,204 entries verified.' });
    expect(verifyVerdict({ ok: true, entries: 1, first_broken: null }).text).toBe('Audit chain OK: 1 entry verified.');
  });
  it('names the first broken entry', () => {
    expect(verifyVerdict({ ok: false, entries: 4, first_broken: { seq: 5, reason: 'hash does not match' } })).toEqual({
      ok: false,
      text: 'Audit chain BROKEN at entry 5: hash does not match',
    });
  });
  it('never reports OK for a malformed answer', () => {
    expect(verifyVerdict(null).ok).toBe(false);
    expect(verifyVerdict({} as never).ok).toBe(false);
  });
});

describe('formatAuditDetail', () => {
  it('flattens JSON objects and keeps text', () => {
    expect(formatAuditDetail('{"command":17,"type":"set_output","argument":1}')).toBe('command=17, type=set_output, argument=1');
    expect(formatAuditDetail('plain words')).toBe('plain words');
    expect(formatAuditDetail('{broken')).toBe('{broken');
    expect(formatAuditDetail('')).toBe('');
    expect(formatAuditDetail(undefined)).toBe('');
  });
});

describe('audit route', () => {
  it('parses #/audit', () => {
    expect(parseHash('#/audit')).toEqual({ name: 'audit' });
  });
});
