// Quantities travel as exact decimal strings ("123.456"). The console shows those strings as they
// are and converts them to floating point only to draw them.

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** True if `s` is a plain decimal string such as "12", "-0.5" or "123.456". */
export function isDecimal(s: unknown): s is string {
  return typeof s === 'string' && DECIMAL_RE.test(s);
}

/** A number for drawing only; null for anything that is not a decimal string. */
export function toNumber(s: string | null | undefined): number | null {
  if (!isDecimal(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Groups the integer digits of a decimal string in threes ("12345.6789" -> "12,345.6789")
 * without changing a single digit. Strings that are not decimals come back unchanged.
 */
export function groupDigits(s: string, sep = ','): string {
  const m = DECIMAL_RE.exec(s);
  if (!m) return s;
  const [, sign, int, frac] = m;
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return sign + grouped + (frac !== undefined ? '.' + frac : '');
}

const UNIT_LABELS: Record<string, string> = { m3: 'm³', m2: 'm²', degC: '°C' };

/** A unit as people read it ("m3" -> "m³"); unknown units come back unchanged. */
export function unitLabel(unit: string | null | undefined): string {
  if (!unit) return '';
  return UNIT_LABELS[unit] ?? unit;
}

/** "123.456 m³", with the digits exactly as given. */
export function formatQuantity(value: string | null | undefined, unit?: string | null, group = false): string {
  if (value === null || value === undefined || value === '') return '—';
  const v = group ? groupDigits(value) : value;
  const u = unitLabel(unit);
  return u ? `${v} ${u}` : v;
}

/** Splits "0.001 m3" (as in Device.pulse_weight) into value and unit. */
export function splitQuantity(s: string | null | undefined): { value: string; unit: string } | null {
  if (!s) return null;
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*(.*)$/.exec(s);
  if (!m) return null;
  return { value: m[1], unit: m[2].trim() };
}
