import { api, getSession } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { MIN_PASSWORD, defaultRole, devicesLabel, parseDeviceList, userStatus, validateNewUser, type FormError } from '../lib/auth';
import { h, mount } from '../lib/dom';
import type { ManagedUser, Role } from '../types';
import { confirmDialog } from '../components/dialog';
import { emptyRow, errorBanner, secretBox, timeAgo } from '../components/ui';

// User management (#/users, permission users:manage): the users with their role, status and
// devices; create a user; change a role, disable or enable, set the devices, reset a password.
const COLS = 6;

export function renderUsers(root: HTMLElement): () => void {
  let alive = true;
  let roles: Role[] = [];
  let users: ManagedUser[] = [];
  let total = 0;
  let loaded = false;
  let editing: string | null = null; // the user whose devices are being edited
  const busy = new Set<string>();
  const self = getSession()?.user ?? '';

  const count = h('span', { class: 'page-count', 'data-testid': 'users-total' });
  const errorBox = h('div');
  const resultBox = h('div', { class: 'secret-slot', 'data-testid': 'users-result' });
  const tbody = h('tbody', null, emptyRow(COLS, 'Loading users…', 'loading'));
  const moreNote = h('div', { class: 'muted small', hidden: true });

  const roleOf = (name: string): Role | undefined => roles.find((r) => r.name === name);

  // ---- create ---------------------------------------------------------------------------------
  const nName = h('input', { type: 'text', class: 'input', id: 'user-new-name', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'user-new-name' });
  const nRole = h('select', { class: 'input', id: 'user-new-role', 'data-testid': 'user-new-role' });
  const nRoleHint = h('span', { class: 'hint', 'data-testid': 'user-new-role-hint' });
  const nPass = h('input', { type: 'password', class: 'input', id: 'user-new-password', autocomplete: 'new-password', 'data-testid': 'user-new-password' });
  const nDevices = h('input', { type: 'text', class: 'input input-wide', id: 'user-new-devices', placeholder: 'D000001, D000002', spellcheck: 'false', 'data-testid': 'user-new-devices' });
  const nDevicesHint = h('span', { class: 'hint' });
  const nError = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'user-create-error', hidden: true });
  const nSubmit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'user-create-submit' }, 'Create user');
  const nInputs: Record<string, HTMLElement> = { name: nName, role: nRole, password: nPass, devices: nDevices };

  function showError(err: FormError | null): void {
    for (const el of Object.values(nInputs)) el.removeAttribute('aria-invalid');
    nError.hidden = !err;
    nError.textContent = err?.message ?? '';
    if (err && nInputs[err.field]) {
      nInputs[err.field].setAttribute('aria-invalid', 'true');
      nInputs[err.field].focus();
    }
  }

  function drawRoleHint(): void {
    const r = roleOf(nRole.value);
    nRoleHint.textContent = r?.description ?? '';
    nRole.dataset.scoped = String(!!r?.scoped);
    nDevicesHint.textContent = !r
      ? 'Device ids, separated by commas.'
      : r.scoped
        ? `Device ids, separated by commas: the role ${r.name} sees only these devices.`
        : `The role ${r.name} sees all devices; a list here has no effect.`;
  }
  nRole.addEventListener('change', drawRoleHint);

  const createForm = h(
    'form',
    {
      class: 'form form-inline-grid',
      novalidate: true,
      'data-testid': 'user-create-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v = validateNewUser(nName.value, nRole.value, nPass.value, nDevices.value);
        if (!v.ok) {
          showError(v.error);
          return;
        }
        showError(null);
        nSubmit.disabled = true;
        try {
          const created = await api.createUser(v.body);
          if (!alive) return;
          const name = created?.name || v.body.name;
          if (created && typeof created.password === 'string' && created.password) {
            mount(
              resultBox,
              secretBox({
                title: `User ${name} created. Their password:`,
                value: created.password,
                note: 'Give it to them over a safe channel. It is shown only this once; they must change it when they first sign in.',
                testid: 'user-created-password',
              }),
            );
          } else {
            mount(
              resultBox,
              h(
                'div',
                { class: 'banner banner-ok', role: 'status', 'data-testid': 'user-created', 'data-name': name },
                `User ${name} created with the password you chose.`,
                created?.must_change_password ? ' They must change it when they first sign in.' : '',
              ),
            );
          }
          nName.value = '';
          nPass.value = '';
          nDevices.value = '';
          await loadUsers();
        } catch (ex) {
          if (alive) showError({ field: ex instanceof ApiError ? ex.field : '', message: errorMessage(ex) });
        } finally {
          nSubmit.disabled = false;
        }
      },
    },
    h('div', { class: 'form-row' }, h('label', { for: 'user-new-name' }, 'Name'), nName),
    h('div', { class: 'form-row' }, h('label', { for: 'user-new-role' }, 'Role'), nRole, nRoleHint),
    h(
      'div',
      { class: 'form-row' },
      h('label', { for: 'user-new-password' }, 'Password ', h('span', { class: 'muted' }, '(optional)')),
      nPass,
      h('span', { class: 'hint' }, `Empty: the server generates one and shows it once. Else at least ${MIN_PASSWORD} characters.`),
    ),
    h('div', { class: 'form-row' }, h('label', { for: 'user-new-devices' }, 'Devices'), nDevices, nDevicesHint),
    nError,
    h('div', { class: 'form-actions' }, nSubmit),
  );

  function drawRoleOptions(): void {
    const keep = nRole.value;
    mount(
      nRole,
      roles.map((r) => h('option', { value: r.name, title: r.description, 'data-scoped': String(!!r.scoped) }, r.name)),
    );
    nRole.value = roles.some((r) => r.name === keep) ? keep : defaultRole(roles);
    drawRoleHint();
  }

  // ---- table ----------------------------------------------------------------------------------
  async function patch(u: ManagedUser, body: { role?: string; disabled?: boolean; devices?: string[] }, what: string): Promise<boolean> {
    busy.add(u.name);
    draw();
    try {
      const updated = await api.updateUser(u.name, body);
      if (!alive) return false;
      const i = users.findIndex((x) => x.name === u.name);
      if (i >= 0) users[i] = updated && typeof updated === 'object' && updated.name ? updated : { ...users[i], ...body };
      mount(errorBox);
      return true;
    } catch (e) {
      if (alive) mount(errorBox, errorBanner(`Could not ${what} for ${u.name}: ${errorMessage(e)}`, 'users-action-error'));
      return false;
    } finally {
      busy.delete(u.name);
      if (alive) draw();
    }
  }

  async function changeRole(u: ManagedUser, role: string): Promise<void> {
    if (role === u.role) return;
    const r = roleOf(role);
    const yes = await confirmDialog({
      title: `Change the role of ${u.name}?`,
      message: `${u.name} becomes ${role}${r?.description ? ` (${r.description})` : ''}. This takes effect on their next request.`,
      confirm: 'Change role',
    });
    if (!alive) return;
    if (!yes) {
      draw(); // puts the select back
      return;
    }
    await patch(u, { role }, 'change the role');
  }

  async function toggle(u: ManagedUser): Promise<void> {
    if (!u.disabled) {
      const yes = await confirmDialog({
        title: `Disable ${u.name}?`,
        message: `${u.name} can no longer sign in, and their sessions and API tokens stop working. You can enable them again later.`,
        confirm: 'Disable',
        danger: true,
      });
      if (!yes || !alive) return;
    }
    await patch(u, { disabled: !u.disabled }, u.disabled ? 'enable the user' : 'disable the user');
  }

  async function resetPassword(u: ManagedUser): Promise<void> {
    const yes = await confirmDialog({
      title: `Reset the password of ${u.name}?`,
      message:
        u.name === self
          ? 'Your current password stops working and your other sessions and tokens end. A new one is generated and shown once, and you must change it right away.'
          : `Their current password stops working and their sessions and tokens end. A new one is generated and shown to you once; ${u.name} must change it when they next sign in.`,
      confirm: 'Reset password',
      danger: true,
    });
    if (!yes || !alive) return;
    busy.add(u.name);
    draw();
    try {
      const r = await api.resetPassword(u.name);
      if (!alive) return;
      mount(
        resultBox,
        r && typeof r.password === 'string' && r.password
          ? secretBox({
              title: `New password for ${u.name}:`,
              value: r.password,
              note: 'Give it to them over a safe channel. It is shown only this once; they must change it when they next sign in.',
              testid: 'user-reset-password',
            })
          : h('div', { class: 'banner banner-ok', role: 'status', 'data-testid': 'user-reset-done' }, `The password of ${u.name} was reset.`),
      );
      mount(errorBox);
      await loadUsers();
    } catch (e) {
      if (alive) mount(errorBox, errorBanner(`Could not reset the password of ${u.name}: ${errorMessage(e)}`, 'users-action-error'));
    } finally {
      busy.delete(u.name);
      if (alive) draw();
    }
  }

  function devicesPanel(u: ManagedUser): HTMLTableRowElement {
    const input = h('input', { type: 'text', class: 'input input-wide', value: (u.devices ?? []).join(', '), spellcheck: 'false', 'aria-label': `Devices of ${u.name}`, 'data-testid': `user-devices-input-${u.name}` });
    const r = roleOf(u.role);
    const form = h(
      'form',
      {
        class: 'inline-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const devices = parseDeviceList(input.value);
          if (await patch(u, { devices }, 'set the devices')) {
            editing = null;
            draw();
          }
        },
      },
      h('label', null, 'Devices of ', h('span', { class: 'mono' }, u.name)),
      input,
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `user-devices-save-${u.name}` }, 'Save'),
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: () => {
            editing = null;
            draw();
          },
        },
        'Cancel',
      ),
      h('span', { class: 'hint' }, r && !r.scoped ? `The role ${r.name} sees all devices; the list has no effect.` : 'Device ids, separated by commas.'),
    );
    setTimeout(() => input.focus(), 0);
    return h('tr', { class: 'row-panel', 'data-testid': `user-panel-${u.name}` }, h('td', { colspan: COLS }, form));
  }

  function row(u: ManagedUser, now: number): HTMLTableRowElement[] {
    const st = userStatus(u);
    const isSelf = u.name === self;
    const wait = busy.has(u.name);
    const r = roleOf(u.role);
    const roleSel = h(
      'select',
      {
        class: 'input input-narrow',
        'aria-label': `Role of ${u.name}`,
        'data-testid': `user-role-${u.name}`,
        disabled: isSelf || wait,
        title: isSelf ? 'You cannot change your own role' : undefined,
      },
      (roles.some((x) => x.name === u.role) ? roles.map((x) => x.name) : [u.role, ...roles.map((x) => x.name)]).map((name) =>
        h('option', { value: name, selected: name === u.role }, name),
      ),
    );
    roleSel.addEventListener('change', () => void changeRole(u, roleSel.value));
    const out = [
      h(
        'tr',
        { 'data-testid': `user-row-${u.name}`, 'data-role': u.role, 'data-status': st.key, class: u.disabled ? 'row-disabled' : undefined },
        h('td', { class: 'mono strong' }, u.name, isSelf ? h('span', { class: 'muted' }, ' (you)') : null),
        h('td', null, roleSel),
        h('td', null, h('span', { class: `pill user-${st.key}`, 'data-testid': `user-status-${u.name}`, 'data-status': st.key }, h('span', { class: 'dot' }), st.label)),
        h('td', { class: 'mono devices-cell', 'data-testid': `user-devices-${u.name}` }, devicesLabel(u.devices, r?.scoped)),
        h('td', { class: 'nowrap' }, timeAgo(u.created, now)),
        h(
          'td',
          null,
          h(
            'div',
            { class: 'row-actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'btn',
                disabled: wait,
                'data-testid': `user-edit-devices-${u.name}`,
                onclick: () => {
                  editing = editing === u.name ? null : u.name;
                  draw();
                },
              },
              'Devices',
            ),
            h(
              'button',
              {
                type: 'button',
                class: u.disabled ? 'btn' : 'btn btn-danger-ghost',
                disabled: isSelf || wait,
                title: isSelf ? 'You cannot disable yourself' : undefined,
                'data-testid': `user-toggle-${u.name}`,
                onclick: () => void toggle(u),
              },
              u.disabled ? 'Enable' : 'Disable',
            ),
            h(
              'button',
              { type: 'button', class: 'btn btn-danger-ghost', disabled: wait, 'data-testid': `user-reset-${u.name}`, onclick: () => void resetPassword(u) },
              'Reset password',
            ),
          ),
        ),
      ),
    ];
    if (editing === u.name) out.push(devicesPanel(u));
    return out;
  }

  function draw(): void {
    if (!loaded) return;
    const now = Date.now();
    if (users.length === 0) mount(tbody, emptyRow(COLS, 'No users.'));
    else mount(tbody, users.map((u) => row(u, now)));
    count.textContent = `${total.toLocaleString('en-US')} user${total === 1 ? '' : 's'}`;
    moreNote.hidden = total <= users.length;
    moreNote.textContent = `Showing ${users.length} of ${total} users.`;
  }

  async function loadUsers(): Promise<void> {
    try {
      const r = await api.users();
      if (!alive) return;
      users = Array.isArray(r?.items) ? r.items : [];
      total = typeof r?.total === 'number' ? r.total : users.length;
      loaded = true;
      draw();
    } catch (e) {
      if (!alive) return;
      mount(errorBox, errorBanner(`Could not load the users: ${errorMessage(e)}`));
      if (!loaded) mount(tbody, emptyRow(COLS, 'Could not load the users.', 'error'));
    }
  }

  async function loadRoles(): Promise<void> {
    try {
      const r = await api.roles();
      if (!alive) return;
      roles = Array.isArray(r?.items) ? r.items : [];
      drawRoleOptions();
      draw();
    } catch (e) {
      if (alive) showError({ field: 'role', message: `Could not load the roles: ${errorMessage(e)}` });
    }
  }

  root.replaceChildren(
    h(
      'section',
      { class: 'page', 'data-testid': 'users-page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Users'), count),
      resultBox,
      errorBox,
      h(
        'div',
        { class: 'card card-flush table-wrap' },
        h(
          'table',
          { class: 'table', 'data-testid': 'users-table' },
          h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Role'), h('th', null, 'Status'), h('th', null, 'Devices'), h('th', null, 'Created'), h('th', null, 'Actions'))),
          tbody,
        ),
      ),
      moreNote,
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'New user')), createForm),
    ),
  );

  void loadRoles();
  void loadUsers();
  return () => {
    alive = false;
  };
}
