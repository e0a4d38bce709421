// The REST client against a fake fetch: cookie session, CSRF header, and the 401/403 handling.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Call = { url: string; init: RequestInit & { headers: Record<string, string> } };
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

let calls: Call[] = [];
let replies: Reply[] = [];
let storage: Map<string, string>;

function fakeStorage(): Storage {
  return {
    getItem: (k: string) => (storage.has(k) ? storage.get(k)! : null),
    setItem: (k: string, v: string) => void storage.set(k, String(v)),
    removeItem: (k: string) => void storage.delete(k),
    clear: () => storage.clear(),
    key: (i: number) => [...storage.keys()][i] ?? null,
    get length() {
      return storage.size;
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });
const apiError = (status: number, code: string, message = 'm', field = ''): Reply => json(status, { error: { code, message, field } });
const ME = { user: 'ann', role: 'viewer', permissions: ['fleet:read'], devices: ['D1'], must_change_password: false, csrf: 'c2', expires: '2026-11-21T18:00:00Z' };
const LOGIN = { token: 'BEARER-SECRET', expires: '2026-11-21T18:00:00Z', user: 'ann', role: 'operator', permissions: ['fleet:read', 'commands:send'], csrf: 'c1', must_change_password: false };

async function load() {
  vi.resetModules();
  return import('../../src/api');
}

beforeEach(() => {
  calls = [];
  replies = [];
  storage = new Map([['meterd.token', 'old-bearer'], ['meterd.user', 'old']]);
  vi.stubGlobal('sessionStorage', fakeStorage());
  vi.stubGlobal('fetch', async (url: string, init: Call['init']) => {
    calls.push({ url, init });
    const r = replies.shift();
    if (!r) throw new Error(`unexpected request ${init.method} ${url}`);
    return new Response(r.status === 204 ? null : JSON.stringify(r.body ?? null), { status: r.status, headers: { 'Content-Type': 'application/json', ...r.headers } });
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('forgets a stored bearer token from earlier versions', async () => {
    await load();
    expect(storage.has('meterd.token')).toBe(false);
    expect(storage.has('meterd.user')).toBe(false);
  });

  it('logs in without keeping the token; later writes carry the CSRF token and the cookie', async () => {
    const { api, getCsrf, getSession } = await load();
    // The login, then /auth/me for what the login leaves out (devices, scoped).
    replies.push(json(200, LOGIN), json(200, { ...ME, role: 'operator', permissions: LOGIN.permissions, csrf: 'c1', scoped: true }));
    const s = await api.login('ann', 'pw');
    expect(s).toMatchObject({ role: 'operator', devices: ['D1'], scoped: true });
    expect(calls[0].url).toBe('./api/v1/auth/login');
    expect(calls[0].init.credentials).toBe('same-origin');
    expect(calls[0].init.headers['X-CSRF-Token']).toBeUndefined();
    expect(calls[1].url).toBe('./api/v1/auth/me');
    expect(calls[1].init.credentials).toBe('same-origin');
    expect(calls[1].init.headers.Authorization).toBeUndefined();
    expect(getCsrf()).toBe('c1');
    expect(getSession()?.permissions).toEqual(['fleet:read', 'commands:send']);
    expect([...storage.values()].join(' ')).not.toContain('BEARER-SECRET');
    expect(JSON.stringify(getSession())).not.toContain('BEARER-SECRET');

    replies.push(json(201, { id: 1, device: 'D1', type: 'set_output', argument: 1, state: 'pending' }));
    await api.setOutput('D1', true);
    expect(calls[2].init.method).toBe('POST');
    expect(calls[2].init.headers['X-CSRF-Token']).toBe('c1');
    expect(calls[2].init.headers.Authorization).toBeUndefined();
    expect(calls[2].init.credentials).toBe('same-origin');

    replies.push(json(200, { items: [], total: 0, limit: 50, offset: 0 }));
    await api.devices({});
    expect(calls[3].init.headers['X-CSRF-Token']).toBeUndefined();
  });

  it('refuses a login answer without a CSRF token', async () => {
    const { api } = await load();
    replies.push(json(200, { ...LOGIN, csrf: '' }));
    await expect(api.login('ann', 'pw')).rejects.toThrow(/no session/);
  });

  it('says so when the browser did not keep the cookie', async () => {
    const { api } = await load();
    replies.push(json(200, LOGIN), apiError(401, 'unauthenticated'));
    await expect(api.login('ann', 'pw')).rejects.toThrow(/cookie/);
  });

  it('asks nothing more after a login that must change the password', async () => {
    const { api } = await load();
    replies.push(json(200, { ...LOGIN, permissions: ['self'], must_change_password: true }));
    expect(await api.login('ann', 'pw')).toMatchObject({ must_change_password: true, permissions: ['self'] });
    expect(calls).toHaveLength(1);
  });

  it('sends a 401 to the login page and forgets the CSRF token', async () => {
    const { api, getCsrf, setUnauthorizedHandler } = await load();
    storage.set('meterd.csrf', 'c1');
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    replies.push(apiError(401, 'unauthenticated'));
    await expect(api.devices({})).rejects.toMatchObject({ status: 401 });
    expect(onUnauth).toHaveBeenCalledTimes(1);
    expect(getCsrf()).toBeNull();
  });

  it('sends password_change_required to the account page', async () => {
    const { api, getSession, setPasswordChangeHandler } = await load();
    replies.push(json(200, LOGIN), json(200, ME));
    await api.login('ann', 'pw');
    const onChange = vi.fn();
    setPasswordChangeHandler(onChange);
    replies.push(apiError(403, 'password_change_required'));
    await expect(api.devices({})).rejects.toMatchObject({ code: 'password_change_required' });
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(getSession()?.must_change_password).toBe(true);
  });

  it('retries a write once with a fresh CSRF token when the stored one is stale', async () => {
    const { api, getCsrf } = await load();
    storage.set('meterd.csrf', 'stale');
    replies.push(apiError(403, 'csrf', 'missing or wrong X-CSRF-Token header'), json(200, ME), json(201, { id: 'k', token: 't', name: 'n', scopes: [], created: '', expires: '' }));
    await api.createToken({ name: 'n', scopes: ['fleet:read'], expires_days: 3 });
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(['POST ./api/v1/auth/tokens', 'GET ./api/v1/auth/me', 'POST ./api/v1/auth/tokens']);
    expect(calls[0].init.headers['X-CSRF-Token']).toBe('stale');
    expect(calls[2].init.headers['X-CSRF-Token']).toBe('c2');
    expect(getCsrf()).toBe('c2');
  });

  it('does not retry a real permission denial', async () => {
    const { api } = await load();
    storage.set('meterd.csrf', 'c2');
    replies.push(apiError(403, 'forbidden', 'needs commands:send'));
    await expect(api.setOutput('D1', true)).rejects.toMatchObject({ status: 403, code: 'forbidden', message: 'needs commands:send' });
    expect(calls).toHaveLength(1);
  });

  it('gives up after one retry when the fresh CSRF token is refused too', async () => {
    const { api } = await load();
    storage.set('meterd.csrf', 'stale');
    replies.push(apiError(403, 'csrf'), json(200, ME), apiError(403, 'csrf', 'still wrong'));
    await expect(api.updateUser('bo', { disabled: true })).rejects.toMatchObject({ code: 'csrf', message: 'still wrong' });
    expect(calls).toHaveLength(3);
    expect(calls[2].init.method).toBe('PATCH');
  });

  it('asks for a CSRF token before a write when it has none (a new tab)', async () => {
    const { api } = await load();
    replies.push(json(200, ME), json(204, null));
    await api.revokeToken('a/b');
    expect(calls[0].url).toBe('./api/v1/auth/me');
    expect(calls[1].url).toBe('./api/v1/auth/tokens/a%2Fb');
    expect(calls[1].init.method).toBe('DELETE');
    expect(calls[1].init.headers['X-CSRF-Token']).toBe('c2');
  });

  it('me() answers null on 401 without redirecting, and the session otherwise', async () => {
    const { api, getSession, setUnauthorizedHandler } = await load();
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    replies.push(apiError(401, 'unauthenticated'));
    expect(await api.me()).toBeNull();
    expect(onUnauth).not.toHaveBeenCalled();
    replies.push(json(200, ME));
    expect((await api.me())?.devices).toEqual(['D1']);
    expect(getSession()?.user).toBe('ann');
  });

  it('me() keeps what it knows when the password must be changed first', async () => {
    const { api } = await load();
    replies.push(json(200, { ...LOGIN, must_change_password: true }));
    await api.login('ann', 'pw');
    replies.push(apiError(403, 'password_change_required'));
    const s = await api.me();
    expect(s).toMatchObject({ user: 'ann', must_change_password: true });
  });

  it('a wrong current password (401) does not end the session', async () => {
    const { api, getCsrf, setUnauthorizedHandler } = await load();
    storage.set('meterd.csrf', 'c1');
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    replies.push(apiError(401, 'unauthenticated', 'current password is wrong'));
    await expect(api.changePassword('bad', 'newpassword1')).rejects.toMatchObject({ status: 401 });
    expect(onUnauth).not.toHaveBeenCalled();
    expect(getCsrf()).toBe('c1');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ current_password: 'bad', new_password: 'newpassword1' });
  });

  it('reads Retry-After of a lockout', async () => {
    const { api } = await load();
    replies.push({ ...apiError(429, 'too_many_requests', 'locked'), headers: { 'Retry-After': '300' } });
    await expect(api.login('ann', 'pw')).rejects.toMatchObject({ status: 429, retryAfter: 300 });
  });

  it('logs out with the CSRF token and forgets it even if the server fails', async () => {
    const { api, getCsrf } = await load();
    storage.set('meterd.csrf', 'c1');
    replies.push(json(500, { error: { code: 'internal', message: 'x' } }));
    await expect(api.logout()).rejects.toMatchObject({ status: 500 });
    expect(calls[0].init.headers['X-CSRF-Token']).toBe('c1');
    expect(getCsrf()).toBeNull();
  });

  it('resets a password with an empty body unless one is given', async () => {
    const { api } = await load();
    storage.set('meterd.csrf', 'c1');
    replies.push(json(200, { password: 'generated-pw' }), json(200, {}));
    expect(await api.resetPassword('bo')).toEqual({ password: 'generated-pw' });
    await api.resetPassword('bo', 'chosen-password');
    expect(calls[0].init.body).toBe('{}');
    expect(calls[1].init.body).toBe('{"password":"chosen-password"}');
    expect(calls[0].url).toBe('./api/v1/users/bo/password');
  });

  it('asks for all users at once', async () => {
    const { api } = await load();
    replies.push(json(200, { items: [], total: 0, limit: 1000, offset: 0 }));
    await api.users();
    expect(calls[0].url).toBe('./api/v1/users?limit=1000');
  });
});
