import { api, getSession } from '../api';
import { errorMessage } from '../lib/apierror';
import { can } from '../lib/auth';
import { TARIFF_ID_RE } from '../lib/billing';
import { unitLabel } from '../lib/decimal';
import { h, mount } from '../lib/dom';
import { tariffHref } from '../router';
import type { Tariff } from '../types';
import { emptyRow, errorBanner, timeAgo } from '../components/ui';
import { billingTabs } from './billing-common';

// Tariffs (#/billing/tariffs): each with its currency, unit, time zone and number of versions;
// opening one shows its TOML (#/billing/tariffs/{id}). With billing:run, a new tariff starts from
// an id.
const COLS = 7;

export function renderTariffs(root: HTMLElement): () => void {
  let alive = true;
  const mayEdit = can(getSession(), 'billing:run');
  const tbody = h('tbody', null, emptyRow(COLS, 'Loading tariffs…', 'loading'));
  const count = h('span', { class: 'page-count', 'data-testid': 'tariffs-total' });
  const errorBox = h('div');

  const newId = h('input', { type: 'text', class: 'input', id: 'tariff-new-id', placeholder: 'res-flat-2026', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'tariff-new-id' });
  const newError = h('span', { class: 'field-error', role: 'alert' });
  const newForm = h(
    'form',
    {
      class: 'inline-form',
      'data-testid': 'tariff-new-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const id = newId.value.trim();
        if (!TARIFF_ID_RE.test(id)) {
          newError.textContent = 'An id is 1 to 64 of A-Z a-z 0-9 . _ -';
          newId.setAttribute('aria-invalid', 'true');
          return;
        }
        location.hash = tariffHref(id);
      },
    },
    h('label', { for: 'tariff-new-id' }, 'New tariff id'),
    newId,
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'tariff-new-submit' }, 'Create'),
    newError,
  );

  function row(t: Tariff, now: number): HTMLTableRowElement {
    const href = tariffHref(t.id);
    return h(
      'tr',
      {
        class: 'clickable',
        tabindex: 0,
        'data-testid': `tariff-row-${t.id}`,
        onclick: (e: Event) => {
          if (!(e.target as HTMLElement).closest('a')) location.hash = href;
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') location.hash = href;
        },
      },
      h('td', { class: 'mono strong' }, h('a', { href }, t.id)),
      h('td', null, t.name || h('span', { class: 'muted' }, '—')),
      h('td', { class: 'mono' }, t.currency || '—'),
      h('td', null, t.unit ? `per ${unitLabel(t.unit)}` : '—'),
      h('td', { class: 'mono' }, t.time_zone || '—'),
      h('td', { class: 'num mono' }, t.versions !== undefined ? String(t.versions) : '—'),
      h('td', { class: 'nowrap' }, timeAgo(t.updated, now), h('div', { class: 'muted small' }, t.updated_by || '')),
    );
  }

  async function load(): Promise<void> {
    try {
      const r = await api.tariffs();
      if (!alive) return;
      const items = Array.isArray(r?.items) ? r.items : [];
      const now = Date.now();
      count.textContent = `${items.length} tariff${items.length === 1 ? '' : 's'}`;
      mount(tbody, items.length ? items.map((t) => row(t, now)) : emptyRow(COLS, mayEdit ? 'No tariffs yet: create one below.' : 'No tariffs yet.'));
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not load the tariffs: ${errorMessage(e)}`));
      mount(tbody, emptyRow(COLS, 'Could not load the tariffs.', 'error'));
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'tariffs-page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Tariffs'), count),
      billingTabs('tariffs'),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h(
          'table',
          { class: 'table', 'data-testid': 'tariffs-table' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Id'), h('th', null, 'Name'), h('th', null, 'Currency'), h('th', null, 'Prices'), h('th', null, 'Time zone'), h('th', { class: 'num' }, 'Versions'), h('th', null, 'Updated')),
          ),
          tbody,
        ),
      ),
      mayEdit ? h('div', { class: 'card' }, newForm, h('p', { class: 'hint' }, 'Tariffs are TOML files: fixed charges, flat, tiered and time-of-use rates, demand charges, taxes (docs/billing.md).')) : null,
    ),
  );
  void load();
  return () => {
    alive = false;
  };
}
