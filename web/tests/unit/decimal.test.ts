import { describe, expect, it } from 'vitest';
import { formatQuantity, groupDigits, isDecimal, splitQuantity, toNumber, unitLabel } from '../../src/lib/decimal';

describe('isDecimal', () => {
  it('accepts plain decimal strings', () => {
    for (const s of ['0', '12', '-3', '+4', '123.456', '0.001', '-0.5', '00012.3400']) expect(isDecimal(s)).toBe(true);
  });
  it('rejects anything else', () => {
    for (const s of ['', '.5', '5.', '1e3', '1,5', ' 1', '1 ', 'NaN', 'Infinity', '0x10', '--1', '1.2.3']) expect(isDecimal(s)).toBe(false);
    expect(isDecimal(12)).toBe(false);
    expect(isDecimal(null)).toBe(false);
  });
});

describe('toNumber', () => {
  it('converts decimal strings for drawing', () => {
    expect(toNumber('123.456')).toBe(123.456);
    expect(toNumber('-0.120')).toBe(-0.12);
    expect(toNumber('0')).toBe(0);
  });
  it('gives null for non-decimals rather than NaN', () => {
    expect(toNumber('abc')).toBeNull();
    expect(toNumber('')).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(toNumber(undefined)).toBeNull();
    expect(toNumber('1e400')).toBeNull();
  });
});

describe('groupDigits', () => {
  it('groups integer digits in threes without touching any digit', () => {
    expect(groupDigits('1234567.891011')).toBe('1,234,567.891011');
    expect(groupDigits('123')).toBe('123');
    expect(groupDigits('1000')).toBe('1,000');
    expect(groupDigits('-98765.4')).toBe('-98,765.4');
    expect(groupDigits('0.000001')).toBe('0.000001');
  });
  it('keeps precision a float would lose', () => {
    const s = '12345678901234567890.123456789';
    expect(groupDigits(s).replace(/,/g, '')).toBe(s);
    expect(String(Number(s))).not.toBe(s);
  });
  it('leaves non-decimals alone', () => {
    expect(groupDigits('n/a')).toBe('n/a');
  });
  it('takes a separator', () => {
    expect(groupDigits('1234567', '\u202f')).toBe('1\u202f234\u202f567');
  });
});

describe('quantities', () => {
  it('labels units', () => {
    expect(unitLabel('m3')).toBe('m³');
    expect(unitLabel('kWh')).toBe('kWh');
    expect(unitLabel('')).toBe('');
    expect(unitLabel(null)).toBe('');
  });
  it('formats value and unit exactly', () => {
    expect(formatQuantity('123.450', 'm3')).toBe('123.450 m³');
    expect(formatQuantity('1234.5', 'kWh', true)).toBe('1,234.5 kWh');
    expect(formatQuantity('7', '')).toBe('7');
    expect(formatQuantity(null, 'm3')).toBe('—');
  });
  it('splits "0.001 m3"', () => {
    expect(splitQuantity('0.001 m3')).toEqual({ value: '0.001', unit: 'm3' });
    expect(splitQuantity('10 kWh')).toEqual({ value: '10', unit: 'kWh' });
    expect(splitQuantity('five litres')).toBeNull();
    expect(splitQuantity(null)).toBeNull();
  });
});
