import { api, apiHref, getSession } from '../api';
import { errorMessage } from '../lib/apierror';
import { BILL_STATE_NAMES, formatDifference, formatMoney, formatPeriod, runActions } from '../lib/billing';
import { h, mount } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import { billHref } from '../router';
import type { BillHold, BillRun, BillSummary, RunRelease } from '../types';
import { confirmDialog } from '../components/dialog';
import { emptyRow, errorBanner, field, pager, timeAgo } from '../components/ui';
import { billCueCell, billingTabs, billStatePill, cueLegend, loadKeyZones, outcomeCounts, progressBar } from './billing-common';

// One bill run (#/billing/runs/{id}): progress while it runs (polled every second), its outcome,
// the accounts it holds with the reasons, its bills with colour cues, the CSV of all its bills,
// and (billing:review) the release, with what was released and what still waits.
const BILL_COLS = 8;
const POLL_MS = 1000;
const PAGE = 100;

export function renderBillRun(root: HTMLElement, id: string): () => void {
  let alive = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run: BillRun | null = null;
  let lastKey = '';
  let keyZones = new Set<string>();
  const filter = { state: '', offset: 0 };
  const session = getSession();

  const title = h('h1', { 'data-testid': 'run-title' }, `Run ${id}`);
  const statePill = h('span');
  const actions = h('div', { class: 'row-actions no-print' });
  const errorBox = h('div');
  const releaseBox = h('div', { 'data-testid': 'run-release-result' });
  const summary = h('dl', { class: 'dl', 'data-testid': 'run-summary' });
  const holdsBody = h('tbody', null, emptyRow(5, 'Loading holds…', 'loading'));
  const holdsCount = h('span', { class: 'page-count', 'data-testid': 'run-holds-count' });
  const billsBody = h('tbody', null, emptyRow(BILL_COLS, 'Loading bills…', 'loading'));
  const billsCount = h('span', { class: 'page-count', 'data-testid': 'run-bills-count' });
  const pagerBox = h('div');
  const stateSel = h(
    'select',
    { class: 'input input-narrow', 'aria-label': 'Bill state', 'data-testid': 'run-bills-state' },
    h('option', { value: '' }, 'All states'),
    BILL_STATE_NAMES.map((s) => h('option', { value: s }, s)),
  );
  stateSel.addEventListener('change', () => {
    filter.state = stateSel.value;
    filter.offset = 0;
    void loadBills();
  });

  async function release(): Promise<void> {
    if (!run) return;
    const yes = await confirmDialog({
      title: `Release run ${run.id}?`,
      message: 'Approved bills of key zones and the bills of regular zones whose sample is approved become final and their customers are notified. Bills that still wait for a review stay back.',
      confirm: 'Release',
    });
    if (!yes || !alive) return;
    try {
      const out = await api.releaseRun(run.id);
      if (!alive) return;
      mount(releaseBox, releaseBanner(out));
      await Promise.all([loadRun(false), loadBills()]);
    } catch (e) {
      if (alive) mount(releaseBox, errorBanner(`Could not release: ${errorMessage(e)}`, 'run-release-error'));
    }
  }

  async function rerun(): Promise<void> {
    if (!run) return;
    try {
      await api.startRun({ cycle: run.cycle, from: run.from, to: run.to });
      if (!alive) return;
      mount(releaseBox);
      lastKey = '';
      await loadRun(true);
    } catch (e) {
      if (alive) mount(errorBox, errorBanner(`Could not start the run again: ${errorMessage(e)}`));
    }
  }

  function drawRun(r: BillRun): void {
    title.textContent = `Run ${r.id}`;
    mount(statePill, h('span', { class: r.state === 'completed' ? 'pill cmd-ok' : 'pill cmd-wait', 'data-testid': 'run-state', 'data-state': r.state }, h('span', { class: 'dot' }), r.state));
    const may = runActions(session, r);
    mount(
      actions,
      h('a', { class: 'btn', href: apiHref(`/bill-runs/${encodeURIComponent(String(r.id))}/bills.csv`), download: `bill-run-${r.id}.csv`, 'data-testid': 'run-csv' }, 'Download CSV'),
      may.rerun ? h('button', { type: 'button', class: 'btn', 'data-testid': 'run-rerun', onclick: () => void rerun() }, may.rerunLabel) : null,
      may.release ? h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'run-release', onclick: () => void release() }, 'Release') : null,
    );
    mount(
      summary,
      field('Cycle', h('span', { class: 'mono' }, r.cycle)),
      field('Period', `${formatPeriod(r.from, r.to)} (${r.from} to ${r.to}, end exclusive)`, 'run-period'),
      field('Progress', progressBar(r)),
      field('Accounts', r.accounts.toLocaleString('en-US')),
      field('Outcome', outcomeCounts(r)),
      field('Started', h('span', null, formatDateTime(r.created), ' by ', h('span', { class: 'mono' }, r.created_by || '—'))),
      field('Finished', r.finished ? formatDateTime(r.finished) : h('span', { class: 'muted' }, 'still running')),
    );
  }

  function drawHolds(holds: BillHold[]): void {
    const open = holds.filter((x) => !x.resolved).length;
    holdsCount.textContent = `${open} open${holds.length > open ? `, ${holds.length - open} resolved` : ''}`;
    const now = Date.now();
    mount(
      holdsBody,
      holds.length === 0
        ? emptyRow(5, 'No account is held.')
        : holds.map((x) =>
            h(
              'tr',
              { 'data-testid': `hold-row-${x.account}`, class: x.resolved ? 'row-disabled' : undefined, 'data-resolved': String(x.resolved) },
              h('td', { class: 'mono strong' }, x.account),
              h('td', null, h('span', { class: x.resolved ? 'badge sev-muted' : 'badge sev-bad' }, x.rule)),
              h('td', { class: 'detail' }, x.reason),
              h('td', { class: 'nowrap' }, timeAgo(x.created, now)),
              h('td', null, x.resolved ? 'resolved: billed' : 'held'),
            ),
          ),
    );
  }

  function billRow(b: BillSummary): HTMLTableRowElement {
    const cue = billCueCell(b, keyZones);
    const open = (): void => {
      location.hash = billHref(b.id);
    };
    return h(
      'tr',
      {
        class: `clickable ${cue.rowClass}`,
        tabindex: 0,
        'data-testid': `bill-row-${b.id}`,
        'data-state': b.state,
        'data-account': b.account,
        onclick: (e: Event) => {
          if (!(e.target as HTMLElement).closest('a')) open();
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') open();
        },
      },
      h('td', { class: 'mono strong' }, h('a', { href: billHref(b.id) }, String(b.id))),
      h('td', { class: 'mono' }, b.account),
      h('td', { class: 'num mono' }, formatMoney(b.total, b.currency)),
      h('td', null, billStatePill(b.state)),
      h('td', { class: 'num mono' }, b.version > 1 ? `v${b.version}` : '1'),
      h('td', { class: 'mono' }, b.zone || '—'),
      h('td', null, cue.chips, b.flags?.length ? h('div', { class: 'muted small' }, b.flags.join('; ')) : null),
      h('td', { class: 'num mono' }, b.previous ? formatDifference(b.difference, b.currency) : ''),
    );
  }

  async function loadBills(): Promise<void> {
    try {
      const list = await api.bills({ run: id, state: filter.state || undefined, limit: PAGE, offset: filter.offset });
      if (!alive) return;
      const items = Array.isArray(list?.items) ? list.items : [];
      const total = typeof list?.total === 'number' ? list.total : items.length;
      billsCount.textContent = `${total.toLocaleString('en-US')} bill${total === 1 ? '' : 's'}`;
      mount(billsBody, items.length ? items.map(billRow) : emptyRow(BILL_COLS, filter.state ? 'No bills in this state.' : 'No bills yet.'));
      mount(
        pagerBox,
        pager({ total, limit: PAGE, offset: filter.offset }, (o) => {
          filter.offset = o;
          void loadBills();
        }, 'run-bills-pager'),
      );
    } catch (e) {
      if (alive) mount(billsBody, emptyRow(BILL_COLS, `Could not load the bills: ${errorMessage(e)}`, 'error'));
    }
  }

  async function loadHolds(): Promise<void> {
    try {
      const r = await api.runHolds(id);
      if (alive) drawHolds(Array.isArray(r?.items) ? r.items : []);
    } catch (e) {
      if (alive) mount(holdsBody, emptyRow(5, `Could not load the holds: ${errorMessage(e)}`, 'error'));
    }
  }

  /** Reads the run, and while it runs again every second. */
  async function loadRun(poll: boolean): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    try {
      const r = await api.billRun(id);
      if (!alive) return;
      run = r;
      drawRun(r);
      mount(errorBox);
      // Bills and holds again whenever the run moved on (a chunk finished, the run completed).
      const key = `${r.state}:${r.chunks_done}:${r.billed}:${r.held}:${r.flagged}`;
      if (key !== lastKey) {
        lastKey = key;
        void loadHolds();
        void loadBills();
      }
      if (poll && r.state === 'running') timer = setTimeout(() => void loadRun(true), POLL_MS);
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not load run ${id}: ${errorMessage(e)}`));
      if (poll) timer = setTimeout(() => void loadRun(true), POLL_MS * 5);
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'run-page', 'data-run': id },
      h('div', { class: 'crumbs no-print' }, h('a', { href: '#/billing' }, 'Billing'), h('span', { class: 'sep' }, '›'), h('span', null, `Run ${id}`)),
      h('div', { class: 'page-head' }, title, statePill, h('div', { class: 'spacer' }), actions),
      billingTabs(null),
      releaseBox,
      errorBox,
      h('div', { class: 'card' }, summary),
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h('div', { class: 'card-head padded' }, h('h2', null, 'Held accounts'), holdsCount, h('span', { class: 'hint' }, 'An account that breaks an audit rule is rolled back and held; running the run again retries it.')),
        h('table', { class: 'table', 'data-testid': 'run-holds' }, h('thead', null, h('tr', null, h('th', null, 'Account'), h('th', null, 'Rule'), h('th', null, 'Reason'), h('th', null, 'Held'), h('th', null, 'Now'))), holdsBody),
      ),
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h('div', { class: 'card-head padded' }, h('h2', null, 'Bills'), billsCount, stateSel, h('div', { class: 'spacer' }), pagerBox),
        h('div', { class: 'padded-x' }, cueLegend()),
        h(
          'table',
          { class: 'table table-bills', 'data-testid': 'run-bills' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Bill'), h('th', null, 'Account'), h('th', { class: 'num' }, 'Total'), h('th', null, 'State'), h('th', { class: 'num' }, 'Version'), h('th', null, 'Zone'), h('th', null, 'Cues'), h('th', { class: 'num' }, 'Difference')),
          ),
          billsBody,
        ),
      ),
    ),
  );

  void (async () => {
    keyZones = (await loadKeyZones()).keys;
    if (alive) await loadRun(true);
  })();
  return () => {
    alive = false;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** What a release did: released, still waiting for review, zones held whole. */
export function releaseBanner(out: RunRelease): HTMLElement {
  const held = Array.isArray(out?.held_zones) ? out.held_zones : [];
  return h(
    'div',
    { class: held.length ? 'banner banner-error' : 'banner banner-ok', role: 'status', 'data-testid': 'run-released', 'data-released': String(out.released), 'data-waiting': String(out.waiting) },
    `Released ${out.released} bill${out.released === 1 ? '' : 's'}`,
    out.waiting ? `; ${out.waiting} still wait for a review` : '',
    held.length ? `; held whole after a rejected sample: ${held.join(', ')}` : '',
    '.',
  );
}
