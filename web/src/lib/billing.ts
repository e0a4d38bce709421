// Pure pieces of the billing pages: days and periods, exact decimals (money and quantities),
// colour cues for bills, CSV, the run form, tariff error lines and what a role may do.
import { can, type FormError, type Permission, type Session } from './auth';
import { groupDigits, unitLabel } from './decimal';

// ---- days and periods -----------------------------------------------------------------------
// Days travel as "YYYY-MM-DD"; a period is [from, to) and is shown with its last day inclusive.

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a "YYYY-MM-DD" that names a real date; null otherwise. */
export function dayNumber(s: string | null | undefined): number | null {
  const m = DAY_RE.exec(s ?? '');
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const d = new Date(t);
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return null;
  return t / DAY_MS;
}

export function dayString(n: number): string {
  const d = new Date(n * DAY_MS);
  const p = (x: number, w = 2): string => String(x).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
}

export function addDays(day: string, n: number): string | null {
  const d = dayNumber(day);
  return d === null ? null : dayString(d + n);
}

/** Days in [from, to); null when either is not a date. */
export function periodDays(from: string, to: string): number | null {
  const a = dayNumber(from);
  const b = dayNumber(to);
  return a === null || b === null ? null : b - a;
}

/** "2026-01-05" -> "5 Jan 2026"; anything else comes back as it is. */
export function humanDay(day: string | null | undefined, withYear = true): string {
  const n = dayNumber(day);
  if (n === null) return day || '—';
  const d = new Date(n * DAY_MS);
  const s = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return withYear ? `${s} ${d.getUTCFullYear()}` : s;
}

/** [from, to) as people read it: "1 Jan – 31 Jan 2026", "15 Dec 2025 – 14 Jan 2026", "5 Jan 2026". */
export function formatPeriod(from: string | null | undefined, to: string | null | undefined): string {
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (a === null || b === null || b <= a) return `${from ?? '?'} – ${to ?? '?'}`;
  const last = dayString(b - 1);
  if (b - a === 1) return humanDay(last);
  const sameYear = from!.slice(0, 4) === last.slice(0, 4);
  return `${humanDay(from, !sameYear)} – ${humanDay(last)}`;
}

/** The run form's default: the last whole calendar month before `now` (UTC). */
export function defaultRunPeriod(now: Date = new Date()): { first: string; last: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const first = dayString(Date.UTC(y, m - 1, 1) / DAY_MS);
  const last = dayString(Date.UTC(y, m, 1) / DAY_MS - 1);
  return { first, last };
}

// ---- exact decimals -------------------------------------------------------------------------

const DEC_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** A decimal string as an integer count of 10^-decimals; null for anything else. */
export function decimalParts(s: string | null | undefined): { units: bigint; decimals: number } | null {
  const m = DEC_RE.exec((s ?? '').trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const units = BigInt(m[2] + frac) * (m[1] === '-' ? -1n : 1n);
  return { units, decimals: frac.length };
}

/** units x 10^-decimals written out exactly ("-12345", 2 -> "-123.45"). */
export function formatUnits(units: bigint, decimals: number): string {
  const neg = units < 0n;
  let digits = (neg ? -units : units).toString();
  if (decimals > 0) {
    digits = digits.padStart(decimals + 1, '0');
    digits = `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  }
  return (neg ? '-' : '') + digits;
}

/** value x 10^scale written out exactly: (2976, -3) -> "2.976", (12, 2) -> "1200". */
export function scaledDecimal(value: number | string | bigint, scale: number): string {
  let v: bigint;
  try {
    v = typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? Math.trunc(value) : value.trim());
  } catch {
    return String(value);
  }
  if (scale >= 0) return formatUnits(v * 10n ** BigInt(scale), 0);
  return formatUnits(v, -scale);
}

/** Drops trailing fraction zeros but keeps `minDecimals`: ("1.500000", 2) -> "1.50". */
export function trimDecimal(s: string, minDecimals = 0): string {
  const m = DEC_RE.exec(s);
  if (!m) return s;
  let frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0');
  return `${m[1] === '+' ? '' : m[1]}${m[2]}${frac ? '.' + frac : ''}`;
}

/** a - b, exact, at the finer of the two scales; null when either is not a decimal. */
export function subtractDecimal(a: string, b: string): string | null {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (!x || !y) return null;
  const d = Math.max(x.decimals, y.decimals);
  const diff = x.units * 10n ** BigInt(d - x.decimals) - y.units * 10n ** BigInt(d - y.decimals);
  return formatUnits(diff, d);
}

/** -1, 0 or 1 for a decimal string; 0 for anything else. */
export function decimalSign(s: string | null | undefined): -1 | 0 | 1 {
  const p = decimalParts(s);
  if (!p || p.units === 0n) return 0;
  return p.units < 0n ? -1 : 1;
}

/** "1,234.50 EUR": the digits as given, grouped, at least 2 decimals, trailing zeros beyond that dropped. */
export function formatMoney(amount: string | null | undefined, currency?: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  if (!DEC_RE.test(amount)) return currency ? `${amount} ${currency}` : amount;
  const v = groupDigits(trimDecimal(amount, 2));
  return currency ? `${v} ${currency}` : v;
}

/** A rebill's difference: "+1.23 EUR", "−0.50 EUR" (a real minus sign), "no change". */
export function formatDifference(diff: string | null | undefined, currency?: string): string {
  const sign = decimalSign(diff);
  if (sign === 0) return 'no change';
  const abs = formatMoney(diff!.replace(/^[+-]/, ''), currency);
  return `${sign > 0 ? '+' : '−'}${abs}`;
}

// ---- quantities on bill lines ---------------------------------------------------------------

export interface Quantity {
  value: number | string;
  scale: number;
  unit: string;
}

// Base units shown in thousands, as tariffs price them.
const KILO: Record<string, string> = { Wh: 'kWh', W: 'kW', varh: 'kvarh', var: 'kvar', VA: 'kVA', VAh: 'kVAh' };

/** What a line's quantity is in, as shown: Wh lines show as kWh, m3 as m³, fixed lines in days. */
export function quantityParts(q: Quantity | null | undefined, currency = ''): { value: string; unit: string } {
  if (!q || typeof q !== 'object') return { value: '—', unit: '' };
  const scale = Number.isInteger(q.scale) ? q.scale : 0;
  const unit = q.unit ?? '';
  if (KILO[unit]) return { value: trimDecimal(scaledDecimal(q.value, scale - 3)), unit: KILO[unit] };
  if (unit === '') {
    const v = scaledDecimal(q.value, scale);
    // Fixed charges count days (scale 0); a tax's quantity is the money it is levied on.
    if (scale === 0) return { value: v, unit: v === '1' ? 'day' : 'days' };
    return { value: trimDecimal(v, 2), unit: currency };
  }
  return { value: trimDecimal(scaledDecimal(q.value, scale)), unit: unitLabel(unit) };
}

export function formatLineQuantity(q: Quantity | null | undefined, currency = ''): string {
  const p = quantityParts(q, currency);
  return p.unit ? `${groupDigits(p.value)} ${p.unit}` : groupDigits(p.value);
}

/** A line's rate: "1.50 EUR/m³", "0.10 EUR/day", "× 0.07" for a tax on an amount. */
export function formatRate(unitPrice: string, currency: string, q: Quantity | null | undefined): string {
  const p = quantityParts(q, currency);
  if (q && q.unit === '' && q.scale !== 0) return `× ${trimDecimal(unitPrice)}`;
  const per = p.unit === 'days' || p.unit === 'day' ? 'day' : p.unit;
  const price = formatMoney(unitPrice, currency);
  return per ? `${price}/${per}` : price;
}

// ---- colour cues ----------------------------------------------------------------------------

export type CueKey = 'flagged' | 'sampled' | 'key_zone' | 'meter_exchange' | 'tariff_change' | 'move_in' | 'move_out';

export interface Cue {
  key: CueKey | string;
  label: string;
  /** CSS class of the chip and the row's left edge: cue-flagged, cue-meter_exchange, ... */
  className: string;
  color: string;
  description: string;
}

/** The legend, in the order chips are shown. Each cue has its own colour. */
export const CUES: readonly Cue[] = [
  { key: 'flagged', label: 'Flagged', className: 'cue-flagged', color: '#cf222e', description: 'a fluctuation check flagged the bill for review' },
  { key: 'sampled', label: 'Sampled', className: 'cue-sampled', color: '#8250df', description: 'drawn for review in a regular zone' },
  { key: 'key_zone', label: 'Key zone', className: 'cue-key_zone', color: '#1f4fd1', description: 'every bill of a key zone is reviewed' },
  { key: 'meter_exchange', label: 'Meter exchange', className: 'cue-meter_exchange', color: '#bc4c00', description: 'the meter was exchanged during the period' },
  { key: 'tariff_change', label: 'Tariff change', className: 'cue-tariff_change', color: '#0a7d8c', description: 'the tariff changed during the period' },
  { key: 'move_in', label: 'Move-in', className: 'cue-move_in', color: '#1a7f37', description: 'the customer moved in during the period' },
  { key: 'move_out', label: 'Move-out', className: 'cue-move_out', color: '#bf3989', description: 'the customer moved out during the period' },
];

const CUE_BY_KEY = new Map(CUES.map((c) => [c.key, c]));
export const SERVICE_CHANGES: readonly string[] = ['meter_exchange', 'tariff_change', 'move_in', 'move_out'];

function cue(key: string): Cue {
  return (
    CUE_BY_KEY.get(key) ?? {
      key,
      label: key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()),
      className: 'cue-other',
      color: '#6e7781',
      description: key,
    }
  );
}

/** A bill's cues in legend order: flagged, sampled, key zone, then its service changes. */
export function billCues(
  bill: { flags?: readonly string[] | null; sampled?: boolean; zone?: string; changes?: readonly string[] | null },
  keyZones: ReadonlySet<string> | readonly string[] = [],
): Cue[] {
  const keys = keyZones instanceof Set ? keyZones : new Set(keyZones as readonly string[]);
  const out: Cue[] = [];
  if (Array.isArray(bill.flags) && bill.flags.length > 0) out.push(cue('flagged'));
  if (bill.sampled) out.push(cue('sampled'));
  if (bill.zone && keys.has(bill.zone)) out.push(cue('key_zone'));
  const changes = Array.isArray(bill.changes) ? [...new Set(bill.changes)] : [];
  changes.sort((a, b) => rank(a) - rank(b));
  for (const c of changes) out.push(cue(c));
  return out;
}

function rank(change: string): number {
  const i = SERVICE_CHANGES.indexOf(change);
  return i < 0 ? SERVICE_CHANGES.length : i;
}

/** The row's colour edge: its first service change, else flagged; '' for a plain bill. */
export function rowCueClass(cues: readonly Cue[]): string {
  const change = cues.find((c) => SERVICE_CHANGES.includes(c.key) || c.className === 'cue-other');
  if (change) return `row-${change.className}`;
  return cues.some((c) => c.key === 'flagged') ? 'row-cue-flagged' : '';
}

// ---- states ---------------------------------------------------------------------------------

export const BILL_STATE_NAMES = ['draft', 'approved', 'rejected', 'released', 'superseded'] as const;

const BILL_STATES: Record<string, { label: string; className: string }> = {
  draft: { label: 'Draft', className: 'bill-draft' },
  approved: { label: 'Approved', className: 'bill-approved' },
  rejected: { label: 'Rejected', className: 'bill-rejected' },
  released: { label: 'Released', className: 'bill-released' },
  superseded: { label: 'Superseded', className: 'bill-superseded' },
};

export function billStateStyle(state: string | null | undefined): { label: string; className: string } {
  if (state && Object.prototype.hasOwnProperty.call(BILL_STATES, state)) return BILL_STATES[state];
  return { label: state || 'Unknown', className: 'bill-unknown' };
}

export function notificationStateClass(state: string): string {
  return state === 'delivered' ? 'cmd-ok' : state === 'failed' ? 'cmd-bad' : 'cmd-wait';
}

/** A run's progress bar: chunks done of chunks (a completed run is full even with no chunks). */
export function runProgress(run: { state: string; chunks: number; chunks_done: number }): { percent: number; label: string; done: boolean } {
  const done = run.state === 'completed';
  const chunks = Math.max(0, run.chunks || 0);
  const did = Math.min(chunks, Math.max(0, run.chunks_done || 0));
  const percent = done ? 100 : chunks === 0 ? 0 : Math.floor((did / chunks) * 100);
  const label = done ? `completed · ${did} of ${chunks} chunks` : `${percent}% · ${did} of ${chunks} chunks`;
  return { percent, label, done };
}

// ---- what the role may do -------------------------------------------------------------------

/** Every billing page needs billing:read; null for other routes. */
export function billingRoutePermission(route: string): Permission | null {
  return route === 'billing' || route.startsWith('billing-') ? 'billing:read' : null;
}

type Perms = Pick<Session, 'permissions'> | null | undefined;

export function billActions(session: Perms, bill: { state: string } | null | undefined): { review: boolean; release: boolean; rebill: boolean } {
  const st = bill?.state ?? '';
  return {
    review: can(session, 'billing:review') && st === 'draft',
    release: can(session, 'billing:review') && st === 'approved',
    rebill: can(session, 'billing:run') && !!bill && st !== 'superseded',
  };
}

export function runActions(
  session: Perms,
  run: { state: string; held: number } | null | undefined,
): { release: boolean; rerun: boolean; rerunLabel: string } {
  const completed = run?.state === 'completed';
  return {
    release: can(session, 'billing:review') && completed,
    rerun: can(session, 'billing:run') && !!run,
    rerunLabel: !completed ? 'Resume' : (run?.held ?? 0) > 0 ? 'Retry held accounts' : 'Run again',
  };
}

// ---- forms ----------------------------------------------------------------------------------

export interface RunBody {
  cycle: string;
  from: string;
  to: string;
  chunk_size?: number;
}

/** The start-run form (first and last day inclusive): the request body with `to` exclusive, or the first problem. */
export function validateRunForm(cycle: string, first: string, last: string, chunk = ''): { ok: true; body: RunBody } | { ok: false; error: FormError } {
  const c = cycle.trim();
  if (!c) return { ok: false, error: { field: 'cycle', message: 'Choose a billing cycle.' } };
  const a = dayNumber(first.trim());
  if (a === null) return { ok: false, error: { field: 'from', message: 'The first day must be a date (YYYY-MM-DD).' } };
  const b = dayNumber(last.trim());
  if (b === null) return { ok: false, error: { field: 'to', message: 'The last day must be a date (YYYY-MM-DD).' } };
  if (b < a) return { ok: false, error: { field: 'to', message: 'The last day is before the first.' } };
  if (b - a + 1 > 366) return { ok: false, error: { field: 'to', message: 'A billing period is at most 366 days.' } };
  const body: RunBody = { cycle: c, from: dayString(a), to: dayString(b + 1) };
  const k = chunk.trim();
  if (k) {
    if (!/^\d+$/.test(k) || +k < 1 || +k > 100000) return { ok: false, error: { field: 'chunk_size', message: 'The chunk size is a whole number from 1 to 100000.' } };
    body.chunk_size = +k;
  }
  return { ok: true, body };
}

export function validateReview(decision: 'approve' | 'reject', note: string): FormError | null {
  if (decision === 'reject' && !note.trim()) return { field: 'note', message: 'Say why the bill is rejected.' };
  return null;
}

// ---- tariffs --------------------------------------------------------------------------------

/** The line a tariff error names ("tariff water:12: rate 'day' overlaps …" -> 12), or null. */
export function tariffErrorLine(message: string | null | undefined): number | null {
  const m = /:(\d+):\s/.exec(message ?? '');
  return m ? Number(m[1]) : null;
}

/** Character offsets [start, end) of 1-based `line` in `text`, to select it; null past the end. */
export function lineOffsets(text: string, line: number): { start: number; end: number } | null {
  if (!Number.isInteger(line) || line < 1) return null;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  return { start, end: nl < 0 ? text.length : nl };
}

/** Ids the API accepts in a path without surprises. */
export const TARIFF_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

export function tariffTemplate(id: string, today: string): string {
  return [
    `id = "${id}"`,
    `name = "${id}"`,
    'currency = "EUR"',
    'unit = "kWh"                     # or "m3" for water and gas',
    'time_zone = "UTC"',
    '',
    '[[version]]',
    `effective = "${today}"`,
    'fixed = [{ name = "Standing charge", amount = "0.30", per = "day" }]',
    '',
    '[[version.rate]]',
    'name = "energy"',
    'from = "00:00"',
    'to = "24:00"',
    'price = "0.25"',
    '',
  ].join('\n');
}

// ---- CSV ------------------------------------------------------------------------------------

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe; numbers do not.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !DEC_RE.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export const ACCOUNT_CSV_HEADER = ['id', 'name', 'cycle', 'zone', 'customer_class', 'service_point', 'meter', 'tariff', 'email', 'phone', 'move_in', 'move_out'] as const;

export function accountsCsv(accounts: readonly Record<string, unknown>[]): string {
  return toCsv(
    ACCOUNT_CSV_HEADER,
    accounts.map((a) => ACCOUNT_CSV_HEADER.map((k) => a[k] ?? '')),
  );
}

// ---- rebills --------------------------------------------------------------------------------

export interface LineLike {
  description: string;
  from: string;
  to: string;
  amount: string;
}

/** Pairs a rebill's lines with the earlier bill's (same description and period start), in the new bill's order. */
export function compareLines<L extends LineLike>(previous: readonly L[], current: readonly L[]): { description: string; previous: L | null; current: L | null; change: string | null }[] {
  const key = (l: L): string => `${l.description}\u0000${l.from}`;
  const left = new Map<string, L[]>();
  for (const l of previous) left.set(key(l), [...(left.get(key(l)) ?? []), l]);
  const out: { description: string; previous: L | null; current: L | null; change: string | null }[] = [];
  for (const c of current) {
    const p = left.get(key(c))?.shift() ?? null;
    out.push({ description: c.description, previous: p, current: c, change: subtractDecimal(c.amount, p ? p.amount : '0') });
  }
  for (const rest of left.values()) {
    for (const p of rest) out.push({ description: p.description, previous: p, current: null, change: subtractDecimal('0', p.amount) });
  }
  return out;
}
