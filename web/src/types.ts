// JSON shapes of the meterd REST API v1 (docs/api.md).

export interface Register {
  value: string;
  unit: string;
  at: string;
}

export interface Device {
  id: string;
  meter: string;
  medium: string;
  pulse_weight: string;
  interval_s: number;
  counter_bits: number;
  created: string;
  last_seen: string | null;
  status: string;
  backlog: number;
  output: string;
  acked_seq: number;
  register: Register | null;
}

export interface Meter {
  id: string;
  medium: string;
  device: string;
  time_zone: string;
  interval_s: number;
  channel: string;
  unit: string;
  register: Register | null;
}

export type Quality = 'valid' | 'estimated' | 'suspect';

export interface ReadingPoint {
  start: string;
  end: string;
  value: string;
  quality: Quality | string;
}

export interface Readings {
  meter: string;
  channel: string;
  unit: string;
  resolution: string;
  time_zone: string;
  from: string;
  to: string;
  total: string;
  points: ReadingPoint[];
}

export interface Command {
  id: number;
  device: string;
  type: string;
  argument: number;
  state: string;
  created: string;
  updated: string;
  expires: string;
  result: string;
}

export interface MeterEvent {
  at: string;
  type: string;
  device: string;
  meter: string;
  detail: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
  remote: string;
  hash: string;
}

export interface List<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** POST /auth/login and GET /auth/me. The login's `token` is not kept: the cookie is the session. */
export interface LoginResponse {
  token?: string;
  expires: string;
  user: string;
  role: string;
  permissions: string[];
  devices?: string[];
  csrf: string;
  must_change_password: boolean;
}

/** A session or API token of the signed-in user (GET /auth/tokens). */
export interface ApiToken {
  id: string | number;
  name: string;
  kind: 'session' | 'api' | string;
  scopes: string[];
  created: string;
  expires: string;
  current: boolean;
}

/** POST /auth/tokens: the only answer that holds the token itself. */
export interface CreatedToken {
  id: string | number;
  token: string;
  name: string;
  scopes: string[];
  created: string;
  expires: string;
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
  /** Users of a scoped role see only the devices listed on their user. */
  scoped: boolean;
}

export interface PermissionInfo {
  name: string;
  description: string;
}

export interface RolesResponse {
  items: Role[];
  permissions: PermissionInfo[];
}

/** A user as GET /users shows it. */
export interface ManagedUser {
  name: string;
  role: string;
  disabled: boolean;
  must_change_password: boolean;
  devices: string[];
  created: string;
}
