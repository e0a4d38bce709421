// The REST client: bearer token in sessionStorage, errors as ApiError, 401 sends the user to login.
import { ApiError, parseApiError } from './lib/apierror';
import type { AuditEntry, Command, Device, List, LoginResponse, Meter, MeterEvent, Readings } from './types';
import type { AuditVerify } from './lib/audit';

const BASE = './api/v1';
const TOKEN_KEY = 'meterd.token';
const USER_KEY = 'meterd.user';

type Query = Record<string, string | number | boolean | null | undefined>;

let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function getUserName(): string | null {
  try {
    return sessionStorage.getItem(USER_KEY);
  } catch {
    return null;
  }
}

function setSession(token: string | null, user?: string): void {
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    if (user) sessionStorage.setItem(USER_KEY, user);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  }
}

export function buildQuery(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as an expired session (the login itself). */
  noAuthRedirect?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${BASE}${path}${buildQuery(opts.query)}`, { method, headers, body, signal: opts.signal });
  if (res.status === 401 && !opts.noAuthRedirect) {
    const err = parseApiError(res.status, await res.text(), res.statusText);
    setSession(null);
    onUnauthorized();
    throw err;
  }
  if (!res.ok) throw parseApiError(res.status, await res.text(), res.statusText);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'internal', 'The server sent a response that is not JSON.');
  }
}

const enc = encodeURIComponent;

export const api = {
  async login(username: string, password: string): Promise<LoginResponse> {
    const r = await request<LoginResponse>('POST', '/auth/login', { body: { username, password }, noAuthRedirect: true });
    if (!r || typeof r.token !== 'string' || !r.token) throw new ApiError(500, 'internal', 'The server sent no token.');
    setSession(r.token, username);
    return r;
  },
  async logout(): Promise<void> {
    try {
      if (getToken()) await request<void>('POST', '/auth/logout', { noAuthRedirect: true });
    } finally {
      setSession(null);
    }
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
};
