// The parts of a bill's page: the line items with their explanation, the totals, the comparison
// of a rebill with the bill before it, the reviews and the notifications.
import { compareLines, formatDifference, formatLineQuantity, formatMoney, formatPeriod, formatRate, notificationStateClass, decimalSign } from '../lib/billing';
import { h } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import type { Bill, BillLine, BillNotification, BillReview, BillSummary } from '../types';
import { emptyRow } from '../components/ui';

function intervalsText(l: BillLine): string {
  const parts: string[] = [];
  if (l.intervals) parts.push(`${l.intervals.toLocaleString('en-US')} interval${l.intervals === 1 ? '' : 's'}`);
  if (l.reads) parts.push(`${l.reads.toLocaleString('en-US')} read${l.reads === 1 ? '' : 's'}`);
  return parts.join(', ') || '—';
}

function estimatedMark(l: BillLine): HTMLElement | string {
  if (!l.estimated) return '';
  const of = (l.intervals || 0) + (l.reads || 0);
  return h('span', { class: 'est-mark', title: `${l.estimated} of ${of} estimated`, 'data-testid': 'line-estimated' }, `E ${l.estimated}`);
}

/** The line items: what each amount is for, over which days, how much at which rate, from how many intervals. */
export function linesTable(bill: Pick<Bill, 'lines' | 'currency' | 'subtotal' | 'total'>, testid = 'bill-lines'): HTMLElement {
  const lines = Array.isArray(bill.lines) ? bill.lines : [];
  const cur = bill.currency;
  return h(
    'table',
    { class: 'table bill-lines', 'data-testid': testid },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, 'Description'), h('th', null, 'Period'), h('th', { class: 'num' }, 'Quantity'), h('th', { class: 'num' }, 'Rate'), h('th', { class: 'num' }, 'Amount'), h('th', { class: 'num' }, 'Data used'), h('th', null, 'Est.')),
    ),
    h(
      'tbody',
      null,
      lines.length === 0
        ? emptyRow(7, 'This bill has no lines.')
        : lines.map((l, i) =>
            h(
              'tr',
              { 'data-testid': `bill-line-${i}`, class: l.estimated ? 'line-estimated' : undefined, 'data-description': l.description },
              h('td', { class: 'strong' }, l.description),
              h('td', { class: 'nowrap' }, formatPeriod(l.from, l.to)),
              h('td', { class: 'num mono', 'data-testid': `bill-line-${i}-quantity` }, formatLineQuantity(l.quantity, cur)),
              h('td', { class: 'num mono nowrap' }, formatRate(l.unit_price, cur, l.quantity)),
              h('td', { class: 'num mono', 'data-testid': `bill-line-${i}-amount` }, formatMoney(l.amount)),
              h('td', { class: 'num muted small' }, intervalsText(l)),
              h('td', null, estimatedMark(l)),
            ),
          ),
    ),
    h(
      'tfoot',
      null,
      h('tr', { class: 'subtotal' }, h('td', { colspan: 4 }, 'Subtotal'), h('td', { class: 'num mono', 'data-testid': `${testid}-subtotal` }, formatMoney(bill.subtotal)), h('td', { colspan: 2 })),
      h('tr', { class: 'total' }, h('td', { colspan: 4 }, `Total (${cur})`), h('td', { class: 'num mono', 'data-testid': `${testid}-total` }, formatMoney(bill.total, cur)), h('td', { colspan: 2 })),
    ),
  );
}

/** A rebill beside the bill it replaces: line by line, with the change of each amount. */
export function comparisonTable(bill: Bill, previous: BillSummary & { lines: BillLine[] }): HTMLElement {
  const rows = compareLines(Array.isArray(previous.lines) ? previous.lines : [], bill.lines ?? []);
  const cur = bill.currency;
  const changeCell = (c: string | null): HTMLElement => {
    const s = decimalSign(c);
    return h('td', { class: `num mono ${s > 0 ? 'diff-up' : s < 0 ? 'diff-down' : 'muted'}` }, s === 0 ? '—' : formatDifference(c, ''));
  };
  const side = (l: BillLine | null): HTMLElement[] =>
    l
      ? [h('td', { class: 'num mono' }, formatLineQuantity(l.quantity, cur)), h('td', { class: 'num mono' }, formatMoney(l.amount))]
      : [h('td', { class: 'num muted' }, '—'), h('td', { class: 'num muted' }, '—')];
  return h(
    'table',
    { class: 'table bill-compare', 'data-testid': 'bill-compare' },
    h(
      'thead',
      null,
      h('tr', null, h('th', null, ''), h('th', { colspan: 2, class: 'num' }, `Before: bill ${previous.id} (v${previous.version})`), h('th', { colspan: 2, class: 'num' }, `Now: bill ${bill.id} (v${bill.version})`), h('th', { class: 'num' }, 'Change')),
      h('tr', null, h('th', null, 'Line'), h('th', { class: 'num' }, 'Quantity'), h('th', { class: 'num' }, 'Amount'), h('th', { class: 'num' }, 'Quantity'), h('th', { class: 'num' }, 'Amount'), h('th', { class: 'num' }, '')),
    ),
    h(
      'tbody',
      null,
      rows.map((r) => h('tr', { 'data-testid': 'compare-row' }, h('td', null, r.description), side(r.previous), side(r.current), changeCell(r.change))),
    ),
    h(
      'tfoot',
      null,
      h(
        'tr',
        { class: 'total' },
        h('td', null, `Total (${cur})`),
        h('td'),
        h('td', { class: 'num mono' }, formatMoney(previous.total)),
        h('td'),
        h('td', { class: 'num mono' }, formatMoney(bill.total)),
        changeCell(bill.difference),
      ),
    ),
  );
}

export function reviewsTable(reviews: BillReview[]): HTMLElement {
  return h(
    'table',
    { class: 'table', 'data-testid': 'bill-reviews' },
    h('thead', null, h('tr', null, h('th', null, 'Reviewer'), h('th', null, 'When'), h('th', null, 'Decision'), h('th', null, 'Note'))),
    h(
      'tbody',
      null,
      reviews.length === 0
        ? emptyRow(4, 'Not reviewed yet.')
        : reviews.map((r) =>
            h(
              'tr',
              { 'data-testid': 'review-row', 'data-approved': String(r.approved) },
              h('td', { class: 'mono' }, r.reviewer),
              h('td', { class: 'nowrap' }, formatDateTime(r.at)),
              h('td', null, h('span', { class: r.approved ? 'badge sev-ok' : 'badge sev-bad' }, r.approved ? 'Approved' : 'Rejected')),
              h('td', { class: 'detail' }, r.note || '—'),
            ),
          ),
    ),
  );
}

export function notificationsTable(items: BillNotification[]): HTMLElement {
  return h(
    'table',
    { class: 'table', 'data-testid': 'bill-notifications' },
    h('thead', null, h('tr', null, h('th', null, 'Channel'), h('th', null, 'To'), h('th', null, 'State'), h('th', { class: 'num' }, 'Attempts'), h('th', null, 'Last error'), h('th', null, 'Updated'))),
    h(
      'tbody',
      null,
      items.length === 0
        ? emptyRow(6, 'No notifications (they are sent when the bill is released).')
        : items.map((n) =>
            h(
              'tr',
              { 'data-testid': `notification-${n.channel}`, 'data-state': n.state },
              h('td', null, n.channel === 'webhook' ? 'SMS (gateway)' : n.channel === 'email' ? 'E-mail' : n.channel),
              h('td', { class: 'mono' }, n.address),
              h('td', null, h('span', { class: `pill ${notificationStateClass(n.state)}` }, h('span', { class: 'dot' }), n.state)),
              h('td', { class: 'num mono' }, String(n.attempts)),
              h('td', { class: 'detail' }, n.last_error || '—'),
              h('td', { class: 'nowrap' }, formatDateTime(n.updated)),
            ),
          ),
    ),
  );
}
