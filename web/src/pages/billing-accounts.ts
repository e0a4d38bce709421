import { api, getSession } from '../api';
import { errorMessage } from '../lib/apierror';
import { can } from '../lib/auth';
import { accountsCsv, humanDay } from '../lib/billing';
import { debounce, h, icon, mount } from '../lib/dom';
import { hashParam } from '../router';
import type { BillingAccount } from '../types';
import { ICONS, emptyRow, errorBanner, pager } from '../components/ui';
import { billingTabs, downloadText } from './billing-common';
import { accountPanel } from './billing-account-panel';

// Billing accounts (#/billing/accounts[?cycle=]): search by id or name, filter by cycle, page
// through; a row opens a panel with the account's service point and bills (and, with billing:run,
// forms to change the account and exchange its meter). The shown page exports as CSV.
const COLS = 8;
const state = { search: '', cycle: '', limit: 50, offset: 0 };

export function renderBillingAccounts(root: HTMLElement): () => void {
  let alive = true;
  let seq = 0;
  let open: string | null = null;
  let flash = '';
  let items: BillingAccount[] = [];
  const mayEdit = can(getSession(), 'billing:run');
  const fromHash = hashParam(location.hash, 'cycle');
  if (fromHash !== null) {
    state.cycle = fromHash;
    state.offset = 0;
  }

  const tbody = h('tbody', null, emptyRow(COLS, 'Loading accounts…', 'loading'));
  const count = h('span', { class: 'page-count', 'data-testid': 'accounts-total' });
  const errorBox = h('div');
  const pagerBox = h('div');
  const search = h('input', { type: 'search', class: 'input input-search', placeholder: 'Search account id or name…', value: state.search, 'aria-label': 'Search accounts', 'data-testid': 'accounts-search' });
  const cycle = h('select', { class: 'input', 'aria-label': 'Billing cycle', 'data-testid': 'accounts-cycle' }, h('option', { value: '' }, 'All cycles'));
  const exportBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'accounts-export' }, 'Export CSV');

  const runSearch = debounce(() => {
    state.search = search.value.trim();
    state.offset = 0;
    void load();
  }, 300);
  search.addEventListener('input', runSearch);
  cycle.addEventListener('change', () => {
    state.cycle = cycle.value;
    state.offset = 0;
    void load();
  });
  exportBtn.addEventListener('click', () => downloadText(`accounts${state.cycle ? '-' + state.cycle : ''}.csv`, accountsCsv(items as unknown as Record<string, unknown>[])));

  function rows(a: BillingAccount): HTMLTableRowElement[] {
    const toggle = (): void => {
      open = open === a.id ? null : a.id;
      flash = '';
      draw();
    };
    const out = [
      h(
        'tr',
        {
          class: open === a.id ? 'clickable row-open' : 'clickable',
          tabindex: 0,
          'aria-expanded': String(open === a.id),
          'data-testid': `account-row-${a.id}`,
          onclick: toggle,
          onkeydown: (e: KeyboardEvent) => {
            if (e.key === 'Enter') toggle();
          },
        },
        h('td', { class: 'mono strong' }, a.id),
        h('td', null, a.name || h('span', { class: 'muted' }, '—')),
        h('td', { class: 'mono' }, a.cycle),
        h('td', { class: 'mono' }, a.zone),
        h('td', null, a.customer_class),
        h('td', { class: 'mono' }, a.meter, h('div', { class: 'muted small' }, a.service_point)),
        h('td', { class: 'mono' }, a.tariff),
        h('td', { class: 'nowrap' }, humanDay(a.move_in), a.move_out ? h('div', { class: 'muted small' }, `out ${humanDay(a.move_out)}`) : null),
      ),
    ];
    if (open === a.id) {
      out.push(
        h(
          'tr',
          { class: 'row-panel', 'data-testid': `account-panel-${a.id}` },
          h(
            'td',
            { colspan: COLS },
            accountPanel(
              a,
              mayEdit,
              (updated, message) => {
                const i = items.findIndex((x) => x.id === updated.id);
                if (i >= 0) items[i] = updated;
                flash = message;
                draw();
              },
              flash,
            ),
          ),
        ),
      );
    }
    return out;
  }

  function draw(): void {
    mount(tbody, items.length ? items.map(rows) : emptyRow(COLS, state.search || state.cycle ? 'No accounts match.' : 'No accounts yet.'));
  }

  async function load(): Promise<void> {
    const my = ++seq;
    try {
      const list = await api.accounts({ search: state.search || undefined, cycle: state.cycle || undefined, limit: state.limit, offset: state.offset });
      if (!alive || my !== seq) return;
      items = Array.isArray(list?.items) ? list.items : [];
      const total = typeof list?.total === 'number' ? list.total : items.length;
      count.textContent = `${total.toLocaleString('en-US')} account${total === 1 ? '' : 's'}`;
      draw();
      mount(
        pagerBox,
        pager({ total, limit: state.limit, offset: state.offset }, (o) => {
          state.offset = o;
          void load();
        }, 'accounts-pager'),
      );
      mount(errorBox);
    } catch (e) {
      if (!alive || my !== seq) return;
      mount(errorBox, errorBanner(`Could not load the accounts: ${errorMessage(e)}`));
      mount(tbody, emptyRow(COLS, 'Could not load the accounts.', 'error'));
    }
  }

  async function loadCycles(): Promise<void> {
    try {
      const r = await api.cycles();
      if (!alive) return;
      const names = (Array.isArray(r?.items) ? r.items : []).map((c) => c.cycle);
      if (state.cycle && !names.includes(state.cycle)) names.push(state.cycle);
      mount(cycle, h('option', { value: '' }, 'All cycles'), names.map((n) => h('option', { value: n, selected: n === state.cycle }, n)));
    } catch {
      // The filter then offers "All cycles" only.
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'accounts-page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Accounts'), count),
      billingTabs('accounts'),
      h('div', { class: 'toolbar' }, h('div', { class: 'search-wrap' }, icon(ICONS.search, 15), search), cycle, h('div', { class: 'spacer' }), exportBtn, pagerBox),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h(
          'table',
          { class: 'table', 'data-testid': 'accounts-table' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Account'), h('th', null, 'Name'), h('th', null, 'Cycle'), h('th', null, 'Zone'), h('th', null, 'Class'), h('th', null, 'Meter'), h('th', null, 'Tariff'), h('th', null, 'Moved in')),
          ),
          tbody,
        ),
      ),
    ),
  );
  void loadCycles();
  void load();
  return () => {
    alive = false;
    runSearch.cancel();
  };
}
