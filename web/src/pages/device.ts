import { api, getSession } from '../api';
import { can } from '../lib/auth';
import { errorMessage, ApiError } from '../lib/apierror';
import { formatQuantity, splitQuantity, unitLabel } from '../lib/decimal';
import { h, icon, mount } from '../lib/dom';
import {
  PRESETS,
  RESOLUTIONS,
  allowedResolutions,
  defaultResolutionForPreset,
  presetRange,
  readingsQuery,
  validateRange,
  type RangePreset,
  type Resolution,
  type TimeRange,
} from '../lib/range';
import { humanize, isFinalCommandState, mediumLabel } from '../lib/status';
import { formatDateTime, formatInterval, fromLocalInput, toLocalInput } from '../lib/time';
import type { Command, Device, List, Meter, MeterEvent, Readings } from '../types';
import { drawChart, QUALITY_COLORS, type ChartHandle } from '../components/chart';
import { ICONS, commandStatePill, emptyRow, errorBanner, eventTypeBadge, field, outputBadge, statusPill, timeAgo } from '../components/ui';

export const COMMAND_POLL_MS = 2_000;
export const DEVICE_REFRESH_MS = 10_000;

const RES_LABEL: Record<Resolution, string> = { interval: 'Interval', hour: 'Hourly', day: 'Daily', month: 'Monthly' };

// The chosen range survives moving between devices.
const chartPrefs: { preset: RangePreset; custom: TimeRange | null; resolution: Resolution | null } = {
  preset: '24h',
  custom: null,
  resolution: null,
};

function items<T>(r: List<T> | T[] | null | undefined): T[] {
  if (!r) return [];
  return Array.isArray(r) ? r : Array.isArray(r.items) ? r.items : [];
}

function commandArgument(c: Command): string {
  if (c.type === 'set_output') return c.argument ? 'on' : 'off';
  if (c.type === 'set_interval') return formatInterval(c.argument);
  return String(c.argument ?? '');
}

function commandTitle(c: Command): string {
  if (c.type === 'set_output') return `Switch output ${c.argument ? 'on' : 'off'}`;
  if (c.type === 'set_interval') return `Set interval to ${formatInterval(c.argument)}`;
  return humanize(c.type);
}

export function renderDevice(root: HTMLElement, id: string): () => void {
  let alive = true;
  // What the role allows: without commands:send the switch stays disabled; without readings:read
  // no chart is asked for.
  const canSend = can(getSession(), 'commands:send');
  const canReadings = can(getSession(), 'readings:read');
  // Device-scoped roles may not list events or fetch a command by its id (403): use what they may.
  const scoped = getSession()?.scoped === true;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (alive) fn();
    }, ms);
    timers.add(t);
  };

  let device: Device | null = null;
  let meter: Meter | null = null;
  let commands: Command[] = [];
  let tracked: Command | null = null; // the set_output command being followed
  let posting = false;
  let chart: ChartHandle | null = null;
  let readingsSeq = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  // ---- skeleton -------------------------------------------------------------------------------
  const title = h('h1', { class: 'mono' }, id);
  const statusBox = h('span');
  const mediumBox = h('span', { class: 'tag' });
  const outputBox = h('span', { 'data-testid': 'output-state' });
  const switchBtn = h(
    'button',
    { class: canSend ? 'btn btn-primary' : 'btn', 'data-testid': 'output-switch', 'data-allowed': String(canSend), disabled: true },
    icon(ICONS.power, 15),
    h('span', null, 'Switch output'),
  );
  const readOnlyNote = canSend ? null : h('span', { class: 'muted small', 'data-testid': 'output-readonly' }, 'read-only');
  const commandStatus = h('div', { class: 'command-status', 'data-testid': 'command-status', hidden: true });
  const errorBox = h('div');
  const deviceDl = h('dl', { class: 'dl', 'data-testid': 'device-details' });
  const meterDl = h('dl', { class: 'dl', 'data-testid': 'meter-details' });
  const meterTitle = h('h2', null, 'Meter');

  // Chart controls.
  const presetBtns = new Map<RangePreset, HTMLButtonElement>();
  const seg = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Range' });
  for (const p of [...PRESETS, { id: 'custom' as const, label: 'Custom' }]) {
    const b = h('button', { type: 'button', class: 'seg', 'data-testid': `range-${p.id}`, onclick: () => choosePreset(p.id) }, p.label);
    presetBtns.set(p.id, b);
    seg.appendChild(b);
  }
  const resSelect = h('select', { class: 'input input-narrow', 'aria-label': 'Resolution', 'data-testid': 'resolution' });
  resSelect.addEventListener('change', () => {
    chartPrefs.resolution = resSelect.value as Resolution;
    void loadReadings();
  });
  const fromInput = h('input', { type: 'datetime-local', class: 'input', 'aria-label': 'From', 'data-testid': 'custom-from' });
  const toInput = h('input', { type: 'datetime-local', class: 'input', 'aria-label': 'To', 'data-testid': 'custom-to' });
  const customMsg = h('span', { class: 'field-error', 'data-testid': 'custom-error' });
  const customRow = h(
    'form',
    {
      class: 'custom-range',
      hidden: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        const r = { from: fromLocalInput(fromInput.value) ?? NaN, to: fromLocalInput(toInput.value) ?? NaN };
        const err = validateRange(r);
        customMsg.textContent = err ?? '';
        if (err) return;
        chartPrefs.custom = r;
        chartPrefs.resolution = null;
        void loadReadings();
      },
    },
    h('label', null, 'From ', fromInput),
    h('label', null, 'To ', toInput),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'custom-apply' }, 'Apply'),
    customMsg,
  );

  const chartEl = h('div', { class: 'chart', 'data-testid': 'consumption-chart', 'data-state': 'idle', 'data-points': '0' });
  const chartMsg = h('div', { class: 'chart-msg', hidden: true, 'data-testid': 'chart-message' });
  const totalValue = h('span', { class: 'total-value mono', 'data-testid': 'period-total-value' }, '—');
  const totalUnit = h('span', { class: 'total-unit' });
  const totalBox = h(
    'div',
    { class: 'total', 'data-testid': 'period-total' },
    h('div', { class: 'total-label' }, 'Period total'),
    h('div', { class: 'total-figure' }, totalValue, ' ', totalUnit),
  );
  const totalSub = h('div', { class: 'total-sub muted' });
  const legend = h(
    'ul',
    { class: 'legend' },
    (['valid', 'estimated', 'suspect'] as const).map((q) =>
      h('li', null, h('span', { class: 'swatch', style: { background: QUALITY_COLORS[q] } }), humanize(q)),
    ),
  );
  const zoneNote = h('div', { class: 'muted small' });

  const commandsBody = h('tbody', null, emptyRow(6, 'Loading…', 'loading'));
  const eventsBody = h('tbody', null, emptyRow(3, 'Loading…', 'loading'));

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/fleet' }, 'Fleet'), h('span', { class: 'sep' }, '/'), h('span', null, id)),
      h(
        'div',
        { class: 'page-head' },
        title,
        statusBox,
        mediumBox,
        h('div', { class: 'spacer' }),
        h('div', { class: 'output-control' }, h('span', { class: 'muted' }, 'Output'), outputBox, switchBtn, readOnlyNote),
      ),
      commandStatus,
      errorBox,
      h(
        'div',
        { class: 'grid grid-2' },
        h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Device')), deviceDl),
        h('div', { class: 'card' }, h('div', { class: 'card-head' }, meterTitle), meterDl),
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Consumption'), h('div', { class: 'spacer' }), seg, resSelect),
        customRow,
        h(
          'div',
          { class: 'chart-layout' },
          h('div', { class: 'chart-wrap' }, chartEl, chartMsg),
          h('aside', { class: 'chart-side' }, totalBox, totalSub, legend, zoneNote),
        ),
      ),
      h(
        'div',
        { class: 'grid grid-2' },
        h(
          'div',
          { class: 'card card-flush' },
          h('div', { class: 'card-head padded' }, h('h2', null, 'Commands')),
          h(
            'table',
            { class: 'table', 'data-testid': 'commands-table' },
            h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'Command'), h('th', null, 'State'), h('th', null, 'Created'), h('th', null, 'Updated'), h('th', null, 'Result'))),
            commandsBody,
          ),
        ),
        h(
          'div',
          { class: 'card card-flush' },
          h('div', { class: 'card-head padded' }, h('h2', null, 'Recent events'), h('div', { class: 'spacer' }), scoped ? null : h('a', { href: '#/events', class: 'small' }, 'All events →')),
          h(
            'table',
            { class: 'table', 'data-testid': 'device-events' },
            h('thead', null, h('tr', null, h('th', null, 'When'), h('th', null, 'Type'), h('th', null, 'Detail'))),
            eventsBody,
          ),
        ),
      ),
    ),
  );

  // ---- device and meter -----------------------------------------------------------------------
  function drawDevice(d: Device): void {
    const now = Date.now();
    mount(statusBox, statusPill(d.status));
    mediumBox.textContent = mediumLabel(d.medium);
    const pw = splitQuantity(d.pulse_weight);
    mount(
      deviceDl,
      field('Meter', h('span', { class: 'mono' }, d.meter || '—')),
      field('Medium', mediumLabel(d.medium)),
      field('Pulse weight', pw ? formatQuantity(pw.value, pw.unit) : d.pulse_weight || '—'),
      field('Reporting interval', formatInterval(d.interval_s)),
      field('Counter', d.counter_bits ? `${d.counter_bits} bit` : '—'),
      field('Last seen', d.last_seen ? h('span', null, timeAgo(d.last_seen, now), h('span', { class: 'muted' }, ` · ${formatDateTime(d.last_seen)}`)) : h('span', { class: 'muted' }, 'never')),
      field('Register', d.register ? h('span', { class: 'mono', title: `at ${formatDateTime(d.register.at)}` }, formatQuantity(d.register.value, d.register.unit)) : '—', 'device-register'),
      field('Backlog', h('span', { class: d.backlog > 0 ? 'mono warn' : 'mono' }, `${d.backlog ?? 0} message${d.backlog === 1 ? '' : 's'}`)),
      field('Acknowledged seq', h('span', { class: 'mono' }, String(d.acked_seq ?? '—'))),
      field('Created', formatDateTime(d.created)),
    );
    drawOutput();
  }

  function drawMeter(m: Meter | null, err?: string): void {
    meterTitle.textContent = m ? `Meter ${m.id}` : 'Meter';
    if (!m) {
      mount(meterDl, h('div', { class: 'muted' }, err ?? 'No meter is attached to this device.'));
      return;
    }
    mount(
      meterDl,
      field('Meter id', h('span', { class: 'mono' }, m.id)),
      field('Medium', mediumLabel(m.medium)),
      field('Channel', m.channel),
      field('Unit', unitLabel(m.unit)),
      field('Time zone', m.time_zone),
      field('Interval', formatInterval(m.interval_s)),
      field('Register', m.register ? h('span', { class: 'mono', title: `at ${formatDateTime(m.register.at)}` }, formatQuantity(m.register.value, m.register.unit)) : '—'),
      field('Register read', m.register ? timeAgo(m.register.at) : '—'),
    );
    // A polled meter (M-Bus, Modbus) also has present values: temperatures, flow, voltages.
    void api.present(m.id).then(
      (p) => {
        for (const v of p.items) {
          meterDl.append(...field(humanize(v.name), h('span', { class: 'mono', title: `at ${formatDateTime(v.at)}` }, formatQuantity(v.value, v.unit))));
        }
      },
      () => {},
    );
  }

  // ---- output switch and commands --------------------------------------------------------------
  function outstanding(): boolean {
    return posting || (tracked !== null && !isFinalCommandState(tracked.state));
  }

  function drawOutput(): void {
    mount(outputBox, outputBadge(device?.output));
    const on = device?.output === 'on';
    const label = switchBtn.querySelector('span')!;
    label.textContent = on ? 'Switch output off' : 'Switch output on';
    switchBtn.dataset.target = on ? 'off' : 'on';
    switchBtn.disabled = !canSend || !device || outstanding();
    switchBtn.title = !canSend ? 'Your role cannot send commands (needs commands:send)' : outstanding() ? 'A command is outstanding' : '';
  }

  function drawCommandStatus(): void {
    if (!tracked) {
      commandStatus.hidden = true;
      return;
    }
    const c = tracked;
    commandStatus.hidden = false;
    commandStatus.className = `command-status ${isFinalCommandState(c.state) ? 'is-final' : 'is-active'}`;
    mount(
      commandStatus,
      !isFinalCommandState(c.state) ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null,
      h('span', { class: 'strong' }, commandTitle(c)),
      h('span', { class: 'muted mono' }, `#${c.id}`),
      commandStatePill(c.state, 'command-state'),
      h(
        'span',
        { class: 'muted' },
        c.state === 'pending'
          ? 'waiting for the device to call in'
          : c.state === 'sent'
            ? 'delivered, waiting for acknowledgement'
            : c.state === 'acknowledged'
              ? 'carried out by the device'
              : c.state === 'failed'
                ? `failed${c.result ? ': ' + c.result : ''}`
                : c.state === 'expired'
                  ? 'expired before the device called in'
                  : '',
      ),
      h('span', { class: 'spacer' }),
      c.updated ? h('span', { class: 'muted small' }, 'updated ', timeAgo(c.updated)) : null,
    );
  }

  function drawCommands(): void {
    if (commands.length === 0) {
      mount(commandsBody, emptyRow(6, 'No commands sent to this device.'));
      return;
    }
    mount(
      commandsBody,
      commands.map((c) =>
        h(
          'tr',
          { 'data-testid': `command-row-${c.id}` },
          h('td', { class: 'mono muted' }, String(c.id)),
          h('td', null, c.type === 'set_output' || c.type === 'set_interval' ? commandTitle(c) : `${humanize(c.type)} ${commandArgument(c)}`),
          h('td', null, commandStatePill(c.state)),
          h('td', null, timeAgo(c.created)),
          h('td', null, timeAgo(c.updated)),
          h('td', { class: 'muted' }, c.result || ''),
        ),
      ),
    );
  }

  function upsertCommand(c: Command): void {
    const i = commands.findIndex((x) => x.id === c.id);
    if (i >= 0) commands[i] = c;
    else commands.unshift(c);
    drawCommands();
  }

  function track(c: Command): void {
    tracked = c;
    upsertCommand(c);
    drawCommandStatus();
    drawOutput();
    if (!isFinalCommandState(c.state)) later(() => void poll(c.id), COMMAND_POLL_MS);
    else void onFinal(c);
  }

  async function poll(cid: number): Promise<void> {
    if (!tracked || tracked.id !== cid) return;
    try {
      const c = await fetchCommand(cid);
      if (!alive || !tracked || tracked.id !== cid) return;
      track(c);
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not check command #${cid}: ${errorMessage(e)}`));
      later(() => void poll(cid), COMMAND_POLL_MS);
    }
  }

  async function fetchCommand(cid: number): Promise<Command> {
    if (!scoped) return api.command(cid);
    const c = items(await api.deviceCommands(id, { limit: 20 })).find((x) => x.id === cid);
    if (!c) throw new ApiError(404, 'not_found', `command #${cid} is no longer among the device's latest`);
    return c;
  }

  async function onFinal(c: Command): Promise<void> {
    if (c.state === 'acknowledged' && c.type === 'set_output' && device) {
      device = { ...device, output: c.argument ? 'on' : 'off' };
      drawOutput();
    }
    // The device record, its events and its commands all moved: fetch them again.
    await refreshDetails();
  }

  switchBtn.addEventListener('click', async () => {
    if (!canSend || !device || outstanding()) return;
    const on = device.output !== 'on';
    posting = true;
    drawOutput();
    mount(errorBox);
    try {
      const c = await api.setOutput(id, on);
      posting = false;
      if (!alive) return;
      track(c);
    } catch (e) {
      posting = false;
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not switch the output: ${errorMessage(e)}`, 'command-error'));
      drawOutput();
    }
  });

  // ---- readings chart -------------------------------------------------------------------------
  function currentRange(): TimeRange {
    if (chartPrefs.preset === 'custom') return chartPrefs.custom ?? presetRange('7d');
    return presetRange(chartPrefs.preset);
  }

  function choosePreset(p: RangePreset): void {
    chartPrefs.preset = p;
    chartPrefs.resolution = null;
    if (p === 'custom') {
      const r = chartPrefs.custom ?? presetRange('7d');
      fromInput.value = toLocalInput(r.from);
      toInput.value = toLocalInput(r.to);
      customRow.hidden = false;
      drawControls();
      if (!chartPrefs.custom) return; // wait for Apply
    } else {
      customRow.hidden = true;
    }
    void loadReadings();
  }

  function drawControls(): Resolution {
    for (const [p, b] of presetBtns) {
      b.classList.toggle('active', p === chartPrefs.preset);
      b.setAttribute('aria-pressed', String(p === chartPrefs.preset));
    }
    customRow.hidden = chartPrefs.preset !== 'custom';
    const range = currentRange();
    const allowed = allowedResolutions(range, meter?.interval_s ?? 900);
    let res = chartPrefs.resolution ?? defaultResolutionForPreset(chartPrefs.preset, range);
    if (!allowed.includes(res)) res = allowed.includes(defaultResolutionForPreset('custom', range)) ? defaultResolutionForPreset('custom', range) : allowed[allowed.length - 1];
    mount(
      resSelect,
      RESOLUTIONS.map((r) =>
        h('option', { value: r, selected: r === res, disabled: !allowed.includes(r) }, r === 'interval' && meter ? `Interval (${formatInterval(meter.interval_s)})` : RES_LABEL[r]),
      ),
    );
    resSelect.value = res;
    return res;
  }

  function clearChart(): void {
    chart?.destroy();
    chart = null;
    chartEl.replaceChildren();
  }

  function showChartMessage(text: string, kind: 'empty' | 'error' | 'loading'): void {
    chartMsg.hidden = false;
    chartMsg.className = `chart-msg chart-msg-${kind}`;
    chartMsg.textContent = text;
  }

  async function loadReadings(): Promise<void> {
    if (!meter) return;
    const res = drawControls();
    if (!canReadings) {
      chartEl.dataset.state = 'forbidden';
      showChartMessage('Your role cannot read readings (needs readings:read).', 'empty');
      return;
    }
    const range = currentRange();
    const q = readingsQuery(range, res);
    const my = ++readingsSeq;
    Object.assign(chartEl.dataset, { seq: String(my), state: 'loading', meter: meter.id, from: q.from, to: q.to, resolution: q.resolution });
    chartEl.classList.add('is-loading');
    if (!chart) showChartMessage('Loading readings…', 'loading');
    let r: Readings;
    try {
      r = await api.readings(meter.id, q);
    } catch (e) {
      if (!alive || my !== readingsSeq) return;
      clearChart();
      chartEl.dataset.points = '0';
      chartEl.dataset.state = 'error';
      chartEl.classList.remove('is-loading');
      showChartMessage(`Could not load readings: ${errorMessage(e)}`, 'error');
      totalValue.textContent = '—';
      totalBox.dataset.total = '';
      totalSub.textContent = '';
      return;
    }
    if (!alive || my !== readingsSeq) return;
    clearChart();
    const points = Array.isArray(r.points) ? r.points : [];
    const unit = r.unit || meter.unit;
    totalValue.textContent = r.total ?? '—';
    totalUnit.textContent = unitLabel(unit);
    totalBox.dataset.total = r.total ?? '';
    totalBox.dataset.unit = unit;
    totalBox.title = `${r.total} ${unit} from ${formatDateTime(q.from)} to ${formatDateTime(q.to)}`;
    const est = points.filter((p) => p.quality === 'estimated').length;
    const sus = points.filter((p) => p.quality === 'suspect').length;
    totalSub.textContent =
      `${points.length} ${RES_LABEL[res].toLowerCase()} period${points.length === 1 ? '' : 's'}` +
      (est ? ` · ${est} estimated` : '') +
      (sus ? ` · ${sus} suspect` : '');
    zoneNote.textContent = `Times in ${r.time_zone || meter.time_zone}`;
    if (points.length === 0) {
      chartEl.dataset.points = '0';
      showChartMessage('No readings in this period.', 'empty');
    } else {
      chartMsg.hidden = true;
      chart = drawChart(chartEl, points, { fromMs: range.from, toMs: range.to, unit, timeZone: r.time_zone || meter.time_zone });
      chartEl.dataset.points = String(chart.points);
      if (chart.points === 0) showChartMessage('No readings in this period.', 'empty');
    }
    chartEl.classList.remove('is-loading');
    chartEl.dataset.state = points.length ? 'ready' : 'empty';
  }

  // ---- loading --------------------------------------------------------------------------------
  async function loadCommands(): Promise<void> {
    try {
      commands = items(await api.deviceCommands(id, { limit: 20 }));
      if (!alive) return;
      drawCommands();
      // Follow an output command still under way (e.g. sent before the page was opened).
      if (!tracked) {
        const open = commands.find((c) => c.type === 'set_output' && !isFinalCommandState(c.state));
        if (open) track(open);
      }
    } catch (e) {
      if (alive) mount(commandsBody, emptyRow(6, `Could not load commands: ${errorMessage(e)}`, 'error'));
    }
  }

  async function loadEvents(): Promise<void> {
    if (scoped) {
      mount(eventsBody, emptyRow(3, 'Events are not available to device-scoped roles.'));
      return;
    }
    try {
      const ev: MeterEvent[] = items(await api.events({ device: id, limit: 20 }));
      if (!alive) return;
      if (ev.length === 0) mount(eventsBody, emptyRow(3, 'No events for this device.'));
      else
        mount(
          eventsBody,
          ev.map((e) => h('tr', null, h('td', { class: 'nowrap' }, timeAgo(e.at)), h('td', null, eventTypeBadge(e.type)), h('td', { class: 'detail' }, e.detail || ''))),
        );
    } catch (e) {
      if (alive) mount(eventsBody, emptyRow(3, `Could not load events: ${errorMessage(e)}`, 'error'));
    }
  }

  async function refreshDetails(): Promise<void> {
    if (refreshTimer !== undefined) {
      clearTimeout(refreshTimer);
      timers.delete(refreshTimer);
    }
    try {
      const d = await api.device(id);
      if (!alive) return;
      device = d;
      drawDevice(d);
    } catch {
      // Keep what is shown; the next refresh tries again.
    }
    await Promise.all([tracked && !isFinalCommandState(tracked.state) ? Promise.resolve() : loadCommands(), loadEvents()]);
    if (!alive) return;
    refreshTimer = setTimeout(() => {
      if (refreshTimer !== undefined) timers.delete(refreshTimer);
      if (alive) void refreshDetails();
    }, DEVICE_REFRESH_MS);
    timers.add(refreshTimer);
  }

  async function init(): Promise<void> {
    drawControls();
    try {
      device = await api.device(id);
    } catch (e) {
      if (!alive) return;
      const notFound = e instanceof ApiError && e.status === 404;
      mount(errorBox, errorBanner(notFound ? `Device ${id} does not exist.` : `Could not load device ${id}: ${errorMessage(e)}`, 'device-error'));
      showChartMessage('No device.', 'error');
      chartEl.dataset.state = 'error';
      return;
    }
    if (!alive) return;
    drawDevice(device);
    void loadCommands();
    void loadEvents();
    if (device.meter) {
      try {
        meter = await api.meter(device.meter);
        if (!alive) return;
        drawMeter(meter);
      } catch (e) {
        if (!alive) return;
        drawMeter(null, `Could not load meter ${device.meter}: ${errorMessage(e)}`);
        showChartMessage('No meter, no readings.', 'error');
        chartEl.dataset.state = 'error';
      }
    } else {
      drawMeter(null);
      showChartMessage('No meter is attached to this device.', 'empty');
      chartEl.dataset.state = 'empty';
    }
    if (meter) {
      if (chartPrefs.preset === 'custom' && !chartPrefs.custom) chartPrefs.preset = '24h';
      await loadReadings();
    }
    refreshTimer = setTimeout(() => {
      if (refreshTimer !== undefined) timers.delete(refreshTimer);
      if (alive) void refreshDetails();
    }, DEVICE_REFRESH_MS);
    timers.add(refreshTimer);
  }

  void init();
  return () => {
    alive = false;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    clearChart();
  };
}
