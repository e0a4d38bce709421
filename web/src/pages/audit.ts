import { api } from '../api';
import { errorMessage } from '../lib/apierror';
import { AUDIT_ACTIONS, formatAuditDetail, verifyVerdict } from '../lib/audit';
import { debounce, h, icon, mount } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import type { AuditEntry, List } from '../types';
import { ICONS, emptyRow, errorBanner, pager, timeAgo } from '../components/ui';

// The audit log (#/audit): who did what, when and from where, newest first, and a check of
// the hash chain that names the first broken entry.
const COLS = 7;
const state = { actor: '', action: '', limit: 50, offset: 0 };

export function renderAudit(root: HTMLElement): () => void {
  let alive = true;
  let seq = 0;
  let shown = false;

  const tbody = h('tbody', null, emptyRow(COLS, 'Loading the audit log…', 'loading'));
  const errorBox = h('div');
  const verifyBox = h('div', { 'data-testid': 'audit-verify-result' });
  const pagerBox = h('div');
  const count = h('span', { class: 'page-count', 'data-testid': 'audit-total' });

  const actionSel = h(
    'select',
    { class: 'input', 'aria-label': 'Action', 'data-testid': 'audit-action-filter' },
    h('option', { value: '' }, 'All actions'),
    AUDIT_ACTIONS.map((a) => h('option', { value: a, selected: state.action === a }, a)),
  );
  const actorInput = h('input', { type: 'search', class: 'input input-search', placeholder: 'Actor…', value: state.actor, 'aria-label': 'Actor', 'data-testid': 'audit-actor-filter' });
  const verifyBtn = h('button', { class: 'btn', type: 'button', 'data-testid': 'audit-verify' }, 'Verify chain');
  actionSel.addEventListener('change', () => {
    state.action = actionSel.value;
    state.offset = 0;
    void load();
  });
  const onActor = debounce(() => {
    state.actor = actorInput.value.trim();
    state.offset = 0;
    void load();
  }, 300);
  actorInput.addEventListener('input', onActor);
  verifyBtn.addEventListener('click', () => void verify());

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Audit log'), count, h('div', { class: 'spacer' }), verifyBtn),
      verifyBox,
      h('div', { class: 'toolbar' }, actionSel, h('div', { class: 'search-wrap' }, icon(ICONS.search, 15), actorInput), h('div', { class: 'spacer' }), pagerBox),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h(
          'table',
          { class: 'table', 'data-testid': 'audit-table' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, '#'), h('th', { class: 'col-time' }, 'Time'), h('th', null, 'Actor'), h('th', null, 'Action'), h('th', null, 'Target'), h('th', null, 'From'), h('th', null, 'Detail')),
          ),
          tbody,
        ),
      ),
    ),
  );

  function draw(list: List<AuditEntry>): void {
    const now = Date.now();
    const rows = Array.isArray(list.items) ? list.items : [];
    if (rows.length === 0) mount(tbody, emptyRow(COLS, state.actor || state.action ? 'No entries match the filter.' : 'No audit entries yet.'));
    else
      mount(
        tbody,
        rows.map((e) =>
          h(
            'tr',
            { 'data-testid': 'audit-row', 'data-action': e.action, 'data-seq': String(e.seq) },
            h('td', { class: 'mono muted', title: e.hash }, String(e.seq)),
            h('td', { class: 'nowrap' }, timeAgo(e.at, now), h('div', { class: 'muted small' }, formatDateTime(e.at))),
            h('td', { class: 'mono' }, e.actor || '—'),
            h('td', null, h('span', { class: e.action.endsWith('_failed') ? 'badge sev-bad' : 'badge sev-info' }, e.action)),
            h('td', { class: 'mono' }, e.target || '—'),
            h('td', { class: 'mono' }, e.remote || '—'),
            h('td', { class: 'detail' }, formatAuditDetail(e.detail)),
          ),
        ),
      );
    const total = typeof list.total === 'number' ? list.total : rows.length;
    count.textContent = `${total.toLocaleString('en-US')} entr${total === 1 ? 'y' : 'ies'}`;
    mount(pagerBox, pager({ total, limit: list.limit || state.limit, offset: list.offset ?? state.offset }, (o) => {
      state.offset = o;
      void load();
    }, 'audit-pager'));
  }

  async function load(): Promise<void> {
    const my = ++seq;
    try {
      const list = await api.audit({ actor: state.actor || undefined, action: state.action || undefined, limit: state.limit, offset: state.offset });
      if (!alive || my !== seq) return;
      shown = true;
      draw(list);
      mount(errorBox);
    } catch (e) {
      if (!alive || my !== seq) return;
      mount(errorBox, errorBanner(errorMessage(e)));
      if (!shown) mount(tbody, emptyRow(COLS, 'Could not load the audit log.'));
    }
  }

  async function verify(): Promise<void> {
    verifyBtn.setAttribute('disabled', '');
    mount(verifyBox, h('div', { class: 'banner banner-info' }, 'Verifying the chain…'));
    try {
      const v = verifyVerdict(await api.verifyAudit());
      if (!alive) return;
      mount(verifyBox, h('div', { class: v.ok ? 'banner banner-ok' : 'banner banner-error', 'data-ok': String(v.ok) }, v.text));
    } catch (e) {
      if (!alive) return;
      mount(verifyBox, errorBanner(errorMessage(e), 'audit-verify-error'));
    } finally {
      verifyBtn.removeAttribute('disabled');
    }
  }

  void load();
  return () => {
    alive = false;
    onActor.cancel();
  };
}
