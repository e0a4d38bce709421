import { api } from '../api';
import { homeHash, navItems, type Session } from '../lib/auth';
import { h, icon } from '../lib/dom';
import { ICONS } from './ui';

export function logo(size = 22): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML =
    '<rect x="1" y="1" width="30" height="30" rx="8" fill="#1f4fd1"/>' +
    '<path d="M8 22a8 8 0 1 1 16 0" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>' +
    '<path d="M16 22l4.5-6" stroke="#7cc4ff" stroke-width="2.5" stroke-linecap="round"/>' +
    '<circle cx="16" cy="22" r="2" fill="#fff"/>';
  return svg;
}

/**
 * The top bar: the pages the user's permissions allow, their name and role (a link to the account
 * page) and Log out. `restricted` (the password must be changed first) leaves the pages out.
 */
export function header(active: string, session: Session | null, restricted = false): HTMLElement {
  const link = (href: string, label: string, on: boolean, testid: string): HTMLElement =>
    h('a', { href, class: on ? 'nav-link active' : 'nav-link', 'aria-current': on ? 'page' : undefined, 'data-testid': testid }, label);
  const current = active === 'device' ? 'fleet' : active;
  const items = restricted ? [] : navItems(session);
  const user = session?.user ?? '';
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-inner' },
      h('a', { class: 'brand', href: restricted ? '#/account' : homeHash(session) }, logo(), h('span', { class: 'brand-name' }, 'meterd'), h('span', { class: 'brand-sub' }, 'console')),
      h(
        'nav',
        { class: 'nav', 'aria-label': 'Main' },
        items.map((n) => link(n.href, n.label, current === n.page, n.testid)),
      ),
      h('div', { class: 'spacer' }),
      user
        ? h(
            'a',
            {
              class: current === 'account' ? 'user active' : 'user',
              href: '#/account',
              title: `Signed in as ${user}${session?.role ? ` (${session.role})` : ''}: your account`,
              'data-testid': 'nav-account',
            },
            h('span', { class: 'avatar' }, user.slice(0, 1).toUpperCase()),
            h('span', { 'data-testid': 'header-user' }, user),
            session?.role ? h('span', { class: 'role-badge', 'data-testid': 'header-role' }, session.role) : null,
          )
        : null,
      h(
        'button',
        {
          class: 'btn btn-ghost',
          'data-testid': 'logout',
          onclick: async (e: Event) => {
            (e.currentTarget as HTMLButtonElement).disabled = true;
            try {
              await api.logout();
            } catch {
              // The session ends on this page whatever the server says.
            }
            location.hash = '#/login';
          },
        },
        icon(ICONS.logout, 15),
        'Log out',
      ),
    ),
  );
}
