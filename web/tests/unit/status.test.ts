import { describe, expect, it } from 'vitest';
import { commandStateClass, eventSeverity, humanize, isFinalCommandState, statusStyle } from '../../src/lib/status';

describe('statusStyle', () => {
  it('maps each status to its colour cue', () => {
    expect(statusStyle('online').className).toBe('status-online');
    expect(statusStyle('late').className).toBe('status-late');
    expect(statusStyle('offline').className).toBe('status-offline');
    expect(statusStyle('never').className).toBe('status-never');
  });
  it('uses green, amber, red and grey', () => {
    const hue = (hex: string): 'green' | 'amber' | 'red' | 'grey' => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      if (Math.max(r, g, b) - Math.min(r, g, b) < 30) return 'grey';
      if (g > r && g > b) return 'green';
      if (r > g && g > b && g > 0x60) return 'amber';
      return 'red';
    };
    expect(hue(statusStyle('online').color)).toBe('green');
    expect(hue(statusStyle('late').color)).toBe('amber');
    expect(hue(statusStyle('offline').color)).toBe('red');
    expect(hue(statusStyle('never').color)).toBe('grey');
  });
  it('falls back to grey for unknown statuses, keeping the name', () => {
    expect(statusStyle('sleeping').className).toBe('status-unknown');
    expect(statusStyle('sleeping').label).toBe('sleeping');
    expect(statusStyle(null).label).toBe('Unknown');
    expect(statusStyle('toString').className).toBe('status-unknown');
  });
});

describe('command states', () => {
  it('knows the final ones', () => {
    expect(['pending', 'sent'].map(isFinalCommandState)).toEqual([false, false]);
    expect(['acknowledged', 'failed', 'expired'].map(isFinalCommandState)).toEqual([true, true, true]);
  });
  it('classes them', () => {
    expect(commandStateClass('acknowledged')).toBe('cmd-ok');
    expect(commandStateClass('sent')).toBe('cmd-wait');
    expect(commandStateClass('expired')).toBe('cmd-bad');
    expect(commandStateClass('weird')).toBe('cmd-unknown');
  });
});

describe('events', () => {
  it('humanizes type names', () => {
    expect(humanize('power_loss')).toBe('Power loss');
    expect(humanize('tamper')).toBe('Tamper');
  });
  it('ranks severities', () => {
    expect(eventSeverity('tamper')).toBe('bad');
    expect(eventSeverity('power_loss')).toBe('warn');
    expect(eventSeverity('power_restored')).toBe('ok');
    expect(eventSeverity('output_changed')).toBe('info');
  });
});
