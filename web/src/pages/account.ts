import { api, clearSession, getSession } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { MAX_TOKEN_DAYS, MIN_PASSWORD, grantableScopes, validatePasswordChange, validateTokenForm, type FormError } from '../lib/auth';
import { h, mount } from '../lib/dom';
import { formatDateTime } from '../lib/time';
import type { ApiToken } from '../types';
import { confirmDialog } from '../components/dialog';
import { emptyRow, errorBanner, secretBox, timeAgo } from '../components/ui';

// The account page (#/account): change the password, see and revoke one's own sessions and API
// tokens, create an API token (shown once). When the password must be changed, only that form.
const COLS = 6;

export interface AccountOptions {
  /** The server holds everything back until the password is changed. */
  forced: boolean;
  onPasswordChanged: () => Promise<void> | void;
  /** The current session was revoked here. */
  onSignedOut: () => void;
}

/** Shows a form's error and marks the input it is about. */
function showFormError(box: HTMLElement, inputs: Record<string, HTMLElement>, err: FormError | null): void {
  for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
  if (!err) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = err.message;
  box.hidden = false;
  const el = inputs[err.field];
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  }
}

function apiFormError(e: unknown): FormError {
  return { field: e instanceof ApiError ? e.field : '', message: errorMessage(e) };
}

export function renderAccount(root: HTMLElement, opts: AccountOptions): () => void {
  let alive = true;

  // ---- password -------------------------------------------------------------------------------
  const cur = h('input', { type: 'password', class: 'input', id: 'pw-current', autocomplete: 'current-password', 'data-testid': 'password-current' });
  const next = h('input', { type: 'password', class: 'input', id: 'pw-new', autocomplete: 'new-password', minlength: MIN_PASSWORD, 'data-testid': 'password-new' });
  const repeat = h('input', { type: 'password', class: 'input', id: 'pw-repeat', autocomplete: 'new-password', 'data-testid': 'password-repeat' });
  const pwInputs: Record<string, HTMLElement> = { current_password: cur, new_password: next, repeat };
  const pwError = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'password-error', hidden: true });
  const pwOk = h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'password-ok', hidden: true }, 'Your password has been changed.');
  const pwSubmit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'password-submit' }, 'Change password');
  const pwForm: HTMLFormElement = h(
    'form',
    {
      class: 'form',
      novalidate: true,
      'data-testid': 'password-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        pwOk.hidden = true;
        const err = validatePasswordChange(cur.value, next.value, repeat.value);
        showFormError(pwError, pwInputs, err);
        if (err) return;
        pwSubmit.disabled = true;
        pwForm.dataset.state = 'saving';
        try {
          await api.changePassword(cur.value, next.value);
        } catch (ex) {
          if (!alive) return;
          pwSubmit.disabled = false;
          pwForm.dataset.state = 'error';
          if (ex instanceof ApiError && ex.status === 401) {
            // Either the current password is wrong or the session has ended; ask which.
            const still = await api.me(true).catch(() => null);
            if (!alive || !still) return;
            showFormError(pwError, pwInputs, { field: 'current_password', message: 'The current password is wrong.' });
            return;
          }
          showFormError(pwError, pwInputs, apiFormError(ex));
          return;
        }
        if (!alive) return;
        pwSubmit.disabled = false;
        cur.value = next.value = repeat.value = '';
        showFormError(pwError, pwInputs, null);
        pwOk.hidden = false;
        await opts.onPasswordChanged();
        // The server may end the session on a password change; the login page is then on its way.
        if (alive) pwForm.dataset.state = getSession() ? 'done' : 'signed-out';
      },
    },
    h('div', { class: 'form-row' }, h('label', { for: 'pw-current' }, 'Current password'), cur),
    h('div', { class: 'form-row' }, h('label', { for: 'pw-new' }, 'New password'), next, h('span', { class: 'hint' }, `At least ${MIN_PASSWORD} characters.`)),
    h('div', { class: 'form-row' }, h('label', { for: 'pw-repeat' }, 'Repeat new password'), repeat),
    pwError,
    pwOk,
    h('div', { class: 'form-actions' }, pwSubmit),
  );
  const pwCard = h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Change password')), pwForm);

  if (opts.forced) {
    root.replaceChildren(
      h(
        'section',
        { class: 'page page-narrow', 'data-testid': 'account-page', 'data-forced': 'true' },
        h('div', { class: 'page-head' }, h('h1', null, 'Change your password')),
        h(
          'div',
          { class: 'banner banner-info', 'data-testid': 'password-required' },
          'Your password must be changed before you can go on. Choose a new one that only you know.',
        ),
        pwCard,
      ),
    );
    setTimeout(() => cur.focus(), 0);
    return () => {
      alive = false;
    };
  }

  // ---- who am I -------------------------------------------------------------------------------
  const summary = h('dl', { class: 'dl', 'data-testid': 'account-summary' });
  function drawSummary(): void {
    const s = getSession();
    if (!s) return;
    mount(
      summary,
      h('dt', null, 'User'),
      h('dd', { class: 'mono', 'data-testid': 'account-user' }, s.user),
      h('dt', null, 'Role'),
      h('dd', { 'data-testid': 'account-role' }, s.role || '—'),
      h('dt', null, 'Permissions'),
      h('dd', { 'data-testid': 'account-permissions' }, s.permissions.length ? s.permissions.map((p) => h('span', { class: 'badge sev-info perm' }, p)) : h('span', { class: 'muted' }, 'none')),
      s.devices.length ? [h('dt', null, 'Devices'), h('dd', { class: 'mono' }, s.devices.join(', '))] : null,
      s.expires ? [h('dt', null, 'Session ends'), h('dd', null, formatDateTime(s.expires))] : null,
    );
  }

  // ---- sessions and tokens ----------------------------------------------------------------------
  const tbody = h('tbody', null, emptyRow(COLS, 'Loading…', 'loading'));
  const tokensError = h('div');
  function drawTokens(items: ApiToken[]): void {
    if (items.length === 0) {
      mount(tbody, emptyRow(COLS, 'No sessions or tokens.'));
      return;
    }
    const sorted = [...items].sort((a, b) => Number(b.current) - Number(a.current) || String(b.created).localeCompare(String(a.created)));
    mount(
      tbody,
      sorted.map((t) =>
        h(
          'tr',
          { 'data-testid': `token-row-${t.id}`, 'data-kind': t.kind, 'data-current': String(!!t.current), 'data-name': t.name, class: t.current ? 'row-current' : undefined },
          h('td', null, h('span', { class: 'strong' }, t.name || '—'), t.current ? h('span', { class: 'badge sev-ok current-badge', 'data-testid': 'token-current' }, 'this session') : null),
          h('td', null, t.kind === 'session' ? 'Session' : t.kind === 'api' ? 'API token' : t.kind),
          h('td', { class: 'scopes' }, (t.scopes ?? []).length ? t.scopes.map((p) => h('span', { class: 'badge sev-info perm' }, p)) : h('span', { class: 'muted' }, t.kind === 'session' ? 'role' : '—')),
          h('td', { class: 'nowrap' }, timeAgo(t.created)),
          h('td', { class: 'nowrap', title: t.expires }, formatDateTime(t.expires, false)),
          h(
            'td',
            { class: 'num' },
            h('button', { type: 'button', class: 'btn btn-danger-ghost', 'data-testid': `token-revoke-${t.id}`, onclick: () => void revoke(t) }, t.current ? 'Sign out' : 'Revoke'),
          ),
        ),
      ),
    );
  }

  async function loadTokens(): Promise<void> {
    try {
      const r = await api.tokens();
      if (!alive) return;
      drawTokens(Array.isArray(r?.items) ? r.items : []);
      mount(tokensError);
    } catch (e) {
      if (!alive) return;
      mount(tokensError, errorBanner(`Could not load your sessions and tokens: ${errorMessage(e)}`, 'tokens-error'));
      mount(tbody, emptyRow(COLS, 'Could not load.', 'error'));
    }
  }

  async function revoke(t: ApiToken): Promise<void> {
    const yes = await confirmDialog(
      t.current
        ? { title: 'Sign out here?', message: 'This is the session you are using now: revoking it signs you out.', confirm: 'Sign out', danger: true }
        : {
            title: t.kind === 'session' ? 'End this session?' : 'Revoke this token?',
            message: `"${t.name}" stops working at once.${t.kind === 'api' ? ' Programs that use it will be refused.' : ''}`,
            confirm: 'Revoke',
            danger: true,
          },
    );
    if (!yes || !alive) return;
    try {
      await api.revokeToken(t.id);
    } catch (e) {
      if (alive) mount(tokensError, errorBanner(`Could not revoke "${t.name}": ${errorMessage(e)}`, 'tokens-error'));
      return;
    }
    if (t.current) {
      clearSession();
      opts.onSignedOut();
      return;
    }
    if (alive) void loadTokens();
  }

  // ---- create a token -------------------------------------------------------------------------
  const tName = h('input', { type: 'text', class: 'input', id: 'token-name', maxlength: 100, placeholder: 'e.g. billing export', 'data-testid': 'token-name' });
  const tDays = h('input', { type: 'number', class: 'input input-days', id: 'token-days', min: 1, max: MAX_TOKEN_DAYS, step: 1, value: '30', 'data-testid': 'token-days' });
  const scopeBox = h('fieldset', { class: 'checks', 'data-testid': 'token-scopes' });
  const tError = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'token-error', hidden: true });
  const tResult = h('div', { class: 'secret-slot', 'data-testid': 'token-result' });
  const tSubmit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'token-submit' }, 'Create token');
  let descriptions = new Map<string, string>();

  function drawScopes(): void {
    const checked = new Set([...scopeBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value));
    const scopes = grantableScopes(getSession());
    mount(
      scopeBox,
      h('legend', null, 'Scopes ', h('span', { class: 'hint' }, '(at most your own permissions)')),
      scopes.length
        ? scopes.map((p) =>
            h(
              'label',
              { class: 'check' },
              h('input', { type: 'checkbox', value: p, checked: checked.has(p), 'data-testid': `token-scope-${p}` }),
              h('code', null, p),
              descriptions.get(p) ? h('span', { class: 'muted small' }, descriptions.get(p)) : null,
            ),
          )
        : h('span', { class: 'muted' }, 'Your role has no permissions to give a token.'),
    );
  }

  const tInputs: Record<string, HTMLElement> = { name: tName, scopes: scopeBox, expires_days: tDays };
  const tForm = h(
    'form',
    {
      class: 'form',
      novalidate: true,
      'data-testid': 'token-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const picked = [...scopeBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
        const v = validateTokenForm(tName.value, picked, tDays.value, grantableScopes(getSession()));
        if (!v.ok) {
          showFormError(tError, tInputs, v.error);
          return;
        }
        showFormError(tError, tInputs, null);
        tSubmit.disabled = true;
        try {
          const created = await api.createToken(v.body);
          if (!alive) return;
          if (!created || typeof created.token !== 'string' || !created.token) throw new ApiError(500, 'internal', 'The server sent no token.');
          mount(
            tResult,
            secretBox({
              title: `API token "${created.name}" created`,
              value: created.token,
              note: `Copy it now: it is shown only this once and cannot be shown again. Send it as "Authorization: Bearer <token>". It expires ${formatDateTime(created.expires, false)}.`,
              testid: 'token-created',
            }),
          );
          tName.value = '';
          for (const i of scopeBox.querySelectorAll<HTMLInputElement>('input:checked')) i.checked = false;
          void loadTokens();
        } catch (ex) {
          if (alive) showFormError(tError, tInputs, apiFormError(ex));
        } finally {
          tSubmit.disabled = false;
        }
      },
    },
    h('div', { class: 'form-row' }, h('label', { for: 'token-name' }, 'Name'), tName),
    scopeBox,
    h('div', { class: 'form-row' }, h('label', { for: 'token-days' }, 'Expires after'), h('span', { class: 'inline' }, tDays, ' days'), h('span', { class: 'hint' }, `1 to ${MAX_TOKEN_DAYS}.`)),
    tError,
    h('div', { class: 'form-actions' }, tSubmit),
  );

  root.replaceChildren(
    h(
      'section',
      { class: 'page', 'data-testid': 'account-page', 'data-forced': 'false' },
      h('div', { class: 'page-head' }, h('h1', null, 'Account')),
      h('div', { class: 'grid grid-2' }, h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'You')), summary), pwCard),
      h(
        'div',
        { class: 'card card-flush' },
        h('div', { class: 'card-head padded' }, h('h2', null, 'Sessions and API tokens')),
        tokensError,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table', 'data-testid': 'tokens-table' },
            h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Kind'), h('th', null, 'Scopes'), h('th', null, 'Created'), h('th', null, 'Expires'), h('th', null, ''))),
            tbody,
          ),
        ),
      ),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'New API token')), tResult, tForm),
    ),
  );

  drawSummary();
  drawScopes();
  void loadTokens();
  // Fresh permissions, devices and CSRF token; descriptions of the permissions if the role may see them.
  void api
    .me(true)
    .then(() => {
      if (!alive) return;
      drawSummary();
      drawScopes();
    })
    .catch(() => {});
  void api
    .roles()
    .then((r) => {
      if (!alive || !r || !Array.isArray(r.permissions)) return;
      descriptions = new Map(r.permissions.map((p) => [p.name, p.description]));
      drawScopes();
    })
    .catch(() => {});

  return () => {
    alive = false;
  };
}
