import './styles.css';
import { getToken, setUnauthorizedHandler } from './api';
import { h } from './lib/dom';
import { header } from './components/header';
import { parseHash, type Route } from './router';
import { renderLogin } from './pages/login';
import { renderFleet } from './pages/fleet';
import { renderDevice } from './pages/device';
import { renderEvents } from './pages/events';
import { renderAudit } from './pages/audit';

const app = document.getElementById('app')!;
let cleanup: (() => void) | void = undefined;
let returnTo = '#/fleet';
let notice: string | undefined;

setUnauthorizedHandler(() => {
  const r = parseHash(location.hash);
  if (r.name === 'login') return;
  returnTo = location.hash || '#/fleet';
  notice = 'Your session has ended. Please sign in again.';
  location.hash = '#/login';
});

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
    default:
      return 'Not found';
  }
}

function render(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  const route = parseHash(location.hash);
  document.title = `${titleOf(route)} · meterd`;

  if (route.name !== 'login' && !getToken()) {
    returnTo = location.hash && location.hash !== '#/login' ? location.hash : '#/fleet';
    location.hash = '#/login';
    return;
  }
  if (route.name === 'login') {
    const next = returnTo && returnTo !== '#/login' ? returnTo : '#/fleet';
    cleanup = renderLogin(app, next, notice);
    notice = undefined;
    returnTo = '#/fleet';
    return;
  }

  const main = h('main', { class: 'main' });
  app.replaceChildren(header(route.name === 'device' ? 'device' : route.name === 'notfound' ? 'other' : route.name), main);
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
    default:
      main.replaceChildren(
        h('section', { class: 'page' }, h('h1', null, 'Page not found'), h('p', null, 'There is nothing at ', h('code', null, route.path), '. ', h('a', { href: '#/fleet' }, 'Back to the fleet'))),
      );
  }
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', render);
if (!location.hash || location.hash === '#' || location.hash === '#/') {
  history.replaceState(null, '', getToken() ? '#/fleet' : '#/login');
}
render();
