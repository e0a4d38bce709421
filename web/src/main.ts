import './styles.css';
import { api, getSession, setPasswordChangeHandler, setUnauthorizedHandler } from './api';
import { errorMessage } from './lib/apierror';
import { can, homeHash, routeAllowed, routePermission, type Session } from './lib/auth';
import { h } from './lib/dom';
import { header } from './components/header';
import { parseHash, type Route } from './router';
import { renderLogin } from './pages/login';
import { renderFleet } from './pages/fleet';
import { renderDevice } from './pages/device';
import { renderEvents } from './pages/events';
import { renderAudit } from './pages/audit';
import { renderAccount } from './pages/account';
import { renderUsers } from './pages/users';
import { billingRoutePermission } from './lib/billing';
import { renderBilling } from './pages/billing-runs';
import { renderBillRun } from './pages/billing-run';
import { renderReviewQueue } from './pages/billing-review';
import { renderBill } from './pages/billing-bill';
import { renderTariffs } from './pages/billing-tariffs';
import { renderTariff } from './pages/billing-tariff';
import { renderBillingAccounts } from './pages/billing-accounts';

const app = document.getElementById('app')!;
let cleanup: (() => void) | void = undefined;
let returnTo = '';
let notice: string | undefined;

/** Goes to a hash, rendering again if the page is already there. */
function go(hash: string): void {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function isRoot(hash: string): boolean {
  return !hash || hash === '#' || hash === '#/';
}

setUnauthorizedHandler(() => {
  const r = parseHash(location.hash);
  if (r.name === 'login') return;
  returnTo = location.hash;
  notice = 'Your session has ended. Please sign in again.';
  location.hash = '#/login';
});

setPasswordChangeHandler(() => {
  // The server holds everything back until the password is changed: show only that form.
  go('#/account');
});

/** A route the session may open: the shared rules, and billing:read for the billing pages. */
function allowed(s: Session, name: string): boolean {
  const billing = billingRoutePermission(name);
  return routeAllowed(s, name) && (billing === null || can(s, billing));
}

function permissionOf(name: string): ReturnType<typeof routePermission> {
  return billingRoutePermission(name) ?? routePermission(name);
}

/** The top bar, with Billing after the shared pages when the role holds billing:read. */
function topbar(active: string, s: Session | null, restricted = false): HTMLElement {
  const bar = header(active, s, restricted);
  const nav = bar.querySelector('nav.nav');
  if (nav && !restricted && can(s, 'billing:read')) {
    const on = billingRoutePermission(active) !== null;
    nav.appendChild(
      h('a', { href: '#/billing', class: on ? 'nav-link active' : 'nav-link', 'aria-current': on ? 'page' : undefined, 'data-testid': 'nav-billing' }, 'Billing'),
    );
  }
  return bar;
}

/** Where to go after signing in: back where the user was, if their role allows it. */
function afterSignIn(s: Session): string {
  if (s.must_change_password) return '#/account';
  const back = returnTo && !isRoot(returnTo) ? parseHash(returnTo) : null;
  if (back && back.name !== 'login' && back.name !== 'notfound' && allowed(s, back.name)) return returnTo;
  return homeHash(s);
}

function titleOf(r: Route): string {
  switch (r.name) {
    case 'login':
      return 'Sign in';
    case 'fleet':
      return 'Fleet';
    case 'device':
      return r.id;
    case 'events':
      return 'Events';
    case 'audit':
      return 'Audit';
    case 'users':
      return 'Users';
    case 'account':
      return 'Account';
    case 'billing':
      return 'Billing';
    case 'billing-run':
      return `Run ${r.id}`;
    case 'billing-review':
      return 'Review queue';
    case 'billing-bill':
      return `Bill ${r.id}`;
    case 'billing-tariffs':
      return 'Tariffs';
    case 'billing-tariff':
      return r.id;
    case 'billing-accounts':
      return 'Accounts';
    default:
      return 'Not found';
  }
}

function forbidden(main: HTMLElement, s: Session, route: Route): void {
  const perm = permissionOf(route.name);
  main.replaceChildren(
    h(
      'section',
      { class: 'page', 'data-testid': 'forbidden-page', 'data-route': route.name },
      h('h1', null, 'Not allowed'),
      h(
        'p',
        null,
        `Your role${s.role ? ` (${s.role})` : ''} does not allow this page`,
        perm && !can(s, perm) ? [': it needs the permission ', h('code', null, perm)] : s.scoped ? ': it is not available to device-scoped roles' : null,
        '. ',
        h('a', { href: homeHash(s) }, 'Go back'),
      ),
    ),
  );
}

function render(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  const s = getSession();
  if (isRoot(location.hash)) {
    history.replaceState(null, '', s ? (s.must_change_password ? '#/account' : homeHash(s)) : '#/login');
  }
  const route = parseHash(location.hash);
  document.title = `${titleOf(route)} · meterd`;

  if (route.name === 'login') {
    cleanup = renderLogin(app, (signedIn) => go(afterSignIn(signedIn)), notice);
    notice = undefined;
    return;
  }
  if (!s) {
    returnTo = location.hash;
    location.hash = '#/login';
    return;
  }
  if (s.must_change_password) {
    // Only the password form until it is changed; where the user was going is kept for after.
    if (route.name !== 'account') {
      location.hash = '#/account';
      return;
    }
  } else {
    returnTo = '';
  }

  const main = h('main', { class: 'main' });
  app.replaceChildren(topbar(route.name, s, s.must_change_password), main);
  if (!allowed(s, route.name)) {
    forbidden(main, s, route);
    return;
  }
  switch (route.name) {
    case 'fleet':
      cleanup = renderFleet(main);
      break;
    case 'device':
      cleanup = renderDevice(main, route.id);
      break;
    case 'events':
      cleanup = renderEvents(main);
      break;
    case 'audit':
      cleanup = renderAudit(main);
      break;
    case 'users':
      cleanup = renderUsers(main);
      break;
    case 'account':
      cleanup = renderAccount(main, {
        forced: s.must_change_password,
        onPasswordChanged: async () => {
          // The session is refreshed (a new CSRF token, the password flag cleared) before going on.
          const fresh = await api.me(true);
          if (fresh && s.must_change_password) go(afterSignIn(fresh));
          else if (fresh) app.querySelector('header')?.replaceWith(topbar('account', fresh));
        },
        onSignedOut: () => go('#/login'),
      });
      break;
    case 'billing':
      cleanup = renderBilling(main);
      break;
    case 'billing-run':
      cleanup = renderBillRun(main, route.id);
      break;
    case 'billing-review':
      cleanup = renderReviewQueue(main);
      break;
    case 'billing-bill':
      cleanup = renderBill(main, route.id);
      break;
    case 'billing-tariffs':
      cleanup = renderTariffs(main);
      break;
    case 'billing-tariff':
      cleanup = renderTariff(main, route.id);
      break;
    case 'billing-accounts':
      cleanup = renderBillingAccounts(main);
      break;
    default:
      main.replaceChildren(
        h('section', { class: 'page' }, h('h1', null, 'Page not found'), h('p', null, 'There is nothing at ', h('code', null, route.path), '. ', h('a', { href: homeHash(s) }, 'Back'))),
      );
  }
  window.scrollTo(0, 0);
}

async function boot(): Promise<void> {
  app.replaceChildren(h('div', { class: 'boot muted', 'data-testid': 'boot' }, 'Loading…'));
  try {
    // Is there a session (the cookie)? 401 answers null: the login page.
    await api.me();
  } catch (e) {
    app.replaceChildren(
      h(
        'div',
        { class: 'boot' },
        h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'boot-error' }, `Cannot start the console: ${errorMessage(e)}`),
        h('button', { class: 'btn', onclick: () => void boot() }, 'Try again'),
      ),
    );
    return;
  }
  window.addEventListener('hashchange', render);
  render();
}

void boot();
