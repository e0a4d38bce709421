import { describe, expect, it } from 'vitest';
import {
  accountsCsv,
  addDays,
  billActions,
  billCues,
  billingRoutePermission,
  billStateStyle,
  compareLines,
  CUES,
  csvCell,
  dayNumber,
  decimalSign,
  defaultRunPeriod,
  formatDifference,
  formatLineQuantity,
  formatMoney,
  formatPeriod,
  formatRate,
  humanDay,
  lineOffsets,
  periodDays,
  rowCueClass,
  runActions,
  runProgress,
  scaledDecimal,
  subtractDecimal,
  tariffErrorLine,
  tariffTemplate,
  toCsv,
  trimDecimal,
  validateReview,
  validateRunForm,
} from '../../src/lib/billing';
import { billHref, hashParam, parseHash, runHref, tariffHref } from '../../src/router';
import { EVENT_TYPES, eventSeverity } from '../../src/lib/status';

describe('days and periods', () => {
  it('parses only real dates', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('2024-02-29')).not.toBeNull();
    expect(dayNumber('2026-02-29')).toBeNull();
    expect(dayNumber('2026-13-01')).toBeNull();
    expect(dayNumber('26-01-01')).toBeNull();
    expect(dayNumber(null)).toBeNull();
  });
  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('nope', 1)).toBeNull();
    expect(periodDays('2026-01-01', '2026-02-01')).toBe(31);
    expect(periodDays('2026-03-01', '2026-04-01')).toBe(31); // no DST in days
  });
  it('shows a period with its last day inclusive', () => {
    expect(formatPeriod('2026-01-01', '2026-02-01')).toBe('1 Jan – 31 Jan 2026');
    expect(formatPeriod('2025-12-15', '2026-01-15')).toBe('15 Dec 2025 – 14 Jan 2026');
    expect(formatPeriod('2026-01-05', '2026-01-06')).toBe('5 Jan 2026');
    expect(formatPeriod('2024-02-01', '2024-03-01')).toBe('1 Feb – 29 Feb 2024');
    expect(formatPeriod('2026-01-05', '2026-01-05')).toBe('2026-01-05 – 2026-01-05');
    expect(formatPeriod('x', null)).toBe('x – ?');
    expect(humanDay('2026-11-03')).toBe('3 Nov 2026');
    expect(humanDay('')).toBe('—');
  });
  it('defaults the run form to the last whole month', () => {
    expect(defaultRunPeriod(new Date(Date.UTC(2026, 2, 14)))).toEqual({ first: '2026-02-01', last: '2026-02-28' });
    expect(defaultRunPeriod(new Date(Date.UTC(2026, 0, 1)))).toEqual({ first: '2025-12-01', last: '2025-12-31' });
  });
});

describe('exact decimals', () => {
  it('scales integers without floating point', () => {
    expect(scaledDecimal(2976, -3)).toBe('2.976');
    expect(scaledDecimal(5, -3)).toBe('0.005');
    expect(scaledDecimal(-5, -2)).toBe('-0.05');
    expect(scaledDecimal(12, 2)).toBe('1200');
    expect(scaledDecimal('123456789012345678901', -6)).toBe('123456789012345.678901');
    expect(scaledDecimal(0, -3)).toBe('0.000');
  });
  it('trims fraction zeros down to a minimum', () => {
    expect(trimDecimal('1.500000', 2)).toBe('1.50');
    expect(trimDecimal('1.234560', 2)).toBe('1.23456');
    expect(trimDecimal('2.000', 0)).toBe('2');
    expect(trimDecimal('+3.10')).toBe('3.1');
    expect(trimDecimal('abc', 2)).toBe('abc');
  });
  it('subtracts exactly at the finer scale', () => {
    expect(subtractDecimal('10.10', '0.000001')).toBe('10.099999');
    expect(subtractDecimal('1.5', '2.25')).toBe('-0.75');
    expect(subtractDecimal('0.1', '0.1')).toBe('0.0');
    expect(subtractDecimal('x', '1')).toBeNull();
    expect(decimalSign('-0.01')).toBe(-1);
    expect(decimalSign('0.000')).toBe(0);
    expect(decimalSign('3')).toBe(1);
  });
  it('formats money with its currency, grouped, never rounded', () => {
    expect(formatMoney('1234.50', 'EUR')).toBe('1,234.50 EUR');
    expect(formatMoney('12.345678')).toBe('12.345678');
    expect(formatMoney('12.340000')).toBe('12.34');
    expect(formatMoney('7')).toBe('7.00');
    expect(formatMoney(null)).toBe('—');
  });
  it('formats a rebill difference with its sign', () => {
    expect(formatDifference('1.23', 'EUR')).toBe('+1.23 EUR');
    expect(formatDifference('-0.50', 'EUR')).toBe('−0.50 EUR');
    expect(formatDifference('0.00', 'EUR')).toBe('no change');
  });
});

describe('bill line quantities and rates', () => {
  it('shows m3 as m³ and Wh as kWh', () => {
    expect(formatLineQuantity({ value: 2976, scale: -3, unit: 'm3' })).toBe('2.976 m³');
    expect(formatLineQuantity({ value: 123456, scale: 0, unit: 'Wh' })).toBe('123.456 kWh');
    expect(formatLineQuantity({ value: 1234567, scale: 0, unit: 'Wh' })).toBe('1,234.567 kWh');
    expect(formatLineQuantity({ value: 5, scale: 3, unit: 'Wh' })).toBe('5 kWh');
    expect(formatLineQuantity({ value: 4200, scale: 0, unit: 'W' })).toBe('4.2 kW');
    expect(formatLineQuantity({ value: 98765, scale: -1, unit: 'VAh' })).toBe('9.8765 kVAh');
  });
  it('counts days on fixed lines and shows a tax base as money', () => {
    expect(formatLineQuantity({ value: 31, scale: 0, unit: '' })).toBe('31 days');
    expect(formatLineQuantity({ value: 1, scale: 0, unit: '' })).toBe('1 day');
    expect(formatLineQuantity({ value: 12500000, scale: -6, unit: '' }, 'EUR')).toBe('12.50 EUR');
  });
  it('writes the rate per unit', () => {
    expect(formatRate('1.500000', 'EUR', { value: 1, scale: -3, unit: 'm3' })).toBe('1.50 EUR/m³');
    expect(formatRate('0.100000', 'EUR', { value: 31, scale: 0, unit: '' })).toBe('0.10 EUR/day');
    expect(formatRate('0.070000', 'EUR', { value: 1, scale: -6, unit: '' })).toBe('× 0.07');
    expect(formatRate('0.250000', 'GBP', { value: 1, scale: 0, unit: 'Wh' })).toBe('0.25 GBP/kWh');
  });
});

describe('colour cues', () => {
  it('has a distinct colour and class for every cue', () => {
    expect(new Set(CUES.map((c) => c.color)).size).toBe(CUES.length);
    expect(new Set(CUES.map((c) => c.className)).size).toBe(CUES.length);
    for (const k of ['flagged', 'sampled', 'key_zone', 'meter_exchange', 'tariff_change', 'move_in', 'move_out']) {
      expect(CUES.some((c) => c.key === k)).toBe(true);
    }
  });
  it('classifies a bill: flags, sample, key zone, then service changes in legend order', () => {
    const cues = billCues({ flags: ['fluctuation: +84%'], sampled: true, zone: 'north', changes: ['move_out', 'meter_exchange', 'move_out'] }, ['north']);
    expect(cues.map((c) => c.key)).toEqual(['flagged', 'sampled', 'key_zone', 'meter_exchange', 'move_out']);
    expect(rowCueClass(cues)).toBe('row-cue-meter_exchange');
  });
  it('leaves a plain bill without cues', () => {
    const cues = billCues({ flags: [], sampled: false, zone: 'south', changes: [] }, new Set(['north']));
    expect(cues).toEqual([]);
    expect(rowCueClass(cues)).toBe('');
    expect(rowCueClass(billCues({ flags: ['x'] }))).toBe('row-cue-flagged');
  });
  it('keeps unknown changes, in grey', () => {
    const cues = billCues({ changes: ['address_change'] });
    expect(cues[0].label).toBe('Address change');
    expect(cues[0].className).toBe('cue-other');
    expect(rowCueClass(cues)).toBe('row-cue-other');
  });
  it('styles bill states', () => {
    expect(billStateStyle('released').className).toBe('bill-released');
    expect(billStateStyle('weird')).toEqual({ label: 'weird', className: 'bill-unknown' });
    expect(billStateStyle('toString').className).toBe('bill-unknown');
  });
});

describe('run progress', () => {
  it('fills by chunks and is full when completed', () => {
    expect(runProgress({ state: 'running', chunks: 8, chunks_done: 2 }).percent).toBe(25);
    expect(runProgress({ state: 'running', chunks: 0, chunks_done: 0 }).percent).toBe(0);
    expect(runProgress({ state: 'running', chunks: 3, chunks_done: 5 }).percent).toBe(100);
    const done = runProgress({ state: 'completed', chunks: 0, chunks_done: 0 });
    expect(done).toMatchObject({ percent: 100, done: true });
  });
});

describe('what a role may do', () => {
  const reviewer = { permissions: ['billing:read', 'billing:review'] };
  const clerk = { permissions: ['billing:read', 'billing:run'] };
  const viewer = { permissions: ['fleet:read'] };
  it('guards every billing route with billing:read', () => {
    for (const r of ['billing', 'billing-run', 'billing-review', 'billing-bill', 'billing-tariffs', 'billing-tariff', 'billing-accounts']) {
      expect(billingRoutePermission(r)).toBe('billing:read');
    }
    expect(billingRoutePermission('fleet')).toBeNull();
    expect(billingRoutePermission('billingx')).toBeNull();
  });
  it('lets reviewers review drafts and release approved bills', () => {
    expect(billActions(reviewer, { state: 'draft' })).toEqual({ review: true, release: false, rebill: false });
    expect(billActions(reviewer, { state: 'approved' })).toEqual({ review: false, release: true, rebill: false });
    expect(billActions(reviewer, { state: 'released' }).release).toBe(false);
  });
  it('lets billing:run rebill anything but a superseded bill', () => {
    expect(billActions(clerk, { state: 'released' })).toEqual({ review: false, release: false, rebill: true });
    expect(billActions(clerk, { state: 'superseded' }).rebill).toBe(false);
    expect(billActions(viewer, { state: 'draft' })).toEqual({ review: false, release: false, rebill: false });
    expect(billActions(null, null)).toEqual({ review: false, release: false, rebill: false });
  });
  it('offers release of completed runs and the right re-run', () => {
    expect(runActions(reviewer, { state: 'completed', held: 0 })).toMatchObject({ release: true, rerun: false });
    expect(runActions(reviewer, { state: 'running', held: 0 }).release).toBe(false);
    expect(runActions(clerk, { state: 'completed', held: 2 })).toEqual({ release: false, rerun: true, rerunLabel: 'Retry held accounts' });
    expect(runActions(clerk, { state: 'running', held: 0 }).rerunLabel).toBe('Resume');
    expect(runActions(clerk, { state: 'completed', held: 0 }).rerunLabel).toBe('Run again');
  });
});

describe('forms', () => {
  it('turns the inclusive last day into the exclusive end', () => {
    expect(validateRunForm(' monthly-1 ', '2026-01-01', '2026-01-31')).toEqual({ ok: true, body: { cycle: 'monthly-1', from: '2026-01-01', to: '2026-02-01' } });
    expect(validateRunForm('m', '2026-01-01', '2026-01-01', '500')).toEqual({ ok: true, body: { cycle: 'm', from: '2026-01-01', to: '2026-01-02', chunk_size: 500 } });
  });
  it('names the first problem', () => {
    const field = (r: ReturnType<typeof validateRunForm>): string => (r.ok ? '' : r.error.field);
    expect(field(validateRunForm('', '2026-01-01', '2026-01-31'))).toBe('cycle');
    expect(field(validateRunForm('m', '2026-02-30', '2026-03-31'))).toBe('from');
    expect(field(validateRunForm('m', '2026-01-01', 'x'))).toBe('to');
    expect(field(validateRunForm('m', '2026-02-01', '2026-01-31'))).toBe('to');
    expect(field(validateRunForm('m', '2025-01-01', '2026-01-02'))).toBe('to');
    expect(field(validateRunForm('m', '2026-01-01', '2026-01-31', '0'))).toBe('chunk_size');
    expect(field(validateRunForm('m', '2026-01-01', '2026-01-31', '1.5'))).toBe('chunk_size');
  });
  it('wants a note to reject', () => {
    expect(validateReview('approve', '')).toBeNull();
    expect(validateReview('reject', '  ')?.field).toBe('note');
    expect(validateReview('reject', 'meter read twice')).toBeNull();
  });
});

describe('tariff errors', () => {
  it('finds the line in the server message', () => {
    expect(tariffErrorLine("tariff water:12: rate 'day' overlaps another on weekdays in month 1 at 06:00")).toBe(12);
    expect(tariffErrorLine('tariff a.b-c:3: unknown key "x"')).toBe(3);
    expect(tariffErrorLine('the file\'s id is not the one in the path')).toBeNull();
    expect(tariffErrorLine(undefined)).toBeNull();
  });
  it('selects a line of the text', () => {
    const text = 'a = 1\nbb = 2\n\nccc = 3';
    expect(lineOffsets(text, 1)).toEqual({ start: 0, end: 5 });
    expect(lineOffsets(text, 2)).toEqual({ start: 6, end: 12 });
    expect(lineOffsets(text, 3)).toEqual({ start: 13, end: 13 });
    expect(text.slice(lineOffsets(text, 4)!.start, lineOffsets(text, 4)!.end)).toBe('ccc = 3');
    expect(lineOffsets(text, 5)).toBeNull();
    expect(lineOffsets(text, 0)).toBeNull();
  });
  it('starts a new tariff from a template with its id', () => {
    const t = tariffTemplate('res-1', '2026-01-01');
    expect(t).toContain('id = "res-1"');
    expect(t).toContain('effective = "2026-01-01"');
  });
});

describe('CSV', () => {
  it('quotes what needs quoting', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
  });
  it('keeps spreadsheets from running formulas, but not numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('+1')).toBe('+1');
    expect(csvCell('-x')).toBe("'-x");
  });
  it('writes rows with CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y'], [null, '']])).toBe('a,b\r\n1,"x,y"\r\n,\r\n');
  });
  it('exports accounts with a fixed header', () => {
    const csv = accountsCsv([{ id: 'A1', name: 'Smith, J', cycle: 'm1', zone: 'z', customer_class: 'residential', service_point: 'SP1', meter: 'W000001', tariff: 't', email: '', phone: '', move_in: '2026-01-01', move_out: null }]);
    const [head, row] = csv.split('\r\n');
    expect(head).toBe('id,name,cycle,zone,customer_class,service_point,meter,tariff,email,phone,move_in,move_out');
    expect(row).toBe('A1,"Smith, J",m1,z,residential,SP1,W000001,t,,,2026-01-01,');
  });
});

describe('rebill comparison', () => {
  const l = (description: string, amount: string, from = '2026-01-01') => ({ description, from, to: '2026-02-01', amount });
  it('pairs lines and computes each change exactly', () => {
    const rows = compareLines([l('Standing charge', '3.100000'), l('water', '10.000000'), l('VAT (7%)', '0.917000')], [l('Standing charge', '3.100000'), l('water', '12.500001'), l('VAT (7%)', '1.092000')]);
    expect(rows.map((r) => [r.description, r.change])).toEqual([
      ['Standing charge', '0.000000'],
      ['water', '2.500001'],
      ['VAT (7%)', '0.175000'],
    ]);
  });
  it('keeps lines only one side has', () => {
    const rows = compareLines([l('old', '1.00')], [l('new', '2.00')]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ description: 'new', previous: null, change: '2.00' });
    expect(rows[1]).toMatchObject({ description: 'old', current: null, change: '-1.00' });
  });
  it('tells lines of the same name apart by their start', () => {
    const rows = compareLines([l('energy', '1.00', '2026-01-01'), l('energy', '2.00', '2026-01-15')], [l('energy', '1.50', '2026-01-15'), l('energy', '1.00', '2026-01-01')]);
    expect(rows.map((r) => r.change)).toEqual(['-0.50', '0.00']);
  });
});

describe('routes', () => {
  it('parses the billing pages', () => {
    expect(parseHash('#/billing')).toEqual({ name: 'billing' });
    expect(parseHash('#/billing/runs')).toEqual({ name: 'billing' });
    expect(parseHash('#/billing/review')).toEqual({ name: 'billing-review' });
    expect(parseHash('#/billing/tariffs')).toEqual({ name: 'billing-tariffs' });
    expect(parseHash('#/billing/accounts?cycle=m1')).toEqual({ name: 'billing-accounts' });
    expect(parseHash(runHref(7))).toEqual({ name: 'billing-run', id: '7' });
    expect(parseHash(billHref(42, true))).toEqual({ name: 'billing-bill', id: '42' });
    expect(parseHash(tariffHref('water/2026'))).toEqual({ name: 'billing-tariff', id: 'water/2026' });
    expect(parseHash('#/billing/bills/%E0').name).toBe('notfound');
    expect(parseHash('#/billing/nope').name).toBe('notfound');
  });
  it('reads hash query parameters', () => {
    expect(hashParam(billHref(42, true), 'from')).toBe('review');
    expect(hashParam('#/billing/accounts?cycle=m%201', 'cycle')).toBe('m 1');
    expect(hashParam('#/billing', 'cycle')).toBeNull();
  });
});

describe('billing events', () => {
  it('lists bill_held and bill_flagged as warnings', () => {
    expect(EVENT_TYPES).toContain('bill_held');
    expect(EVENT_TYPES).toContain('bill_flagged');
    expect(eventSeverity('bill_held')).toBe('warn');
    expect(eventSeverity('bill_flagged')).toBe('warn');
  });
});
