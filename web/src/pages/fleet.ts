import { api } from '../api';
import { errorMessage } from '../lib/apierror';
import { formatQuantity } from '../lib/decimal';
import { debounce, h, icon, mount } from '../lib/dom';
import { MEDIA, mediumLabel } from '../lib/status';
import { clockTime, formatDateTime } from '../lib/time';
import { deviceHref } from '../router';
import type { Device, List } from '../types';
import { ICONS, emptyRow, errorBanner, outputBadge, pager, statusPill, timeAgo } from '../components/ui';

export const FLEET_REFRESH_MS = 10_000;
const COLS = 8;

// Kept across visits so going back to the fleet shows the same page of the same search.
const state = { search: '', medium: '', limit: 50, offset: 0 };

export function renderFleet(root: HTMLElement): () => void {
  let alive = true;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let abort: AbortController | null = null;
  let last: List<Device> | null = null;

  const tbody = h('tbody', null, emptyRow(COLS, 'Loading devices…', 'loading'));
  const errorBox = h('div');
  const pagerBox = h('div');
  const count = h('span', { class: 'page-count', 'data-testid': 'fleet-total' });
  const updated = h('span', { class: 'updated muted', 'data-testid': 'fleet-updated' });

  const search = h('input', {
    type: 'search',
    class: 'input input-search',
    placeholder: 'Search device or meter id…',
    value: state.search,
    'aria-label': 'Search devices',
    'data-testid': 'fleet-search',
  });
  const medium = h(
    'select',
    { class: 'input', 'aria-label': 'Medium', 'data-testid': 'fleet-medium' },
    h('option', { value: '' }, 'All media'),
    MEDIA.map((m) => h('option', { value: m, selected: state.medium === m }, mediumLabel(m))),
  );
  const pageSize = h(
    'select',
    { class: 'input input-narrow', 'aria-label': 'Rows per page', 'data-testid': 'fleet-page-size' },
    [25, 50, 100, 200].map((n) => h('option', { value: String(n), selected: state.limit === n }, `${n} / page`)),
  );

  const runSearch = debounce(() => {
    state.search = search.value.trim();
    state.offset = 0;
    void load(true);
  }, 300);
  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      runSearch.cancel();
      state.search = search.value.trim();
      state.offset = 0;
      void load(true);
    }
  });
  medium.addEventListener('change', () => {
    state.medium = medium.value;
    state.offset = 0;
    void load(true);
  });
  pageSize.addEventListener('change', () => {
    state.limit = Number(pageSize.value);
    state.offset = 0;
    void load(true);
  });

  const table = h(
    'table',
    { class: 'table table-fleet', 'data-testid': 'fleet-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Device'),
        h('th', null, 'Meter'),
        h('th', null, 'Medium'),
        h('th', null, 'Status'),
        h('th', null, 'Last seen'),
        h('th', { class: 'num' }, 'Register'),
        h('th', { class: 'num' }, 'Backlog'),
        h('th', null, 'Output'),
      ),
    ),
    tbody,
  );

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Fleet'), count, h('div', { class: 'spacer' }), updated),
      h(
        'div',
        { class: 'toolbar' },
        h('div', { class: 'search-wrap' }, icon(ICONS.search, 15), search),
        medium,
        h('div', { class: 'spacer' }),
        pageSize,
        pagerBox,
      ),
      errorBox,
      h('div', { class: 'card card-flush table-wrap' }, table),
    ),
  );

  function row(d: Device, now: number): HTMLTableRowElement {
    const open = (): void => {
      location.hash = deviceHref(d.id);
    };
    return h(
      'tr',
      {
        class: 'clickable',
        tabindex: 0,
        'data-testid': `device-row-${d.id}`,
        'data-status': d.status,
        onclick: (e: Event) => {
          if ((e.target as HTMLElement).closest('a')) return;
          open();
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') open();
        },
      },
      h('td', { class: 'mono strong' }, h('a', { href: deviceHref(d.id) }, d.id)),
      h('td', { class: 'mono' }, d.meter || '—'),
      h('td', null, mediumLabel(d.medium)),
      h('td', null, statusPill(d.status)),
      h('td', null, timeAgo(d.last_seen, now)),
      h(
        'td',
        { class: 'num mono', title: d.register ? `${d.register.value} ${d.register.unit} at ${formatDateTime(d.register.at)}` : undefined },
        d.register ? formatQuantity(d.register.value, d.register.unit, true) : h('span', { class: 'muted' }, '—'),
      ),
      h('td', { class: d.backlog > 0 ? 'num mono warn' : 'num mono' }, String(d.backlog ?? 0)),
      h('td', null, outputBadge(d.output)),
    );
  }

  function draw(list: List<Device>): void {
    const now = Date.now();
    if (list.items.length === 0) {
      mount(tbody, emptyRow(COLS, state.search || state.medium ? 'No devices match the filter.' : 'No devices yet.'));
    } else {
      mount(tbody, list.items.map((d) => row(d, now)));
    }
    count.textContent = `${list.total.toLocaleString('en-US')} device${list.total === 1 ? '' : 's'}`;
    mount(
      pagerBox,
      pager({ total: list.total, limit: list.limit || state.limit, offset: list.offset ?? state.offset }, (o) => {
        state.offset = o;
        void load(true);
      }, 'fleet-pager'),
    );
  }

  async function load(userAction: boolean): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    abort?.abort();
    const ctl = new AbortController();
    abort = ctl;
    const my = ++seq;
    if (userAction) table.classList.add('is-loading');
    try {
      const list = await api.devices(
        { search: state.search || undefined, medium: state.medium || undefined, limit: state.limit, offset: state.offset },
        ctl.signal,
      );
      if (!alive || my !== seq) return;
      // A page past the end (devices went away): go back to the last page.
      if (list.items.length === 0 && list.total > 0 && state.offset > 0) {
        state.offset = Math.max(0, Math.floor((list.total - 1) / state.limit) * state.limit);
        void load(false);
        return;
      }
      last = list;
      draw(list);
      mount(errorBox);
      updated.textContent = `Updated ${clockTime()} · refreshes every ${FLEET_REFRESH_MS / 1000} s`;
    } catch (e) {
      if (!alive || my !== seq || (e instanceof DOMException && e.name === 'AbortError')) return;
      mount(errorBox, errorBanner(errorMessage(e)));
      if (!last) mount(tbody, emptyRow(COLS, 'Could not load devices.'));
    } finally {
      if (alive && my === seq) {
        table.classList.remove('is-loading');
        timer = setTimeout(() => void load(false), FLEET_REFRESH_MS);
      }
    }
  }

  void load(true);
  return () => {
    alive = false;
    runSearch.cancel();
    abort?.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}
