import { api } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { dayNumber, formatMoney, formatPeriod } from '../lib/billing';
import { h, mount } from '../lib/dom';
import { billHref } from '../router';
import type { BillingAccount, BillingAccountBody } from '../types';
import { emptyRow } from '../components/ui';
import { billStatePill } from './billing-common';

// The panel under an account's row: its service point and latest bills; with billing:run a form
// to change the account and one to record a meter exchange (the service point's meter from a day,
// and the account billed from the new meter).

const TEXT_FIELDS: readonly [keyof BillingAccountBody, string][] = [
  ['name', 'Name'],
  ['cycle', 'Billing cycle'],
  ['zone', 'Review zone'],
  ['customer_class', 'Customer class'],
  ['tariff', 'Tariff'],
  ['service_point', 'Service point'],
  ['meter', 'Meter'],
  ['email', 'E-mail'],
  ['phone', 'Phone (SMS)'],
  ['move_in', 'Moved in'],
  ['move_out', 'Moves out'],
];

function bodyOf(a: BillingAccount): BillingAccountBody {
  const { id: _id, ...rest } = a;
  void _id;
  return rest;
}

type Saved = (a: BillingAccount, message: string) => void;

/** `flash`: what the last save said (the panel is drawn again after a save). */
export function accountPanel(a: BillingAccount, mayEdit: boolean, onSaved: Saved, flash = ''): HTMLElement {
  const spBox = h('span', { class: 'mono', 'data-testid': 'account-service-point' }, '…');
  const billsBody = h('tbody', null, emptyRow(5, 'Loading bills…', 'loading'));

  void api.servicePoint(a.service_point).then(
    (p) => mount(spBox, `${p.id}: meter ${p.meter} since ${p.since}`),
    (e) => mount(spBox, h('span', { class: 'muted' }, errorMessage(e))),
  );
  void api.bills({ account: a.id, limit: 20 }).then(
    (list) => {
      const items = Array.isArray(list?.items) ? list.items : [];
      mount(
        billsBody,
        items.length === 0
          ? emptyRow(5, 'No bills yet.')
          : items.map((b) =>
              h(
                'tr',
                null,
                h('td', { class: 'mono' }, h('a', { href: billHref(b.id) }, String(b.id))),
                h('td', null, formatPeriod(b.from, b.to)),
                h('td', { class: 'num mono' }, formatMoney(b.total, b.currency)),
                h('td', null, billStatePill(b.state)),
                h('td', { class: 'num mono' }, `v${b.version}`),
              ),
            ),
      );
    },
    (e) => mount(billsBody, emptyRow(5, errorMessage(e), 'error')),
  );

  const parts: HTMLElement[] = [
    h(
      'div',
      { class: 'panel-col' },
      h('h2', null, 'Service point'),
      spBox,
      h('h2', null, 'Bills'),
      h('table', { class: 'table table-compact', 'data-testid': `account-bills-${a.id}` }, h('thead', null, h('tr', null, h('th', null, 'Bill'), h('th', null, 'Period'), h('th', { class: 'num' }, 'Total'), h('th', null, 'State'), h('th', { class: 'num' }, 'Version'))), billsBody),
    ),
  ];
  if (mayEdit) parts.push(h('div', { class: 'panel-col' }, editForm(a, onSaved), exchangeForm(a, onSaved)));
  return h('div', null, flash ? h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'account-saved' }, flash) : null, h('div', { class: 'account-panel' }, parts));
}

function editForm(a: BillingAccount, onSaved: Saved): HTMLElement {
  const inputs = new Map<string, HTMLInputElement>();
  const status = h('div', { role: 'status', class: 'small' });
  const rows = TEXT_FIELDS.map(([k, label]) => {
    const date = k === 'move_in' || k === 'move_out';
    const input = h('input', { type: date ? 'date' : 'text', class: 'input', value: (a[k] as string | null) ?? '', 'aria-label': label, 'data-field': k });
    inputs.set(k, input);
    return h('label', { class: 'form-row' }, h('span', null, label), input);
  });
  return h(
    'form',
    {
      class: 'form form-inline-grid',
      'data-testid': `account-edit-${a.id}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const body = bodyOf(a);
        for (const [k] of TEXT_FIELDS) {
          const v = inputs.get(k)!.value.trim();
          if (k === 'move_out') body.move_out = v ? v : null;
          else (body as unknown as Record<string, string>)[k] = v;
        }
        if (dayNumber(body.move_in) === null) {
          status.className = 'field-error';
          status.textContent = 'Moved in must be a date.';
          return;
        }
        for (const el of inputs.values()) el.removeAttribute('aria-invalid');
        try {
          onSaved(await api.putAccount(a.id, body), `Account ${a.id} saved.`);
        } catch (ex) {
          status.className = 'field-error';
          status.textContent = errorMessage(ex);
          if (ex instanceof ApiError && inputs.get(ex.field)) inputs.get(ex.field)!.setAttribute('aria-invalid', 'true');
        }
      },
    },
    h('h2', null, 'Account'),
    rows,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save account'), status),
  );
}

function exchangeForm(a: BillingAccount, onSaved: Saved): HTMLElement {
  const meter = h('input', { type: 'text', class: 'input', placeholder: 'new meter id', spellcheck: 'false', 'aria-label': 'New meter' });
  const since = h('input', { type: 'date', class: 'input', 'aria-label': 'Installed on' });
  const status = h('span', { role: 'status', class: 'small' });
  return h(
    'form',
    {
      class: 'inline-form',
      'data-testid': `account-exchange-${a.id}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const m = meter.value.trim();
        if (!m || dayNumber(since.value) === null) {
          status.className = 'field-error';
          status.textContent = 'Give the new meter and the day it was installed.';
          return;
        }
        try {
          await api.putServicePoint(a.service_point, { meter: m, since: since.value });
          const saved = await api.putAccount(a.id, { ...bodyOf(a), meter: m });
          onSaved(saved, `Meter exchange recorded: ${a.service_point} has meter ${m} from ${since.value}.`);
        } catch (ex) {
          status.className = 'field-error';
          status.textContent = errorMessage(ex);
        }
      },
    },
    h('h2', null, 'Meter exchange'),
    meter,
    since,
    h('button', { type: 'submit', class: 'btn' }, 'Record exchange'),
    status,
  );
}
