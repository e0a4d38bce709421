// View pieces shared by the billing pages: the section tabs, colour-cue chips and legend, state
// pills, the run progress bar and outcome counts, and the review zones (for the key-zone cue).
import { api } from '../api';
import { billCues, billStateStyle, CUES, formatPeriod, rowCueClass, runProgress, type Cue } from '../lib/billing';
import { h } from '../lib/dom';
import type { BillRun, BillSummary, BillingZone } from '../types';

export type BillingTab = 'runs' | 'review' | 'tariffs' | 'accounts';

const TABS: readonly { tab: BillingTab; label: string; href: string }[] = [
  { tab: 'runs', label: 'Bill runs', href: '#/billing' },
  { tab: 'review', label: 'Review queue', href: '#/billing/review' },
  { tab: 'tariffs', label: 'Tariffs', href: '#/billing/tariffs' },
  { tab: 'accounts', label: 'Accounts', href: '#/billing/accounts' },
];

/** The billing section's own navigation, under the page title. */
export function billingTabs(active: BillingTab | null): HTMLElement {
  return h(
    'nav',
    { class: 'billing-tabs no-print', 'aria-label': 'Billing' },
    TABS.map((t) =>
      h(
        'a',
        { href: t.href, class: t.tab === active ? 'billing-tab active' : 'billing-tab', 'aria-current': t.tab === active ? 'page' : undefined, 'data-testid': `billing-tab-${t.tab}` },
        t.label,
      ),
    ),
  );
}

export function cueChip(c: Cue): HTMLElement {
  return h('span', { class: `cue ${c.className}`, title: c.description, 'data-cue': c.key }, c.label);
}

export function cueChips(cues: readonly Cue[]): HTMLElement {
  return h('span', { class: 'cues', 'data-testid': 'bill-cues', 'data-cues': cues.map((c) => c.key).join(' ') }, cues.map(cueChip));
}

/** What each colour means. */
export function cueLegend(): HTMLElement {
  return h(
    'ul',
    { class: 'cue-legend', 'data-testid': 'cue-legend', 'aria-label': 'Colour cues' },
    CUES.map((c) => h('li', { title: c.description }, h('span', { class: `swatch ${c.className}`, style: { background: c.color } }), c.label)),
  );
}

export function billStatePill(state: string, testid?: string): HTMLElement {
  const s = billStateStyle(state);
  return h('span', { class: `pill ${s.className}`, 'data-testid': testid, 'data-state': state }, h('span', { class: 'dot' }), s.label);
}

export function progressBar(run: BillRun, testid = 'run-progress'): HTMLElement {
  const p = runProgress(run);
  return h(
    'div',
    { class: p.done ? 'progress is-done' : 'progress', 'data-testid': testid, 'data-percent': String(p.percent), title: p.label },
    h(
      'div',
      { class: 'progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': p.percent, 'aria-label': `Run ${run.id} progress` },
      h('div', { class: 'progress-fill', style: { width: `${p.percent}%` } }),
    ),
    h('span', { class: 'progress-text muted small' }, p.label),
  );
}

/** Billed, held and flagged counts, each with its colour. */
export function outcomeCounts(run: BillRun, testid = 'run-outcome'): HTMLElement {
  const n = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('en-US') : '0');
  return h(
    'span',
    { class: 'outcome', 'data-testid': testid, 'data-billed': String(run.billed), 'data-held': String(run.held), 'data-flagged': String(run.flagged) },
    h('span', { class: 'badge sev-ok', title: 'bills issued' }, `${n(run.billed)} billed`),
    h('span', { class: run.held > 0 ? 'badge sev-bad' : 'badge sev-muted', title: 'accounts held out by an audit rule' }, `${n(run.held)} held`),
    h('span', { class: run.flagged > 0 ? 'badge sev-warn' : 'badge sev-muted', title: 'bills flagged for review' }, `${n(run.flagged)} flagged`),
  );
}

export function runTitle(run: BillRun): string {
  return `Run ${run.id} · ${run.cycle} · ${formatPeriod(run.from, run.to)}`;
}

/** A table row's class and cue chips for a bill. */
export function billCueCell(b: BillSummary, keyZones: ReadonlySet<string>): { rowClass: string; chips: HTMLElement } {
  const cues = billCues(b, keyZones);
  return { rowClass: rowCueClass(cues), chips: cueChips(cues) };
}

/** The ids of the key review zones (an empty set if they cannot be read: the cue is then left out). */
export async function loadKeyZones(signal?: AbortSignal): Promise<{ zones: BillingZone[]; keys: Set<string> }> {
  try {
    const r = await api.zones(signal);
    const zones = Array.isArray(r?.items) ? r.items : [];
    return { zones, keys: new Set(zones.filter((z) => z.key).map((z) => z.id)) };
  } catch {
    return { zones: [], keys: new Set() };
  }
}

/** Saves text as a file through a temporary link (for CSV made in the page). */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
