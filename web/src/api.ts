// The REST client. The session is the HttpOnly cookie `meterd_session` that the login sets; the
// console never sees or stores a bearer token. POST, PUT, PATCH and DELETE carry X-CSRF-Token,
// kept in sessionStorage. A 401 sends the user to the login page; a 403 with code
// password_change_required sends them to the account page.
import { ApiError, parseApiError } from './lib/apierror';
import { buildRequest, needsCsrf, parseRetryAfter, sessionFromResponse, type Query, type Session } from './lib/auth';
import type {
  ApiToken,
  AuditEntry,
  Bill,
  BillHold,
  BillingAccount,
  BillingAccountBody,
  BillingCycle,
  BillingZone,
  BillRun,
  BillSummary,
  Command,
  CreatedToken,
  Device,
  List,
  LoginResponse,
  ManagedUser,
  Meter,
  MeterEvent,
  Readings,
  RolesResponse,
  RunRelease,
  ServicePoint,
  Tariff,
} from './types';
import type { AuditVerify } from './lib/audit';
import type { RunBody } from './lib/billing';

export { buildQuery } from './lib/auth';

const BASE = './api/v1';
const CSRF_KEY = 'meterd.csrf';
const SESSION_KEY = 'meterd.session'; // name, role and permissions: not secret, for the page only
const LEGACY_TOKEN_KEY = 'meterd.token';
const LEGACY_USER_KEY = 'meterd.user';

let onUnauthorized: () => void = () => {};
let onPasswordChangeRequired: () => void = () => {};
let session: Session | null = null;

export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function setPasswordChangeHandler(fn: () => void): void {
  onPasswordChangeRequired = fn;
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage can be unavailable (private modes); the page then works for its lifetime only.
  }
}

function load(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

// Earlier versions kept the bearer token in sessionStorage: drop it.
store(LEGACY_TOKEN_KEY, null);
store(LEGACY_USER_KEY, null);

export function getCsrf(): string | null {
  return load(CSRF_KEY);
}

/** The signed-in user as last reported by the server; null before start-up or when signed out. */
export function getSession(): Session | null {
  return session;
}

function setSession(s: Session | null, csrf?: unknown): void {
  session = s;
  if (!s) {
    store(CSRF_KEY, null);
    store(SESSION_KEY, null);
    return;
  }
  if (typeof csrf === 'string' && csrf) store(CSRF_KEY, csrf);
  store(SESSION_KEY, JSON.stringify({ user: s.user, role: s.role, permissions: s.permissions }));
}

/** Forgets the session on this page (the cookie, if any, stays until the server clears it). */
export function clearSession(): void {
  setSession(null);
}

function storedSession(): Session | null {
  const raw = load(SESSION_KEY);
  if (!raw) return null;
  try {
    return sessionFromResponse(JSON.parse(raw));
  } catch {
    return null;
  }
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as an expired session (login, start-up check, wrong current password). */
  noAuthRedirect?: boolean;
  /** Send no X-CSRF-Token (the login: there is no session yet). */
  noCsrf?: boolean;
  /** A body that is not JSON (a tariff's TOML), sent as it is with this Content-Type. */
  raw?: { body: string; type: string };
}

async function send(method: string, path: string, opts: RequestOptions, csrf: string | null): Promise<Response> {
  const { url, init } = buildRequest(BASE, method, path, { query: opts.query, body: opts.body, signal: opts.signal, csrf: opts.noCsrf ? null : csrf });
  if (opts.raw) {
    init.headers['Content-Type'] = opts.raw.type;
    init.body = opts.raw.body;
  }
  return fetch(url, init);
}

async function fail(res: Response): Promise<ApiError> {
  const err = parseApiError(res.status, await res.text(), res.statusText);
  if (res.status === 429) err.retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
  return err;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const unsafe = needsCsrf(method) && !opts.noCsrf;
  let csrf = getCsrf();
  // A tab opened after sign-in has the cookie but no CSRF token yet: ask for it.
  if (unsafe && !csrf) csrf = await refreshCsrf();
  let res = await send(method, path, opts, csrf);
  if (res.status === 403 && unsafe) {
    // The token may be stale (signed in again in another tab): fetch the current one, try once more.
    // The server says "csrf"; any code but a plain permission denial is worth one more try.
    const peek = parseApiError(403, await res.clone().text());
    if (peek.code !== 'password_change_required' && peek.code !== 'forbidden') {
      const fresh = await refreshCsrf();
      if (fresh && fresh !== csrf) res = await send(method, path, opts, fresh);
    }
  }
  if (res.status === 401 && !opts.noAuthRedirect) {
    const err = await fail(res);
    setSession(null);
    onUnauthorized();
    throw err;
  }
  if (!res.ok) {
    const err = await fail(res);
    if (err.status === 403 && err.code === 'password_change_required') {
      if (session) session = { ...session, must_change_password: true };
      onPasswordChangeRequired();
    }
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'internal', 'The server sent a response that is not JSON.');
  }
}

/** GET /auth/me without side effects on failure; the fresh CSRF token, or null. */
async function refreshCsrf(): Promise<string | null> {
  try {
    const { url, init } = buildRequest(BASE, 'GET', '/auth/me');
    const res = await fetch(url, init);
    if (!res.ok) return null;
    const me = (await res.json()) as { csrf?: unknown };
    const s = sessionFromResponse(me);
    if (s) setSession(s, me.csrf);
    return typeof me.csrf === 'string' && me.csrf ? me.csrf : null;
  } catch {
    return null;
  }
}

const enc = encodeURIComponent;

/** The address of an API resource for a plain link (CSV downloads): the cookie goes along. */
export function apiHref(path: string): string {
  return `${BASE}${path}`;
}

type Items<T> = { items: T[] };
type Page<T> = { items: T[]; total: number };

export const api = {
  async login(username: string, password: string): Promise<Session> {
    setSession(null);
    const r = await request<LoginResponse>('POST', '/auth/login', { body: { username, password }, noAuthRedirect: true, noCsrf: true });
    const s = sessionFromResponse(r, username);
    if (!s || typeof r.csrf !== 'string' || !r.csrf) throw new ApiError(500, 'internal', 'The server sent no session.');
    // r.token is deliberately not kept: the cookie carries the session.
    setSession(s, r.csrf);
    if (s.must_change_password) return s;
    // The login answer leaves out the devices and whether the role is device-scoped.
    let full: Session | null;
    try {
      full = await api.me();
    } catch {
      return s; // keep what the login said
    }
    // 401 right after a good login: the browser did not keep (or send) the cookie.
    if (!full) throw new ApiError(401, 'unauthenticated', 'Signed in, but the browser did not keep the session cookie. Allow cookies for this site.');
    return full;
  },

  /**
   * Start-up and refresh: who is signed in. Resolves null when there is no session (401). When
   * the server holds the session back until the password is changed, resolves what is known with
   * must_change_password set.
   */
  async me(redirect = false): Promise<Session | null> {
    try {
      const r = await request<LoginResponse & { devices?: string[] }>('GET', '/auth/me', { noAuthRedirect: !redirect });
      const s = sessionFromResponse(r);
      if (!s) throw new ApiError(500, 'internal', 'The server sent no user.');
      setSession(s, r.csrf);
      return s;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setSession(null);
        return null;
      }
      if (e instanceof ApiError && e.code === 'password_change_required') {
        const known = session ?? storedSession();
        const s: Session = known
          ? { ...known, must_change_password: true }
          : { user: '', role: '', permissions: [], devices: [], scoped: false, expires: '', must_change_password: true };
        session = s;
        return s;
      }
      throw e;
    }
  },

  async logout(): Promise<void> {
    try {
      await request<void>('POST', '/auth/logout', { noAuthRedirect: true });
    } finally {
      setSession(null);
    }
  },

  /** 204 on success. A 401 here means the current password is wrong, not that the session ended. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await request<void>('POST', '/auth/password', { body: { current_password: currentPassword, new_password: newPassword }, noAuthRedirect: true });
    if (session) session = { ...session, must_change_password: false };
  },

  tokens(signal?: AbortSignal) {
    return request<{ items: ApiToken[] }>('GET', '/auth/tokens', { signal });
  },
  createToken(body: { name: string; scopes: string[]; expires_days: number }) {
    return request<CreatedToken>('POST', '/auth/tokens', { body });
  },
  revokeToken(id: string | number) {
    return request<void>('DELETE', `/auth/tokens/${enc(String(id))}`);
  },

  roles(signal?: AbortSignal) {
    return request<RolesResponse>('GET', '/roles', { signal });
  },
  users(signal?: AbortSignal) {
    return request<{ items: ManagedUser[]; total: number }>('GET', '/users', { query: { limit: 1000 }, signal });
  },
  user(name: string, signal?: AbortSignal) {
    return request<ManagedUser>('GET', `/users/${enc(name)}`, { signal });
  },
  createUser(body: { name: string; role: string; password?: string; devices: string[] }) {
    return request<ManagedUser & { password?: string }>('POST', '/users', { body });
  },
  updateUser(name: string, patch: { role?: string; disabled?: boolean; devices?: string[] }) {
    return request<ManagedUser>('PATCH', `/users/${enc(name)}`, { body: patch });
  },
  resetPassword(name: string, password?: string) {
    return request<{ password?: string } | undefined>('POST', `/users/${enc(name)}/password`, { body: password ? { password } : {} });
  },

  devices(q: { search?: string; medium?: string; limit?: number; offset?: number }, signal?: AbortSignal) {
    return request<List<Device>>('GET', '/devices', { query: q, signal });
  },
  device(id: string, signal?: AbortSignal) {
    return request<Device>('GET', `/devices/${enc(id)}`, { signal });
  },
  deviceCommands(id: string, q: { limit?: number } = {}, signal?: AbortSignal) {
    return request<List<Command>>('GET', `/devices/${enc(id)}/commands`, { query: q, signal });
  },
  setOutput(id: string, on: boolean) {
    return request<Command>('POST', `/devices/${enc(id)}/commands`, { body: { type: 'set_output', on } });
  },
  command(id: number, signal?: AbortSignal) {
    return request<Command>('GET', `/commands/${enc(String(id))}`, { signal });
  },
  meter(id: string, signal?: AbortSignal) {
    return request<Meter>('GET', `/meters/${enc(id)}`, { signal });
  },
  present(id: string, signal?: AbortSignal) {
    return request<{ meter: string; items: { name: string; value: string; unit: string; at: string }[] }>(
      'GET',
      `/meters/${enc(id)}/present`,
      { signal },
    );
  },
  readings(id: string, q: { from: string; to: string; resolution: string; channel?: string }, signal?: AbortSignal) {
    return request<Readings>('GET', `/meters/${enc(id)}/readings`, { query: q, signal });
  },
  events(
    q: { device?: string; meter?: string; type?: string; from?: string; to?: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) {
    return request<List<MeterEvent>>('GET', '/events', { query: q, signal });
  },
  audit(q: { actor?: string; action?: string; target?: string; from?: string; to?: string; limit?: number; offset?: number }, signal?: AbortSignal) {
    return request<List<AuditEntry>>('GET', '/audit', { query: q, signal });
  },
  verifyAudit(signal?: AbortSignal) {
    return request<AuditVerify>('GET', '/audit/verify', { signal });
  },

  // ---- billing ----
  tariffs(signal?: AbortSignal) {
    return request<Items<Tariff>>('GET', '/tariffs', { signal });
  },
  tariff(id: string, signal?: AbortSignal) {
    return request<Tariff>('GET', `/tariffs/${enc(id)}`, { signal });
  },
  /** 400 with the file, line and reason when the TOML is refused. */
  putTariff(id: string, toml: string) {
    return request<Tariff>('PUT', `/tariffs/${enc(id)}`, { raw: { body: toml, type: 'application/toml' } });
  },
  zones(signal?: AbortSignal) {
    return request<Items<BillingZone>>('GET', '/billing/zones', { signal });
  },
  putZone(id: string, body: { key: boolean; sample_size: number }) {
    return request<BillingZone>('PUT', `/billing/zones/${enc(id)}`, { body });
  },
  cycles(signal?: AbortSignal) {
    return request<Items<BillingCycle>>('GET', '/billing/cycles', { signal });
  },
  servicePoint(id: string, signal?: AbortSignal) {
    return request<ServicePoint>('GET', `/service-points/${enc(id)}`, { signal });
  },
  putServicePoint(id: string, body: { meter: string; since: string }) {
    return request<ServicePoint>('PUT', `/service-points/${enc(id)}`, { body });
  },
  accounts(q: { cycle?: string; search?: string; limit?: number; offset?: number }, signal?: AbortSignal) {
    return request<Page<BillingAccount>>('GET', '/accounts', { query: q, signal });
  },
  account(id: string, signal?: AbortSignal) {
    return request<BillingAccount>('GET', `/accounts/${enc(id)}`, { signal });
  },
  putAccount(id: string, body: BillingAccountBody) {
    return request<BillingAccount>('PUT', `/accounts/${enc(id)}`, { body });
  },
  billRuns(signal?: AbortSignal) {
    return request<Items<BillRun>>('GET', '/bill-runs', { signal });
  },
  billRun(id: string | number, signal?: AbortSignal) {
    return request<BillRun>('GET', `/bill-runs/${enc(String(id))}`, { signal });
  },
  /** 202: the run goes on in the background; the same cycle and period resume the same run. */
  startRun(body: RunBody) {
    return request<BillRun>('POST', '/bill-runs', { body });
  },
  runHolds(id: string | number, signal?: AbortSignal) {
    return request<Items<BillHold>>('GET', `/bill-runs/${enc(String(id))}/holds`, { signal });
  },
  releaseRun(id: string | number) {
    return request<RunRelease>('POST', `/bill-runs/${enc(String(id))}/release`, { body: {} });
  },
  bills(q: { run?: string | number; account?: string; state?: string; review?: 1; limit?: number; offset?: number }, signal?: AbortSignal) {
    return request<Page<BillSummary>>('GET', '/bills', { query: q, signal });
  },
  bill(id: string | number, signal?: AbortSignal) {
    return request<Bill>('GET', `/bills/${enc(String(id))}`, { signal });
  },
  reviewBill(id: string | number, body: { decision: 'approve' | 'reject'; note: string }) {
    return request<Bill>('POST', `/bills/${enc(String(id))}/review`, { body });
  },
  rebill(id: string | number) {
    return request<Bill>('POST', `/bills/${enc(String(id))}/rebill`, { body: {} });
  },
  releaseBill(id: string | number) {
    return request<Bill>('POST', `/bills/${enc(String(id))}/release`, { body: {} });
  },
};
