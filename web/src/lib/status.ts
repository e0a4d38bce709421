// Device status and its colour cue.

export type DeviceStatus = 'online' | 'late' | 'offline' | 'never';

export interface StatusStyle {
  label: string;
  /** CSS class on the status pill: status-online, status-late, ... */
  className: string;
  /** The cue colour, also used outside CSS (e.g. chart legends). */
  color: string;
  description: string;
}

const STYLES: Record<DeviceStatus, StatusStyle> = {
  online: { label: 'Online', className: 'status-online', color: '#1a7f37', description: 'heard within 2 reporting intervals' },
  late: { label: 'Late', className: 'status-late', color: '#b7791f', description: 'heard within 6 reporting intervals' },
  offline: { label: 'Offline', className: 'status-offline', color: '#cf222e', description: 'not heard for more than 6 reporting intervals' },
  never: { label: 'Never seen', className: 'status-never', color: '#8c959f', description: 'not heard yet' },
};

const UNKNOWN: StatusStyle = { label: 'Unknown', className: 'status-unknown', color: '#8c959f', description: 'unknown status' };

export function statusStyle(status: string | null | undefined): StatusStyle {
  if (status && Object.prototype.hasOwnProperty.call(STYLES, status)) return STYLES[status as DeviceStatus];
  return status ? { ...UNKNOWN, label: status } : UNKNOWN;
}

export type CommandState = 'pending' | 'sent' | 'acknowledged' | 'failed' | 'expired';

export function isFinalCommandState(state: string): boolean {
  return state === 'acknowledged' || state === 'failed' || state === 'expired';
}

export function commandStateClass(state: string): string {
  switch (state) {
    case 'acknowledged':
      return 'cmd-ok';
    case 'failed':
    case 'expired':
      return 'cmd-bad';
    case 'pending':
    case 'sent':
      return 'cmd-wait';
    default:
      return 'cmd-unknown';
  }
}

export const MEDIA = ['electricity', 'water', 'hot_water', 'gas', 'heat'] as const;

export function mediumLabel(m: string | null | undefined): string {
  switch (m) {
    case 'electricity':
      return 'Electricity';
    case 'water':
      return 'Water';
    case 'hot_water':
      return 'Hot water';
    case 'gas':
      return 'Gas';
    case 'heat':
      return 'Heat';
    default:
      return m ?? '—';
  }
}

export const EVENT_TYPES = [
  'tamper',
  'power_loss',
  'power_restored',
  'output_changed',
  'meter_error',
  'sequence_gap',
  'counter_rollover',
  'counter_reset',
  'device_replaced',
  'clock_skew',
  'duplicate_conflict',
  'command_failed',
  'bill_held',
  'bill_flagged',
] as const;

/** "power_loss" -> "Power loss". */
export function humanize(s: string): string {
  const t = s.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Severity of an event type for its badge colour. */
export function eventSeverity(type: string): 'bad' | 'warn' | 'ok' | 'info' {
  switch (type) {
    case 'tamper':
    case 'duplicate_conflict':
    case 'command_failed':
    case 'counter_reset':
      return 'bad';
    case 'power_loss':
    case 'sequence_gap':
    case 'clock_skew':
    case 'device_replaced':
    case 'bill_held': // a bill run held an account out (an audit rule failed)
    case 'bill_flagged': // a bill run flagged a bill for review (fluctuation)
      return 'warn';
    case 'power_restored':
      return 'ok';
    default:
      return 'info';
  }
}
