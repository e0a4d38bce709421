import { describe, expect, it } from 'vitest';
import {
  NAV,
  buildRequest,
  can,
  defaultRole,
  devicesLabel,
  formatWait,
  grantableScopes,
  homeHash,
  navItems,
  needsCsrf,
  parseDeviceList,
  parseRetryAfter,
  routeAllowed,
  routePermission,
  sessionFromResponse,
  userStatus,
  validateNewUser,
  validatePasswordChange,
  validateTokenForm,
} from '../../src/lib/auth';

const admin = { permissions: ['fleet:read', 'readings:read', 'commands:send', 'audit:read', 'users:manage', 'metrics:read'] };
const viewer = { permissions: ['fleet:read', 'readings:read'] };
const auditor = { permissions: ['audit:read'] };
const nobody = { permissions: [] as string[] };

describe('sessionFromResponse', () => {
  it('reads the login answer and drops nothing it needs', () => {
    const s = sessionFromResponse({
      token: 'secret',
      expires: '2026-11-21T18:00:00Z',
      user: 'ann',
      role: 'viewer',
      permissions: ['fleet:read', 7, 'readings:read'],
      csrf: 'c1',
      must_change_password: true,
    });
    expect(s).toEqual({
      user: 'ann',
      role: 'viewer',
      permissions: ['fleet:read', 'readings:read'],
      devices: [],
      scoped: false,
      must_change_password: true,
      expires: '2026-11-21T18:00:00Z',
    });
    expect(JSON.stringify(s)).not.toContain('secret');
  });
  it('reads /auth/me with devices; accepts a user object; needs a name', () => {
    expect(sessionFromResponse({ user: 'bo', role: 'r', permissions: [], devices: ['D1'], scoped: true, must_change_password: false })).toMatchObject({ devices: ['D1'], scoped: true });
    expect(sessionFromResponse({ user: { name: 'cy' } })?.user).toBe('cy');
    expect(sessionFromResponse({ role: 'x' }, 'fallback')?.user).toBe('fallback');
    expect(sessionFromResponse({ role: 'x' })).toBeNull();
    expect(sessionFromResponse(null)).toBeNull();
    expect(sessionFromResponse({ user: 'dee', must_change_password: 'yes' })?.must_change_password).toBe(false);
  });
});

describe('permissions -> pages', () => {
  it('can() checks one permission', () => {
    expect(can(admin, 'commands:send')).toBe(true);
    expect(can(viewer, 'commands:send')).toBe(false);
    expect(can(null, 'fleet:read')).toBe(false);
  });
  it('shows Audit only with audit:read and Users only with users:manage', () => {
    expect(navItems(admin).map((n) => n.page)).toEqual(['fleet', 'events', 'audit', 'users']);
    expect(navItems(viewer).map((n) => n.testid)).toEqual(['nav-fleet', 'nav-events']);
    expect(navItems(auditor).map((n) => n.page)).toEqual(['audit']);
    expect(navItems(nobody)).toEqual([]);
    expect(navItems(null)).toEqual([]);
    expect(NAV.find((n) => n.page === 'users')?.needs).toBe('users:manage');
  });
  it('leaves Events out for device-scoped roles (the server refuses them the event list)', () => {
    const customer = { permissions: ['self', 'fleet:read', 'readings:read'], scoped: true };
    expect(navItems(customer).map((n) => n.page)).toEqual(['fleet']);
    expect(routeAllowed(customer, 'events')).toBe(false);
    expect(routeAllowed(customer, 'device')).toBe(true);
    expect(routeAllowed({ ...customer, scoped: false }, 'events')).toBe(true);
  });
  it('shows nothing but the account while only self is held (password must change)', () => {
    expect(navItems({ permissions: ['self'] })).toEqual([]);
    expect(homeHash({ permissions: ['self'] })).toBe('#/account');
  });
  it('gates routes', () => {
    expect(routePermission('device')).toBe('fleet:read');
    expect(routePermission('account')).toBeNull();
    expect(routeAllowed(viewer, 'audit')).toBe(false);
    expect(routeAllowed(viewer, 'users')).toBe(false);
    expect(routeAllowed(viewer, 'device')).toBe(true);
    expect(routeAllowed(nobody, 'account')).toBe(true);
    expect(routeAllowed(admin, 'users')).toBe(true);
  });
  it('picks a home page the role may see', () => {
    expect(homeHash(admin)).toBe('#/fleet');
    expect(homeHash(auditor)).toBe('#/audit');
    expect(homeHash(nobody)).toBe('#/account');
  });
});

describe('buildRequest', () => {
  it('sends the cookie, never a bearer token, and no CSRF header on GET', () => {
    const r = buildRequest('./api/v1', 'get', '/devices', { query: { search: 'D1', medium: '' }, csrf: 'tok' });
    expect(r.url).toBe('./api/v1/devices?search=D1');
    expect(r.init.method).toBe('GET');
    expect(r.init.credentials).toBe('same-origin');
    expect(r.init.headers).toEqual({ Accept: 'application/json' });
    expect(r.init.body).toBeUndefined();
  });
  it('adds X-CSRF-Token to POST, PUT, PATCH and DELETE', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'patch']) {
      const r = buildRequest('B', m, '/x', { csrf: 'c-123' });
      expect(r.init.headers['X-CSRF-Token']).toBe('c-123');
      expect(r.init.headers.Authorization).toBeUndefined();
    }
    for (const m of ['GET', 'HEAD', 'OPTIONS']) expect(buildRequest('B', m, '/x', { csrf: 'c' }).init.headers['X-CSRF-Token']).toBeUndefined();
    expect(needsCsrf('delete')).toBe(true);
    expect(needsCsrf('GET')).toBe(false);
  });
  it('leaves the header out when there is no token (the login)', () => {
    const r = buildRequest('B', 'POST', '/auth/login', { body: { username: 'a', password: 'b' }, csrf: null });
    expect(r.init.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'application/json' });
    expect(r.init.body).toBe('{"username":"a","password":"b"}');
  });
});

describe('Retry-After', () => {
  it('reads seconds and dates', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
  it('formats a wait', () => {
    expect(formatWait(5)).toBe('5 s');
    expect(formatWait(61)).toBe('2 min');
    expect(formatWait(7200)).toBe('2 h');
  });
});

describe('validatePasswordChange', () => {
  it('checks current, length, repeat and change', () => {
    expect(validatePasswordChange('', 'abcdefghij', 'abcdefghij')?.field).toBe('current_password');
    expect(validatePasswordChange('old', 'short', 'short')).toEqual({ field: 'new_password', message: 'The password must have at least 10 characters.' });
    expect(validatePasswordChange('old', '123456789', '123456789')?.field).toBe('new_password');
    expect(validatePasswordChange('old', 'abcdefghij', 'abcdefghiJ')?.field).toBe('repeat');
    expect(validatePasswordChange('abcdefghij', 'abcdefghij', 'abcdefghij')?.field).toBe('new_password');
    expect(validatePasswordChange('old', '1234567890', '1234567890')).toBeNull();
  });
});

describe('validateTokenForm', () => {
  const own = ['fleet:read', 'readings:read'];
  it('builds the body', () => {
    expect(validateTokenForm('  export ', ['readings:read', 'fleet:read', 'fleet:read'], '30', own)).toEqual({
      ok: true,
      body: { name: 'export', scopes: ['fleet:read', 'readings:read'], expires_days: 30 },
    });
    expect(validateTokenForm('x', ['fleet:read'], 365, own).ok).toBe(true);
  });
  it('refuses what the server would', () => {
    const field = (r: ReturnType<typeof validateTokenForm>): string => (r.ok ? '' : r.error.field);
    expect(field(validateTokenForm(' ', ['fleet:read'], '30', own))).toBe('name');
    expect(field(validateTokenForm('x', [], '30', own))).toBe('scopes');
    expect(field(validateTokenForm('x', ['users:manage'], '30', own))).toBe('scopes');
    for (const d of ['0', '366', '1.5', '', 'ten', -1]) expect(field(validateTokenForm('x', ['fleet:read'], d, own))).toBe('expires_days');
  });
});

describe('grantableScopes', () => {
  it('offers only the user’s own permissions, in the canonical order', () => {
    expect(grantableScopes({ permissions: ['users:manage', 'fleet:read', 'zz:custom', 'self'] })).toEqual(['self', 'fleet:read', 'users:manage', 'zz:custom']);
    expect(grantableScopes(null)).toEqual([]);
  });
});

describe('users forms', () => {
  it('parses device lists', () => {
    expect(parseDeviceList(' D1, D2  D3,,D1;D4 ')).toEqual(['D1', 'D2', 'D3', 'D4']);
    expect(parseDeviceList('  ')).toEqual([]);
  });
  it('validates a new user; an empty password is left to the server', () => {
    expect(validateNewUser(' ann ', 'viewer', '', 'D1, D2')).toEqual({ ok: true, body: { name: 'ann', role: 'viewer', devices: ['D1', 'D2'] } });
    expect(validateNewUser('ann', 'viewer', 'longenough1', '')).toEqual({ ok: true, body: { name: 'ann', role: 'viewer', devices: [], password: 'longenough1' } });
    const f = (r: ReturnType<typeof validateNewUser>): string => (r.ok ? '' : r.error.field);
    expect(f(validateNewUser('', 'viewer', '', ''))).toBe('name');
    expect(f(validateNewUser('a b', 'viewer', '', ''))).toBe('name');
    expect(f(validateNewUser('ann/x', 'viewer', '', ''))).toBe('name');
    expect(f(validateNewUser('x'.repeat(65), 'viewer', '', ''))).toBe('name');
    expect(validateNewUser('ann.o_k-1@site', 'viewer', '', '').ok).toBe(true);
    expect(f(validateNewUser('ann', '', '', ''))).toBe('role');
    expect(f(validateNewUser('ann', 'viewer', 'short', ''))).toBe('password');
  });
  it('labels status and devices', () => {
    expect(userStatus({ disabled: true, must_change_password: true }).key).toBe('disabled');
    expect(userStatus({ disabled: false, must_change_password: true }).label).toBe('Must change password');
    expect(userStatus({}).key).toBe('active');
    expect(devicesLabel(['D1', 'D2'], true)).toBe('D1, D2');
    expect(devicesLabel([], false)).toBe('all devices');
    expect(devicesLabel([], true)).toBe('none');
    expect(devicesLabel(undefined, undefined)).toBe('—');
  });
  it('defaults new users to the viewer role', () => {
    expect(defaultRole([{ name: 'admin' }, { name: 'viewer' }])).toBe('viewer');
    expect(defaultRole([{ name: 'operator' }])).toBe('operator');
    expect(defaultRole([])).toBe('');
  });
});
