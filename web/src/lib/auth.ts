// Pure pieces of sign-in and roles: the session the console knows about, which pages and actions a
// set of permissions allows, the request builder (cookie + CSRF), and form checks.

// `self` (one's own session, password and tokens) is held by every role.
export const PERMISSIONS = [
  'self',
  'fleet:read',
  'readings:read',
  'commands:send',
  'audit:read',
  'users:manage',
  'metrics:read',
  'billing:read',
  'billing:run',
  'billing:review',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What the console knows about the signed-in user (from the login answer or GET /auth/me). */
export interface Session {
  user: string;
  role: string;
  permissions: string[];
  devices: string[];
  /** The role sees only the devices listed on the user (GET /auth/me says so; the login does not). */
  scoped: boolean;
  must_change_password: boolean;
  expires: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * A Session from the login answer or GET /auth/me. `user` is the user's name; an object with a
 * `name` is accepted too. Returns null when the answer names no user.
 */
export function sessionFromResponse(r: unknown, fallbackUser = ''): Session | null {
  if (!r || typeof r !== 'object') return null;
  const o = r as Record<string, unknown>;
  let user = '';
  if (typeof o.user === 'string') user = o.user;
  else if (o.user && typeof o.user === 'object' && typeof (o.user as { name?: unknown }).name === 'string') user = (o.user as { name: string }).name;
  if (!user) user = fallbackUser;
  if (!user) return null;
  return {
    user,
    role: typeof o.role === 'string' ? o.role : '',
    permissions: strings(o.permissions),
    devices: strings(o.devices),
    scoped: o.scoped === true,
    must_change_password: o.must_change_password === true,
    expires: typeof o.expires === 'string' ? o.expires : '',
  };
}

type SessionLike = (Pick<Session, 'permissions'> & { scoped?: boolean }) | null | undefined;

export function can(session: Pick<Session, 'permissions'> | null | undefined, perm: Permission): boolean {
  return !!session && Array.isArray(session.permissions) && session.permissions.includes(perm);
}

// ---- pages ----------------------------------------------------------------------------------

export type PageName = 'fleet' | 'events' | 'audit' | 'users';

export interface NavItem {
  page: PageName;
  label: string;
  href: string;
  testid: string;
  needs: Permission;
  /** Not for device-scoped roles: the server answers them 403 there. */
  unscoped?: boolean;
}

/** The header's pages, in order, with the permission each needs. */
export const NAV: readonly NavItem[] = [
  { page: 'fleet', label: 'Fleet', href: '#/fleet', testid: 'nav-fleet', needs: 'fleet:read' },
  { page: 'events', label: 'Events', href: '#/events', testid: 'nav-events', needs: 'fleet:read', unscoped: true },
  { page: 'audit', label: 'Audit', href: '#/audit', testid: 'nav-audit', needs: 'audit:read' },
  { page: 'users', label: 'Users', href: '#/users', testid: 'nav-users', needs: 'users:manage' },
];

/** The header entries a session may see. */
export function navItems(session: SessionLike): NavItem[] {
  return NAV.filter((n) => can(session, n.needs) && !(n.unscoped && session?.scoped));
}

/** The permission a route needs; null for routes every signed-in user may open. */
export function routePermission(route: string): Permission | null {
  switch (route) {
    case 'fleet':
    case 'device':
    case 'events':
      return 'fleet:read';
    case 'audit':
      return 'audit:read';
    case 'users':
      return 'users:manage';
    default:
      return null; // account, login, not found
  }
}

export function routeAllowed(session: SessionLike, route: string): boolean {
  const p = routePermission(route);
  if (route === 'events' && session?.scoped) return false;
  return p === null || can(session, p);
}

/** Where "#/" leads: the first page the session may see, else the account page. */
export function homeHash(session: SessionLike): string {
  return navItems(session)[0]?.href ?? '#/account';
}

// ---- requests -------------------------------------------------------------------------------

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for the methods that must carry X-CSRF-Token. */
export function needsCsrf(method: string): boolean {
  return UNSAFE.has(method.toUpperCase());
}

export type Query = Record<string, string | number | boolean | null | undefined>;

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

export interface BuiltRequest {
  url: string;
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    credentials: 'same-origin';
    signal?: AbortSignal;
  };
}

/**
 * The fetch() arguments of an API call. The session travels in the HttpOnly cookie
 * (credentials: same-origin); never an Authorization header. POST, PUT, PATCH and DELETE carry
 * the CSRF token when there is one.
 */
export function buildRequest(
  base: string,
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; csrf?: string | null; signal?: AbortSignal } = {},
): BuiltRequest {
  const m = method.toUpperCase();
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (needsCsrf(m) && opts.csrf) headers['X-CSRF-Token'] = opts.csrf;
  const init: BuiltRequest['init'] = { method: m, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = body;
  if (opts.signal) init.signal = opts.signal;
  return { url: `${base}${path}${buildQuery(opts.query)}`, init };
}

/** Seconds to wait from a Retry-After header (delta seconds or an HTTP date); null if absent. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isFinite(t)) return null;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** "45 s", "3 min", "2 h". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  return `${Math.ceil(s / 3600)} h`;
}

// ---- forms ----------------------------------------------------------------------------------

export const MIN_PASSWORD = 10;

/** Checks a password given as a new password: an error, or null. */
export function passwordProblem(pw: string): string | null {
  if (pw.length < MIN_PASSWORD) return `The password must have at least ${MIN_PASSWORD} characters.`;
  return null;
}

export interface FormError {
  field: string;
  message: string;
}

/** The change-password form: the first problem, or null. */
export function validatePasswordChange(current: string, next: string, repeat: string): FormError | null {
  if (!current) return { field: 'current_password', message: 'Enter your current password.' };
  const p = passwordProblem(next);
  if (p) return { field: 'new_password', message: p };
  if (next !== repeat) return { field: 'repeat', message: 'The new passwords do not match.' };
  if (next === current) return { field: 'new_password', message: 'The new password must differ from the current one.' };
  return null;
}

export const MAX_TOKEN_DAYS = 365;

/** The create-token form: the request body, or the first problem. */
export function validateTokenForm(
  name: string,
  scopes: readonly string[],
  days: string | number,
  allowed: readonly string[],
): { ok: true; body: { name: string; scopes: string[]; expires_days: number } } | { ok: false; error: FormError } {
  const n = name.trim();
  if (!n) return { ok: false, error: { field: 'name', message: 'Give the token a name.' } };
  const picked = [...new Set(scopes)];
  if (picked.length === 0) return { ok: false, error: { field: 'scopes', message: 'Choose at least one scope.' } };
  const extra = picked.filter((s) => !allowed.includes(s));
  if (extra.length) return { ok: false, error: { field: 'scopes', message: `You do not hold ${extra.join(', ')}.` } };
  const d = typeof days === 'number' ? days : /^\s*\d+\s*$/.test(days) ? Number(days) : NaN;
  if (!Number.isInteger(d) || d < 1 || d > MAX_TOKEN_DAYS) {
    return { ok: false, error: { field: 'expires_days', message: `The expiry must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}.` } };
  }
  // Scopes in the order of the permission list, as the checkboxes show them.
  const order = (s: string): number => {
    const i = allowed.indexOf(s);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  picked.sort((a, b) => order(a) - order(b));
  return { ok: true, body: { name: n, scopes: picked, expires_days: d } };
}

/** Scopes a user may put on a token: their own permissions, in the canonical order. */
export function grantableScopes(session: Pick<Session, 'permissions'> | null | undefined): string[] {
  const own = session?.permissions ?? [];
  const known = PERMISSIONS.filter((p) => own.includes(p));
  const unknown = own.filter((p) => !(PERMISSIONS as readonly string[]).includes(p)).sort();
  return [...known, ...unknown];
}

/** "D1, D2  D3,,D1" -> ["D1", "D2", "D3"]: commas or white space, no empties, no repeats. */
export function parseDeviceList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const id = part.trim();
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

/** User names as the server accepts them. */
export const USER_NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;

export interface NewUserBody {
  name: string;
  role: string;
  password?: string;
  devices: string[];
}

/** The create-user form: the request body, or the first problem. An empty password lets the server generate one. */
export function validateNewUser(
  name: string,
  role: string,
  password: string,
  devicesText: string,
): { ok: true; body: NewUserBody } | { ok: false; error: FormError } {
  const n = name.trim();
  if (!n) return { ok: false, error: { field: 'name', message: 'Enter a user name.' } };
  if (!USER_NAME_RE.test(n)) return { ok: false, error: { field: 'name', message: 'A user name is 1 to 64 of A-Z a-z 0-9 . _ @ -' } };
  if (!role) return { ok: false, error: { field: 'role', message: 'Choose a role.' } };
  const body: NewUserBody = { name: n, role, devices: parseDeviceList(devicesText) };
  if (password) {
    const p = passwordProblem(password);
    if (p) return { ok: false, error: { field: 'password', message: p } };
    body.password = password;
  }
  return { ok: true, body };
}

/** A user's status for the users table. */
export function userStatus(u: { disabled?: boolean; must_change_password?: boolean }): { key: 'disabled' | 'must_change' | 'active'; label: string } {
  if (u.disabled) return { key: 'disabled', label: 'Disabled' };
  if (u.must_change_password) return { key: 'must_change', label: 'Must change password' };
  return { key: 'active', label: 'Active' };
}

/** The devices column: "all devices" for roles that are not device-scoped. */
export function devicesLabel(devices: readonly string[] | null | undefined, scoped: boolean | undefined): string {
  const d = devices ?? [];
  if (d.length) return d.join(', ');
  return scoped === false ? 'all devices' : scoped ? 'none' : '—';
}

/** The role a new user starts with: the least privileged by name if present, else the first. */
export function defaultRole(roles: readonly { name: string }[]): string {
  return roles.find((r) => r.name === 'viewer')?.name ?? roles[0]?.name ?? '';
}
