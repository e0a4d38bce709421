import { api, apiHref, getSession } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { billActions, billCues, formatDifference, formatMoney, formatPeriod, humanDay, periodDays, validateReview } from '../lib/billing';
import { h, mount } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import { billHref, hashParam, runHref } from '../router';
import type { Bill, BillingAccount } from '../types';
import { confirmDialog } from '../components/dialog';
import { errorBanner } from '../components/ui';
import { billStatePill, cueChips, loadKeyZones } from './billing-common';
import { comparisonTable, linesTable, notificationsTable, reviewsTable } from './billing-bill-parts';

// One bill (#/billing/bills/{id}): the printable document (account, period, line items with
// quantity, rate, period, intervals and estimated marks, totals, flags and service changes; for a
// rebill the difference and the bill before it side by side), then the reviews and notifications.
// Print (window.print(), styled by @media print), CSV, and by permission Approve/Reject
// (billing:review, drafts), Release (billing:review, approved) and Rebill (billing:run).

export function renderBill(root: HTMLElement, id: string): () => void {
  let alive = true;
  let bill: Bill | null = null;
  let account: BillingAccount | null = null;
  let keyZones = new Set<string>();
  const session = getSession();
  const fromReview = hashParam(location.hash, 'from') === 'review';

  const title = h('h1', { 'data-testid': 'bill-title' }, `Bill ${id}`);
  const statePill = h('span');
  const actions = h('div', { class: 'row-actions no-print' });
  const notice = h('div', { class: 'no-print', 'data-testid': 'bill-notice' });
  const reviewBox = h('div', { class: 'no-print' });
  const doc = h('article', { class: 'card bill-doc', 'data-testid': 'bill-doc' }, h('p', { class: 'muted' }, 'Loading the bill…'));
  const after = h('div', { class: 'page page-billing no-print' });
  const crumbs = h(
    'div',
    { class: 'crumbs no-print' },
    h('a', { href: '#/billing' }, 'Billing'),
    h('span', { class: 'sep' }, '›'),
    fromReview ? h('a', { href: '#/billing/review' }, 'Review queue') : h('span', { 'data-slot': 'run' }, '…'),
    h('span', { class: 'sep' }, '›'),
    h('span', null, `Bill ${id}`),
  );

  function setNotice(el: HTMLElement | null): void {
    mount(notice, el);
  }

  async function act(what: string, fn: () => Promise<Bill>, done: (b: Bill) => string): Promise<void> {
    for (const b of actions.querySelectorAll('button')) b.disabled = true;
    try {
      const b = await fn();
      if (!alive) return;
      if (b.id !== bill?.id) {
        location.hash = billHref(b.id, fromReview);
        return;
      }
      bill = b;
      draw();
      setNotice(h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'bill-action-done' }, done(b)));
    } catch (e) {
      if (alive) setNotice(errorBanner(`Could not ${what}: ${errorMessage(e)}`, 'bill-action-error'));
    } finally {
      for (const b of actions.querySelectorAll('button')) b.disabled = false;
    }
  }

  async function rebill(): Promise<void> {
    if (!bill) return;
    const yes = await confirmDialog({
      title: `Rebill bill ${bill.id}?`,
      message: 'The period is rated again from the data as it is now. The new bill is a new version and shows its difference from this one.',
      confirm: 'Rebill',
    });
    if (yes && alive) await act('rebill', () => api.rebill(bill!.id), () => 'Rebilled.');
  }

  async function release(): Promise<void> {
    if (!bill) return;
    const yes = await confirmDialog({
      title: `Release bill ${bill.id}?`,
      message: 'A released bill is final and cannot be changed; the customer is notified.',
      confirm: 'Release',
    });
    if (yes && alive) await act('release the bill', () => api.releaseBill(bill!.id), () => 'Released: the bill is final and the customer is being notified.');
  }

  function drawActions(b: Bill): void {
    const may = billActions(session, b);
    mount(
      actions,
      h('button', { type: 'button', class: 'btn', 'data-testid': 'bill-print', onclick: () => window.print() }, 'Print'),
      h('a', { class: 'btn', href: apiHref(`/bills/${encodeURIComponent(String(b.id))}/csv`), download: `bill-${b.id}.csv`, 'data-testid': 'bill-csv' }, 'CSV'),
      may.rebill ? h('button', { type: 'button', class: 'btn', 'data-testid': 'bill-rebill', onclick: () => void rebill() }, 'Rebill') : null,
      may.release ? h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'bill-release', onclick: () => void release() }, 'Release') : null,
    );
  }

  function drawReview(b: Bill): void {
    if (!billActions(session, b).review) {
      mount(reviewBox);
      return;
    }
    const note = h('textarea', { class: 'input textarea', id: 'review-note', rows: 2, placeholder: 'What you checked; required to reject', 'data-testid': 'review-note' });
    const err = h('div', { class: 'field-error', role: 'alert', 'data-testid': 'review-error' });
    const decide = async (decision: 'approve' | 'reject'): Promise<void> => {
      const problem = validateReview(decision, note.value);
      err.textContent = problem?.message ?? '';
      if (problem) note.setAttribute('aria-invalid', 'true');
      else note.removeAttribute('aria-invalid');
      if (problem) {
        note.focus();
        return;
      }
      for (const btn of reviewBox.querySelectorAll('button')) btn.disabled = true;
      try {
        const updated = await api.reviewBill(b.id, { decision, note: note.value.trim() });
        if (!alive) return;
        bill = updated;
        draw();
        setNotice(
          h(
            'div',
            { class: decision === 'approve' ? 'banner banner-ok' : 'banner banner-error', role: 'status', 'data-testid': 'review-done', 'data-decision': decision },
            decision === 'approve' ? 'Approved.' : 'Rejected.',
            ' ',
            h('a', { href: '#/billing/review', 'data-testid': 'review-back' }, 'Back to the review queue'),
          ),
        );
      } catch (e) {
        if (!alive) return;
        err.textContent = errorMessage(e);
        if (e instanceof ApiError && e.field === 'note') note.setAttribute('aria-invalid', 'true');
        for (const btn of reviewBox.querySelectorAll('button')) btn.disabled = false;
      }
    };
    mount(
      reviewBox,
      h(
        'div',
        { class: 'card review-card', 'data-testid': 'review-form' },
        h('div', { class: 'card-head' }, h('h2', null, 'Review'), h('span', { class: 'hint' }, 'Check the lines below; your decision, name and note are recorded.')),
        h('label', { for: 'review-note', class: 'strong' }, 'Note'),
        note,
        err,
        h(
          'div',
          { class: 'form-actions' },
          h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'review-approve', onclick: () => void decide('approve') }, 'Approve'),
          h('button', { type: 'button', class: 'btn btn-danger-ghost', 'data-testid': 'review-reject', onclick: () => void decide('reject') }, 'Reject'),
        ),
      ),
    );
  }

  function docHeader(b: Bill): HTMLElement {
    const a = account;
    const days = periodDays(b.from, b.to);
    return h(
      'header',
      { class: 'bill-head' },
      h(
        'div',
        null,
        h('div', { class: 'bill-kind' }, 'Bill'),
        h('div', { class: 'bill-customer', 'data-testid': 'bill-customer' }, a?.name || b.account),
        h('div', { class: 'mono small' }, `Account ${b.account}`),
        a ? h('div', { class: 'small muted' }, `Service point ${a.service_point} · meter ${a.meter} · tariff ${a.tariff}`) : null,
        a?.email ? h('div', { class: 'small muted' }, a.email) : null,
      ),
      h(
        'dl',
        { class: 'dl bill-meta' },
        h('dt', null, 'Bill'),
        h('dd', { class: 'mono' }, `${b.id}${b.version > 1 ? ` (version ${b.version})` : ''}`),
        h('dt', null, 'Period'),
        h('dd', { 'data-testid': 'bill-period' }, formatPeriod(b.from, b.to), days !== null ? h('span', { class: 'muted' }, ` · ${days} day${days === 1 ? '' : 's'}`) : null),
        h('dt', null, 'Issued'),
        h('dd', null, humanDay(b.created?.slice(0, 10))),
        h('dt', null, 'State'),
        h('dd', null, billStatePill(b.state, 'bill-doc-state')),
        b.released ? [h('dt', null, 'Released'), h('dd', null, formatDateTime(b.released))] : null,
      ),
    );
  }

  function docNotes(b: Bill): HTMLElement {
    const items: (HTMLElement | null)[] = [];
    const cues = billCues(b, keyZones);
    if (cues.length) items.push(h('li', { class: 'no-print' }, 'Marks: ', cueChips(cues)));
    for (const f of b.flags ?? []) items.push(h('li', { class: 'flag', 'data-testid': 'bill-flag' }, 'Flagged: ', f));
    if (b.estimated) items.push(h('li', null, `${b.estimated} of ${b.intervals} intervals were estimated (lines marked E).`));
    else items.push(h('li', null, `${b.intervals.toLocaleString('en-US')} intervals of metered data, none estimated.`));
    if (b.missing_days) items.push(h('li', { class: 'warn' }, `${b.missing_days} day${b.missing_days === 1 ? '' : 's'} of the period had no data.`));
    if (b.peak_demand_w) items.push(h('li', null, `Highest billed demand: ${(b.peak_demand_w / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })} kW.`));
    if (b.zone) items.push(h('li', { class: 'no-print' }, `Review zone ${b.zone}${b.sampled ? ', drawn for the sample' : ''}.`));
    return h('ul', { class: 'bill-notes', 'data-testid': 'bill-notes' }, items);
  }

  function drawDoc(b: Bill): void {
    const prev = b.previous_bill;
    mount(
      doc,
      docHeader(b),
      b.previous
        ? h(
            'div',
            { class: 'banner banner-info bill-rebill', 'data-testid': 'bill-difference', 'data-difference': b.difference },
            `Rebill (version ${b.version}) of bill ${b.previous}: `,
            h('strong', null, formatDifference(b.difference, b.currency)),
            ' against the earlier bill.',
          )
        : null,
      h('div', { class: 'table-wrap' }, linesTable(b)),
      h('div', { class: 'bill-total', 'data-testid': 'bill-total', 'data-total': b.total }, h('span', null, 'Total due'), h('strong', null, formatMoney(b.total, b.currency))),
      docNotes(b),
      prev ? h('section', { class: 'bill-compare-wrap' }, h('h2', null, 'Compared with the earlier bill'), h('div', { class: 'table-wrap' }, comparisonTable(b, prev))) : null,
    );
  }

  function draw(): void {
    const b = bill;
    if (!b) return;
    title.textContent = `Bill ${b.id}`;
    document.title = `Bill ${b.id} · ${b.account} · meterd`;
    mount(statePill, billStatePill(b.state, 'bill-state'));
    const runSlot = crumbs.querySelector('[data-slot="run"]');
    if (runSlot) mount(runSlot, b.run ? h('a', { href: runHref(b.run) }, `Run ${b.run}`) : 'Rebill');
    drawActions(b);
    drawReview(b);
    drawDoc(b);
    mount(
      after,
      h('div', { class: 'card card-flush table-wrap' }, h('div', { class: 'card-head padded' }, h('h2', null, 'Reviews')), reviewsTable(b.reviews ?? [])),
      h('div', { class: 'card card-flush table-wrap' }, h('div', { class: 'card-head padded' }, h('h2', null, 'Notifications')), notificationsTable(b.notifications ?? [])),
    );
  }

  async function load(): Promise<void> {
    const [b, zones] = await Promise.allSettled([api.bill(id), loadKeyZones()]);
    if (!alive) return;
    if (zones.status === 'fulfilled') keyZones = zones.value.keys;
    if (b.status === 'rejected') {
      mount(doc, errorBanner(`Could not load bill ${id}: ${errorMessage(b.reason)}`, 'bill-error'));
      return;
    }
    bill = b.value;
    draw();
    try {
      account = await api.account(bill.account);
      if (alive) draw();
    } catch {
      // The bill names its account; the header just shows less without it.
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing bill-page', 'data-testid': 'bill-page', 'data-bill': id },
      crumbs,
      h('div', { class: 'page-head no-print' }, title, statePill, h('div', { class: 'spacer' }), actions),
      notice,
      reviewBox,
      doc,
      after,
    ),
  );
  void load();
  return () => {
    alive = false;
  };
}
