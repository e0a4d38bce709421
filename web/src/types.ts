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

// ---- billing (docs/api.md#billing) ----------------------------------------------------------
// Money is a decimal string in the currency's units; days are "YYYY-MM-DD"; a period is
// [from, to) with `to` exclusive.

/** GET /tariffs; GET /tariffs/{id} adds the TOML source. */
export interface Tariff {
  id: string;
  name: string;
  currency: string;
  unit: 'kWh' | 'm3' | string;
  time_zone: string;
  versions: number;
  updated: string;
  updated_by: string;
  source?: string;
}

/** A review zone: every bill of a key zone is reviewed; a regular zone after a sample. */
export interface BillingZone {
  id: string;
  key: boolean;
  sample_size: number;
}

export interface BillingCycle {
  cycle: string;
  accounts: number;
}

export interface ServicePoint {
  id: string;
  meter: string;
  since: string;
}

/** A customer account that is billed (not the signed-in user's account page). */
export interface BillingAccount {
  id: string;
  name: string;
  cycle: string;
  zone: string;
  customer_class: string;
  service_point: string;
  meter: string;
  tariff: string;
  email: string;
  phone: string;
  move_in: string;
  move_out: string | null;
}

export type BillingAccountBody = Omit<BillingAccount, 'id'>;

export interface BillRun {
  id: number;
  cycle: string;
  from: string;
  to: string;
  state: 'running' | 'completed' | string;
  created: string;
  created_by: string;
  finished: string | null;
  accounts: number;
  chunks: number;
  chunks_done: number;
  billed: number;
  held: number;
  flagged: number;
}

export interface BillHold {
  account: string;
  rule: string;
  reason: string;
  created: string;
  resolved: boolean;
}

export interface RunRelease {
  released: number;
  waiting: number;
  held_zones: string[];
}

/** value x 10^scale of unit: {"value":2976,"scale":-3,"unit":"m3"} is 2.976 m3. */
export interface BillQuantity {
  value: number | string;
  scale: number;
  unit: string;
}

export interface BillLine {
  description: string;
  from: string;
  to: string;
  quantity: BillQuantity;
  unit_price: string;
  amount: string;
  intervals: number;
  reads: number;
  estimated: number;
}

export type BillState = 'draft' | 'approved' | 'rejected' | 'released' | 'superseded';

/** A bill as GET /bills lists it (no lines). */
export interface BillSummary {
  id: number;
  account: string;
  run: number;
  from: string;
  to: string;
  version: number;
  state: BillState | string;
  currency: string;
  subtotal: string;
  total: string;
  intervals: number;
  estimated: number;
  missing_days: number;
  peak_demand_w: number;
  flags: string[];
  changes: string[];
  zone: string;
  sampled: boolean;
  previous: number | null;
  difference: string;
  created: string;
  released: string | null;
  lines?: BillLine[];
}

export interface BillReview {
  reviewer: string;
  at: string;
  approved: boolean;
  note: string;
}

export interface BillNotification {
  channel: string;
  address: string;
  state: 'pending' | 'delivered' | 'failed' | string;
  attempts: number;
  last_error: string;
  updated: string;
}

/** GET /bills/{id}: the bill with its lines, reviews, notifications and, for a rebill, the bill before. */
export interface Bill extends BillSummary {
  lines: BillLine[];
  reviews: BillReview[];
  notifications: BillNotification[];
  previous_bill: (BillSummary & { lines: BillLine[] }) | null;
}
