import { api } from '../api';
import { errorMessage } from '../lib/apierror';
import { debounce, h, icon, mount } from '../lib/dom';
import { EVENT_TYPES, humanize } from '../lib/status';
import { clockTime, formatDateTime } from '../lib/time';
import { deviceHref } from '../router';
import type { List, MeterEvent } from '../types';
import { ICONS, emptyRow, errorBanner, eventTypeBadge, pager, timeAgo } from '../components/ui';

export const EVENTS_REFRESH_MS = 10_000;
const COLS = 5;
const state = { type: '', device: '', limit: 50, offset: 0 };

export function renderEvents(root: HTMLElement): () => void {
  let alive = true;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown = false;

  const tbody = h('tbody', null, emptyRow(COLS, 'Loading events…', 'loading'));
  const errorBox = h('div');
  const pagerBox = h('div');
  const count = h('span', { class: 'page-count', 'data-testid': 'events-total' });
  const updated = h('span', { class: 'updated muted' });

  const typeSel = h(
    'select',
    { class: 'input', 'aria-label': 'Event type', 'data-testid': 'event-type-filter' },
    h('option', { value: '' }, 'All types'),
    EVENT_TYPES.map((t) => h('option', { value: t, selected: state.type === t }, humanize(t))),
  );
  const deviceInput = h('input', { type: 'search', class: 'input input-search', placeholder: 'Device id…', value: state.device, 'aria-label': 'Device', 'data-testid': 'event-device-filter' });
  typeSel.addEventListener('change', () => {
    state.type = typeSel.value;
    state.offset = 0;
    void load();
  });
  const onDevice = debounce(() => {
    state.device = deviceInput.value.trim();
    state.offset = 0;
    void load();
  }, 300);
  deviceInput.addEventListener('input', onDevice);

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Events'), count, h('div', { class: 'spacer' }), updated),
      h('div', { class: 'toolbar' }, typeSel, h('div', { class: 'search-wrap' }, icon(ICONS.search, 15), deviceInput), h('div', { class: 'spacer' }), pagerBox),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h(
          'table',
          { class: 'table', 'data-testid': 'events-table' },
          h('thead', null, h('tr', null, h('th', { class: 'col-time' }, 'Time'), h('th', { class: 'col-type' }, 'Type'), h('th', { class: 'col-id' }, 'Device'), h('th', { class: 'col-id' }, 'Meter'), h('th', null, 'Detail'))),
          tbody,
        ),
      ),
    ),
  );

  function draw(list: List<MeterEvent>): void {
    const now = Date.now();
    const rows = Array.isArray(list.items) ? list.items : [];
    if (rows.length === 0) mount(tbody, emptyRow(COLS, state.type || state.device ? 'No events match the filter.' : 'No events yet.'));
    else
      mount(
        tbody,
        rows.map((e) =>
          h(
            'tr',
            { 'data-testid': 'event-row', 'data-type': e.type },
            h('td', { class: 'nowrap' }, timeAgo(e.at, now), h('div', { class: 'muted small' }, formatDateTime(e.at))),
            h('td', null, eventTypeBadge(e.type)),
            h('td', { class: 'mono' }, e.device ? h('a', { href: deviceHref(e.device) }, e.device) : h('span', { class: 'muted' }, '—')),
            h('td', { class: 'mono' }, e.meter || '—'),
            h('td', { class: 'detail' }, e.detail || ''),
          ),
        ),
      );
    const total = typeof list.total === 'number' ? list.total : rows.length;
    count.textContent = `${total.toLocaleString('en-US')} event${total === 1 ? '' : 's'}`;
    mount(pagerBox, pager({ total, limit: list.limit || state.limit, offset: list.offset ?? state.offset }, (o) => {
      state.offset = o;
      void load();
    }, 'events-pager'));
  }

  async function load(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const my = ++seq;
    try {
      const list = await api.events({ type: state.type || undefined, device: state.device || undefined, limit: state.limit, offset: state.offset });
      if (!alive || my !== seq) return;
      shown = true;
      draw(list);
      mount(errorBox);
      updated.textContent = `Updated ${clockTime()} · refreshes every ${EVENTS_REFRESH_MS / 1000} s`;
    } catch (e) {
      if (!alive || my !== seq) return;
      mount(errorBox, errorBanner(errorMessage(e)));
      if (!shown) mount(tbody, emptyRow(COLS, 'Could not load events.'));
    } finally {
      if (alive && my === seq) timer = setTimeout(() => void load(), EVENTS_REFRESH_MS);
    }
  }

  void load();
  return () => {
    alive = false;
    onDevice.cancel();
    if (timer !== undefined) clearTimeout(timer);
  };
}
