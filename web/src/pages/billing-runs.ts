import { api, getSession } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { can } from '../lib/auth';
import { defaultRunPeriod, formatPeriod, periodDays, validateRunForm } from '../lib/billing';
import { h, mount } from '../lib/dom';
import { clockTime } from '../lib/time';
import { runHref } from '../router';
import type { BillRun, BillingCycle, BillingZone } from '../types';
import { emptyRow, errorBanner, timeAgo } from '../components/ui';
import { billingTabs, loadKeyZones, outcomeCounts, progressBar } from './billing-common';

// Billing overview (#/billing, billing:read): the billing cycles with their accounts, the review
// zones, the bill runs with progress and outcome, and (billing:run) a form to start a run. While a
// run is running the list is polled every second.
const COLS = 8;
export const RUNS_POLL_MS = 1000;
export const RUNS_IDLE_MS = 15_000;

export function renderBilling(root: HTMLElement): () => void {
  let alive = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let runs: BillRun[] = [];
  let loaded = false;
  const session = getSession();
  const mayRun = can(session, 'billing:run');

  const errorBox = h('div');
  const updated = h('span', { class: 'updated muted', 'data-testid': 'runs-updated' });
  const tbody = h('tbody', null, emptyRow(COLS, 'Loading bill runs…', 'loading'));
  const cyclesBody = h('tbody', null, emptyRow(3, 'Loading cycles…', 'loading'));
  const zonesBody = h('tbody', null, emptyRow(4, 'Loading zones…', 'loading'));

  // ---- start a run ----------------------------------------------------------------------------
  const period = defaultRunPeriod();
  const fCycle = h('input', { type: 'text', class: 'input', id: 'run-cycle', list: 'run-cycles', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'run-cycle' });
  const cycleList = h('datalist', { id: 'run-cycles' });
  const fFrom = h('input', { type: 'date', class: 'input', id: 'run-from', value: period.first, 'data-testid': 'run-from' });
  const fTo = h('input', { type: 'date', class: 'input', id: 'run-to', value: period.last, 'data-testid': 'run-to' });
  const fChunk = h('input', { type: 'number', class: 'input input-days', id: 'run-chunk', min: 1, max: 100000, placeholder: 'auto', 'data-testid': 'run-chunk' });
  const fHint = h('span', { class: 'hint', 'data-testid': 'run-period-hint' });
  const fError = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'run-start-error', hidden: true });
  const fSubmit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'run-start' }, 'Start run');
  const fInputs: Record<string, HTMLElement> = { cycle: fCycle, from: fFrom, to: fTo, chunk_size: fChunk };

  function drawHint(): void {
    const v = validateRunForm(fCycle.value || '-', fFrom.value, fTo.value);
    if (!v.ok) {
      fHint.textContent = '';
      return;
    }
    const days = periodDays(v.body.from, v.body.to) ?? 0;
    fHint.textContent = `${formatPeriod(v.body.from, v.body.to)} · ${days} day${days === 1 ? '' : 's'} (last day included)`;
  }
  fFrom.addEventListener('input', drawHint);
  fTo.addEventListener('input', drawHint);
  drawHint();

  function showFormError(field: string, message: string | null): void {
    for (const el of Object.values(fInputs)) el.removeAttribute('aria-invalid');
    fError.hidden = !message;
    fError.textContent = message ?? '';
    if (message && fInputs[field]) fInputs[field].setAttribute('aria-invalid', 'true');
  }

  const startForm = h(
    'form',
    {
      class: 'form form-inline-grid',
      novalidate: true,
      'data-testid': 'run-start-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v = validateRunForm(fCycle.value, fFrom.value, fTo.value, fChunk.value);
        if (!v.ok) {
          showFormError(v.error.field, v.error.message);
          return;
        }
        showFormError('', null);
        fSubmit.disabled = true;
        try {
          const run = await api.startRun(v.body);
          if (!alive) return;
          location.hash = runHref(run.id);
        } catch (ex) {
          if (alive) showFormError(ex instanceof ApiError ? ex.field : '', errorMessage(ex));
        } finally {
          fSubmit.disabled = false;
        }
      },
    },
    h('div', { class: 'form-row' }, h('label', { for: 'run-cycle' }, 'Billing cycle'), fCycle, cycleList),
    h('div', { class: 'form-row' }, h('label', { for: 'run-from' }, 'First day'), fFrom),
    h('div', { class: 'form-row' }, h('label', { for: 'run-to' }, 'Last day (included)'), fTo, fHint),
    h('div', { class: 'form-row' }, h('label', { for: 'run-chunk' }, 'Accounts per chunk ', h('span', { class: 'muted' }, '(optional)')), fChunk),
    fError,
    h('div', { class: 'form-actions' }, fSubmit, h('span', { class: 'hint' }, 'Starting the same cycle and period again resumes that run and retries its held accounts.')),
  );

  // ---- cycles and zones -----------------------------------------------------------------------
  function drawCycles(cycles: BillingCycle[]): void {
    mount(cycleList, cycles.map((c) => h('option', { value: c.cycle })));
    if (!fCycle.value && cycles.length) fCycle.value = cycles[0].cycle;
    if (cycles.length === 0) {
      mount(cyclesBody, emptyRow(3, 'No accounts yet: add accounts with a billing cycle.'));
      return;
    }
    mount(
      cyclesBody,
      cycles.map((c) =>
        h(
          'tr',
          { 'data-testid': `cycle-row-${c.cycle}` },
          h('td', { class: 'mono strong' }, c.cycle),
          h('td', { class: 'num mono' }, c.accounts.toLocaleString('en-US')),
          h(
            'td',
            { class: 'num' },
            h('a', { href: `#/billing/accounts?cycle=${encodeURIComponent(c.cycle)}`, class: 'small' }, 'Accounts'),
            mayRun
              ? [
                  ' · ',
                  h(
                    'a',
                    {
                      href: '#/billing',
                      class: 'small',
                      onclick: (e: Event) => {
                        e.preventDefault();
                        fCycle.value = c.cycle;
                        fFrom.focus();
                      },
                    },
                    'Bill',
                  ),
                ]
              : null,
          ),
        ),
      ),
    );
  }

  function zoneRow(z: BillingZone): HTMLTableRowElement {
    const key = h('input', { type: 'checkbox', checked: z.key, disabled: !mayRun, 'aria-label': `${z.id} is a key zone`, 'data-testid': `zone-key-${z.id}` });
    const size = h('input', { type: 'number', class: 'input input-days', min: 0, max: 100000, value: String(z.sample_size), disabled: !mayRun || z.key, 'aria-label': `Sample size of ${z.id}` });
    const note = h('span', { class: 'muted small', role: 'status' });
    key.addEventListener('change', () => {
      size.disabled = key.checked;
    });
    const save = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        'data-testid': `zone-save-${z.id}`,
        onclick: async () => {
          const n = Number(size.value);
          if (!Number.isInteger(n) || n < 0) {
            note.textContent = 'The sample size is a whole number.';
            return;
          }
          save.disabled = true;
          try {
            await api.putZone(z.id, { key: key.checked, sample_size: n });
            note.textContent = 'Saved.';
          } catch (e) {
            note.textContent = errorMessage(e);
          } finally {
            save.disabled = false;
          }
        },
      },
      'Save',
    );
    return h(
      'tr',
      { 'data-testid': `zone-row-${z.id}`, 'data-key': String(z.key) },
      h('td', { class: 'mono strong' }, z.id),
      h('td', null, h('label', { class: 'inline' }, key, z.key ? 'Key: every bill' : 'Regular')),
      h('td', null, size, h('span', { class: 'hint' }, ' bills per run')),
      h('td', null, mayRun ? save : null, note),
    );
  }

  function drawZones(zones: BillingZone[]): void {
    mount(zonesBody, zones.length ? zones.map(zoneRow) : emptyRow(4, 'No review zones yet.'));
  }

  // ---- runs -----------------------------------------------------------------------------------
  function runRow(r: BillRun, now: number): HTMLTableRowElement {
    const open = (): void => {
      location.hash = runHref(r.id);
    };
    return h(
      'tr',
      {
        class: 'clickable',
        tabindex: 0,
        'data-testid': `run-row-${r.id}`,
        'data-state': r.state,
        onclick: (e: Event) => {
          if (!(e.target as HTMLElement).closest('a')) open();
        },
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter') open();
        },
      },
      h('td', { class: 'mono strong' }, h('a', { href: runHref(r.id) }, String(r.id))),
      h('td', { class: 'mono' }, r.cycle),
      h('td', { class: 'nowrap' }, formatPeriod(r.from, r.to)),
      h('td', null, h('span', { class: r.state === 'completed' ? 'pill cmd-ok' : 'pill cmd-wait', 'data-testid': `run-state-${r.id}` }, h('span', { class: 'dot' }), r.state)),
      h('td', { class: 'col-progress' }, progressBar(r, `run-progress-${r.id}`)),
      h('td', { class: 'num mono' }, r.accounts.toLocaleString('en-US')),
      h('td', null, outcomeCounts(r, `run-outcome-${r.id}`)),
      h('td', { class: 'nowrap' }, timeAgo(r.created, now), h('div', { class: 'muted small' }, r.created_by || '—')),
    );
  }

  function drawRuns(): void {
    const now = Date.now();
    mount(tbody, runs.length ? runs.map((r) => runRow(r, now)) : emptyRow(COLS, mayRun ? 'No bill runs yet: start one below.' : 'No bill runs yet.'));
  }

  async function loadRuns(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    try {
      const r = await api.billRuns();
      if (!alive) return;
      runs = Array.isArray(r?.items) ? r.items : [];
      loaded = true;
      drawRuns();
      mount(errorBox);
      updated.textContent = `Updated ${clockTime()}`;
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not load the bill runs: ${errorMessage(e)}`));
      if (!loaded) mount(tbody, emptyRow(COLS, 'Could not load the bill runs.', 'error'));
    } finally {
      if (alive) timer = setTimeout(() => void loadRuns(), runs.some((r) => r.state === 'running') ? RUNS_POLL_MS : RUNS_IDLE_MS);
    }
  }

  async function loadSide(): Promise<void> {
    const [cycles, zones] = await Promise.allSettled([api.cycles(), loadKeyZones()]);
    if (!alive) return;
    if (cycles.status === 'fulfilled') drawCycles(Array.isArray(cycles.value?.items) ? cycles.value.items : []);
    else mount(cyclesBody, emptyRow(3, `Could not load the cycles: ${errorMessage(cycles.reason)}`, 'error'));
    if (zones.status === 'fulfilled') drawZones(zones.value.zones);
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'billing-page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Billing'), h('div', { class: 'spacer' }), updated),
      billingTabs('runs'),
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h('div', { class: 'card-head padded' }, h('h2', null, 'Bill runs')),
        h(
          'table',
          { class: 'table', 'data-testid': 'runs-table' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'Run'), h('th', null, 'Cycle'), h('th', null, 'Period'), h('th', null, 'State'), h('th', null, 'Progress'), h('th', { class: 'num' }, 'Accounts'), h('th', null, 'Outcome'), h('th', null, 'Started')),
          ),
          tbody,
        ),
      ),
      mayRun ? h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Start a bill run')), startForm) : null,
      h(
        'div',
        { class: 'grid grid-2' },
        h(
          'div',
          { class: 'card card-flush table-wrap' },
          h('div', { class: 'card-head padded' }, h('h2', null, 'Billing cycles')),
          h('table', { class: 'table', 'data-testid': 'cycles-table' }, h('thead', null, h('tr', null, h('th', null, 'Cycle'), h('th', { class: 'num' }, 'Accounts'), h('th', null, ''))), cyclesBody),
        ),
        h(
          'div',
          { class: 'card card-flush table-wrap' },
          h('div', { class: 'card-head padded' }, h('h2', null, 'Review zones'), h('span', { class: 'hint' }, 'Key zones: every bill is reviewed. Regular: a random sample per run.')),
          h('table', { class: 'table', 'data-testid': 'zones-table' }, h('thead', null, h('tr', null, h('th', null, 'Zone'), h('th', null, 'Review'), h('th', null, 'Sample'), h('th', null, ''))), zonesBody),
        ),
      ),
    ),
  );

  void loadRuns();
  void loadSide();
  return () => {
    alive = false;
    if (timer !== undefined) clearTimeout(timer);
  };
}
