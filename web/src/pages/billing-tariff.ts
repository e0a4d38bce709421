import { api, getSession } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { can } from '../lib/auth';
import { dayString, lineOffsets, tariffErrorLine, tariffTemplate } from '../lib/billing';
import { unitLabel } from '../lib/decimal';
import { h, mount } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import type { Tariff } from '../types';
import { errorBanner, field } from '../components/ui';
import { billingTabs } from './billing-common';

// One tariff (#/billing/tariffs/{id}): its TOML in an editor with line numbers. With billing:run
// it can be saved (PUT, the TOML as the body); a refused file shows the server's message beside
// the editor and selects the line it names. An id that does not exist yet starts from a template.

export function renderTariff(root: HTMLElement, id: string): () => void {
  let alive = true;
  let saved = '';
  let errorLine: number | null = null;
  const mayEdit = can(getSession(), 'billing:run');

  const meta = h('dl', { class: 'dl', 'data-testid': 'tariff-meta' });
  const notice = h('div', { 'data-testid': 'tariff-notice' });
  const errorBox = h('div', { class: 'tariff-error', 'data-testid': 'tariff-error-box' });
  const gutter = h('pre', { class: 'editor-gutter', 'aria-hidden': 'true' });
  const editor = h('textarea', {
    class: 'editor-text',
    spellcheck: 'false',
    autocomplete: 'off',
    wrap: 'off',
    readonly: !mayEdit,
    'aria-label': `TOML of tariff ${id}`,
    'data-testid': 'tariff-source',
  });
  const saveBtn = h('button', { type: 'button', class: 'btn btn-primary', disabled: true, 'data-testid': 'tariff-save' }, 'Save');
  const revertBtn = h('button', { type: 'button', class: 'btn', disabled: true, 'data-testid': 'tariff-revert' }, 'Revert');
  const dirtyNote = h('span', { class: 'muted small', 'data-testid': 'tariff-dirty' });

  function drawGutter(): void {
    const n = editor.value.split('\n').length;
    const lines: (HTMLElement | string)[] = [];
    for (let i = 1; i <= n; i++) lines.push(i === errorLine ? h('span', { class: 'gutter-error' }, String(i)) : String(i), '\n');
    mount(gutter, lines);
    gutter.scrollTop = editor.scrollTop;
  }

  function drawDirty(): void {
    const dirty = editor.value !== saved;
    saveBtn.disabled = !mayEdit || !dirty;
    revertBtn.disabled = !dirty;
    dirtyNote.textContent = dirty ? 'Unsaved changes' : '';
  }

  editor.addEventListener('input', () => {
    drawGutter();
    drawDirty();
  });
  editor.addEventListener('scroll', () => {
    gutter.scrollTop = editor.scrollTop;
  });
  // A tab key types two spaces instead of leaving the editor.
  editor.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.shiftKey || !mayEdit) return;
    e.preventDefault();
    editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
    drawGutter();
    drawDirty();
  });

  function selectLine(line: number): void {
    const r = lineOffsets(editor.value, line);
    if (!r) return;
    editor.focus();
    editor.setSelectionRange(r.start, r.end);
    // Bring the line into view: about 18 px a line.
    editor.scrollTop = Math.max(0, (line - 4) * 18);
  }

  function showError(message: string | null): void {
    errorLine = message ? tariffErrorLine(message) : null;
    drawGutter();
    if (!message) {
      mount(errorBox);
      return;
    }
    const line = errorLine;
    mount(
      errorBox,
      h(
        'div',
        { class: 'banner banner-error', role: 'alert', 'data-testid': 'tariff-error', 'data-line': line !== null ? String(line) : '' },
        h('div', { class: 'strong' }, line !== null ? `Refused at line ${line}` : 'Refused'),
        h('div', { class: 'mono small' }, message),
        line !== null ? h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => selectLine(line) }, `Go to line ${line}`) : null,
      ),
    );
    if (line !== null) selectLine(line);
  }

  function drawMeta(t: Tariff | null): void {
    if (!t) {
      mount(meta, field('Status', h('span', { class: 'muted' }, 'new: not saved yet')));
      return;
    }
    mount(
      meta,
      field('Name', t.name || '—', 'tariff-name'),
      field('Currency', h('span', { class: 'mono' }, t.currency || '—')),
      field('Prices', t.unit ? `per ${unitLabel(t.unit)}` : '—'),
      field('Time zone', h('span', { class: 'mono' }, t.time_zone || '—')),
      field('Versions', String(t.versions ?? '—')),
      field('Updated', `${formatDateTime(t.updated)}${t.updated_by ? ` by ${t.updated_by}` : ''}`),
    );
  }

  function setSource(text: string): void {
    saved = text;
    editor.value = text;
    drawGutter();
    drawDirty();
  }

  saveBtn.addEventListener('click', async () => {
    saveBtn.disabled = true;
    mount(notice);
    try {
      const t = await api.putTariff(id, editor.value);
      if (!alive) return;
      saved = editor.value;
      showError(null);
      drawMeta(t);
      drawDirty();
      mount(notice, h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'tariff-saved' }, `Saved: ${t.versions ?? '?'} version${t.versions === 1 ? '' : 's'}.`));
    } catch (e) {
      if (!alive) return;
      showError(e instanceof ApiError ? e.message : errorMessage(e));
      drawDirty();
    }
  });
  revertBtn.addEventListener('click', () => {
    setSource(saved);
    showError(null);
  });

  async function load(): Promise<void> {
    try {
      const t = await api.tariff(id);
      if (!alive) return;
      drawMeta(t);
      setSource(typeof t.source === 'string' ? t.source : '');
    } catch (e) {
      if (!alive) return;
      if (e instanceof ApiError && e.status === 404 && mayEdit) {
        drawMeta(null);
        setSource('');
        editor.value = tariffTemplate(id, dayString(Math.floor(Date.now() / 86_400_000)));
        drawGutter();
        drawDirty();
        mount(notice, h('div', { class: 'banner banner-info', 'data-testid': 'tariff-new' }, `There is no tariff ${id} yet: edit the template and save it.`));
        return;
      }
      mount(notice, errorBanner(`Could not load tariff ${id}: ${errorMessage(e)}`));
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page page-billing', 'data-testid': 'tariff-page', 'data-tariff': id },
      h('div', { class: 'crumbs' }, h('a', { href: '#/billing/tariffs' }, 'Tariffs'), h('span', { class: 'sep' }, '›'), h('span', null, id)),
      h('div', { class: 'page-head' }, h('h1', { class: 'mono' }, id), h('div', { class: 'spacer' }), dirtyNote, mayEdit ? [revertBtn, saveBtn] : h('span', { class: 'muted small' }, 'Read only: editing needs billing:run')),
      billingTabs('tariffs'),
      notice,
      h(
        'div',
        { class: 'tariff-layout' },
        h('div', { class: 'card card-flush' }, h('div', { class: 'editor' }, gutter, editor)),
        h('div', { class: 'tariff-side' }, h('div', { class: 'card' }, meta), errorBox),
      ),
    ),
  );
  void load();
  return () => {
    alive = false;
  };
}
