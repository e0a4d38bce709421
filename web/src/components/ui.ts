// Small shared view pieces.
import { h } from '../lib/dom';
import { statusStyle, commandStateClass, eventSeverity, humanize } from '../lib/status';
import { formatDateTime, relativeTime } from '../lib/time';

export const ICONS = {
  search: 'M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35',
  chevronLeft: 'M15 18l-6-6 6-6',
  chevronRight: 'M9 18l6-6-6-6',
  power: 'M18.36 6.64a9 9 0 1 1-12.73 0M12 2v10',
  logout: 'M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9',
  refresh: 'M23 4v6h-6M1 20v-6h6M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15',
  alert: 'M12 9v4M12 17h.01M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z',
};

export function statusPill(status: string | null | undefined): HTMLElement {
  const s = statusStyle(status);
  return h('span', { class: `pill ${s.className}`, title: s.description, 'data-status': status ?? '' }, h('span', { class: 'dot' }), s.label);
}

/** A relative time with the exact time as its title. */
export function timeAgo(iso: string | null | undefined, now = Date.now()): HTMLElement {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: iso, title: `${formatDateTime(iso)} (${iso})` }, relativeTime(iso, now));
}

export function outputBadge(output: string | null | undefined): HTMLElement {
  const on = output === 'on';
  const known = output === 'on' || output === 'off';
  return h(
    'span',
    { class: `output ${on ? 'output-on' : known ? 'output-off' : 'output-unknown'}`, 'data-output': output ?? '' },
    h('span', { class: 'output-knob' }),
    known ? (on ? 'On' : 'Off') : (output ?? '—'),
  );
}

export function commandStatePill(state: string, testid?: string): HTMLElement {
  return h('span', { class: `pill ${commandStateClass(state)}`, 'data-testid': testid, 'data-state': state }, h('span', { class: 'dot' }), state);
}

export function eventTypeBadge(type: string): HTMLElement {
  return h('span', { class: `badge sev-${eventSeverity(type)}`, title: type }, humanize(type));
}

export function errorBanner(message: string, testid = 'error-banner'): HTMLElement {
  return h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': testid }, message);
}

export function emptyRow(colspan: number, text: string, cls = 'empty'): HTMLTableRowElement {
  return h('tr', { class: 'row-' + cls }, h('td', { colspan, class: cls }, text));
}

export interface PagerState {
  total: number;
  limit: number;
  offset: number;
}

/** "1–50 of 1,234" with previous and next buttons. */
export function pager(state: PagerState, go: (offset: number) => void, testid = 'pager'): HTMLElement {
  const { total, limit, offset } = state;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  const fmt = (n: number): string => n.toLocaleString('en-US');
  return h(
    'div',
    { class: 'pager', 'data-testid': testid },
    h('span', { class: 'pager-text', 'data-testid': `${testid}-text` }, total === 0 ? 'No results' : `${fmt(first)}–${fmt(last)} of ${fmt(total)}`),
    h('button', { class: 'btn btn-icon', title: 'Previous page', 'aria-label': 'Previous page', disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)), 'data-testid': `${testid}-prev` }, '‹'),
    h('button', { class: 'btn btn-icon', title: 'Next page', 'aria-label': 'Next page', disabled: offset + limit >= total, onclick: () => go(offset + limit), 'data-testid': `${testid}-next` }, '›'),
  );
}

export function field(label: string, value: Node | string, testid?: string): HTMLElement[] {
  return [h('dt', null, label), h('dd', { 'data-testid': testid }, value)];
}

/**
 * A secret the server shows once (a new API token, a generated password): the value, a copy
 * button and a dismiss button. Nothing keeps the value but this element.
 */
export function secretBox(opts: { title: string; value: string; note: string; testid: string; onDismiss?: () => void }): HTMLElement {
  const value = h('code', { class: 'secret-value', 'data-testid': `${opts.testid}-value` }, opts.value);
  const feedback = h('span', { class: 'muted small', role: 'status' });
  const select = (): void => {
    const sel = window.getSelection();
    if (!sel) return;
    const range = document.createRange();
    range.selectNodeContents(value);
    sel.removeAllRanges();
    sel.addRange(range);
  };
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-testid': `${opts.testid}-copy`,
      onclick: async () => {
        try {
          if (!navigator.clipboard) throw new Error('no clipboard');
          await navigator.clipboard.writeText(opts.value);
          feedback.textContent = 'Copied.';
        } catch {
          select();
          feedback.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
        }
      },
    },
    'Copy',
  );
  const box: HTMLElement = h(
    'div',
    { class: 'banner banner-secret', role: 'alert', 'data-testid': opts.testid },
    h('div', { class: 'strong' }, opts.title),
    h('div', { class: 'secret-row' }, value, copy, feedback),
    h('div', { class: 'small' }, opts.note),
    h(
      'div',
      null,
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost',
          'data-testid': `${opts.testid}-dismiss`,
          onclick: () => {
            box.remove();
            opts.onDismiss?.();
          },
        },
        'I have copied it',
      ),
    ),
  );
  return box;
}
