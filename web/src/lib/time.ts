// Times on the wire are RFC 3339 UTC strings.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const MS = { SECOND, MINUTE, HOUR, DAY } as const;

/** Parses an RFC 3339 string to epoch milliseconds, or null. */
export function parseTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** "just now", "3 min ago", "5 h ago", "2 d ago", "in 4 min"; "never" for null. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  const t = parseTime(iso);
  if (t === null) return 'never';
  const diff = now - t;
  const future = diff < 0;
  const d = Math.abs(diff);
  let text: string;
  if (d < 45 * SECOND) return future ? 'in a moment' : 'just now';
  if (d < 90 * SECOND) text = '1 min';
  else if (d < HOUR) text = `${Math.round(d / MINUTE)} min`;
  else if (d < DAY) text = `${Math.floor(d / HOUR)} h`;
  else if (d < 60 * DAY) text = `${Math.floor(d / DAY)} d`;
  else if (d < 730 * DAY) text = `${Math.floor(d / (30 * DAY))} mo`;
  else text = `${Math.floor(d / (365 * DAY))} y`;
  return future ? `in ${text}` : `${text} ago`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 3339 UTC without fractional seconds: "2026-11-21T10:15:00Z". */
export function toRfc3339(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}

/** Local "YYYY-MM-DD HH:MM:SS" for tables; "—" for null. */
export function formatDateTime(iso: string | null | undefined, seconds = true): string {
  const t = parseTime(iso);
  if (t === null) return '—';
  const d = new Date(t);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${base}:${pad(d.getSeconds())}` : base;
}

/** Value for an <input type="datetime-local"> from epoch ms (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Epoch ms from an <input type="datetime-local"> value, or null. */
export function fromLocalInput(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  return Number.isFinite(d.getTime()) ? d.getTime() : null;
}

/** "15 min", "1 h", "1 d" for a reporting interval in seconds. */
export function formatInterval(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Local "HH:MM:SS" of an instant (for "updated at" notes). */
export function clockTime(ms: number = Date.now()): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
