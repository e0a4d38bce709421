import { api, getSession } from '../api';
import { errorMessage } from '../lib/apierror';
import { can } from '../lib/auth';
import { formatMoney, formatPeriod } from '../lib/billing';
import { h, mount } from '../lib/dom';
import { clockTime } from '../lib/time';
import { billHref, runHref } from '../router';
import type { BillSummary } from '../types';
import { emptyRow, errorBanner, pager } from '../components/ui';
import { billCueCell, billingTabs, billStatePill, cueLegend, loadKeyZones } from './billing-common';

// The review queue (#/billing/review): drafts that wait for a person (every bill of a key zone,
// the sampled bills of regular zones, flagged bills), oldest run first as the server orders them.
// Opening one leads to the bill, where a reviewer (billing:review) approves or rejects it.
const COLS = 8;
const PAGE = 50;
const state = { offset: 0 };

export function renderReviewQueue(root: HTMLElement): () => void {
  let alive = true;
  let keyZones = new Set<string>();
  const mayReview = can(getSession(), 'billing:review');

  const tbody = h('tbody', null, emptyRow(COLS, 'Loading the review queue…', 'loading'));
  const count = h('span', { class: 'page-count', 'data-testid': 'review-total' });
  const errorBox = h('div');
  const pagerBox = h('div');
  const updated = h('span', { class: 'updated muted' });

  function row(b: BillSummary): HTMLTableRowElement {
    const cue = billCueCell(b, keyZones);
    const href = billHref(b.id, true);
    const open = (): void => {
      location.hash = href;
    };
    const why = cue.chips.dataset.cues?.includes('flagged') ? 'flagged' : b.sampled ? 'sampled' : keyZones.has(b.zone) ? 'key zone' : 'review';
    return h(
      'tr',
      {
        class: `clickable ${cue.rowClass}`,
        tabindex: 0,
        'data-testid': `review-row-${b.id}`,
        'data-bill': String(b.id),
        'data-why': why,
        onclick: (e: Event) => {
          if (!(e.target as HTMLElement).closest('a')) open();
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') open();
        },
      },
      h('td', { class: 'mono strong' }, h('a', { href, 'data-testid': `review-open-${b.id}` }, String(b.id))),
      h('td', { class: 'mono' }, b.account),
      h('td', { class: 'nowrap' }, formatPeriod(b.from, b.to)),
      h('td', { class: 'num mono' }, formatMoney(b.total, b.currency)),
      h('td', null, billStatePill(b.state)),
      h('td', { class: 'mono' }, b.zone || '—'),
      h('td', null, cue.chips, b.flags?.length ? h('div', { class: 'muted small' }, b.flags.join('; ')) : null),
      h('td', null, b.run ? h('a', { href: runHref(b.run) }, `Run ${b.run}`) : 'rebill'),
    );
  }

  async function load(): Promise<void> {
    try {
      const list = await api.bills({ review: 1, limit: PAGE, offset: state.offset });
      if (!alive) return;
      const items = Array.isArray(list?.items) ? list.items : [];
      const total = typeof list?.total === 'number' ? list.total : items.length;
      if (items.length === 0 && total > 0 && state.offset > 0) {
        state.offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
        void load();
        return;
      }
      count.textContent = `${total.toLocaleString('en-US')} waiting`;
      mount(tbody, items.length ? items.map(row) : emptyRow(COLS, 'Nothing waits for a review.'));
      mount(
        pagerBox,
        pager({ total, limit: PAGE, offset: state.offset }, (o) => {
          state.offset = o;
          void load();
        }, 'review-pager'),
      );
      mount(errorBox);
      updated.textContent = `Updated ${clockTime()}`;
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not load the review queue: ${errorMessage(e)}`));
      mount(tbody, emptyRow(COLS, 'Could not load the review queue.', 'error'));
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'review-page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Review queue'), count, h('div', { class: 'spacer' }), updated),
      billingTabs('review'),
      mayReview ? null : h('div', { class: 'banner banner-info', 'data-testid': 'review-readonly' }, 'You can read the queue; approving and rejecting needs the permission ', h('code', null, 'billing:review'), '.'),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h('div', { class: 'card-head padded' }, cueLegend(), h('div', { class: 'spacer' }), pagerBox),
        h(
          'table',
          { class: 'table table-bills', 'data-testid': 'review-table' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Bill'), h('th', null, 'Account'), h('th', null, 'Period'), h('th', { class: 'num' }, 'Total'), h('th', null, 'State'), h('th', null, 'Zone'), h('th', null, 'Why'), h('th', null, 'Run')),
          ),
          tbody,
        ),
      ),
    ),
  );

  void (async () => {
    keyZones = (await loadKeyZones()).keys;
    if (alive) await load();
  })();
  return () => {
    alive = false;
  };
}
