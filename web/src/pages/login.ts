import { api } from '../api';
import { ApiError, errorMessage } from '../lib/apierror';
import { formatWait, type Session } from '../lib/auth';
import { h } from '../lib/dom';
import { logo } from '../components/header';

/** The sign-in form. `onSignedIn` decides where to go (the account page if the password must change). */
export function renderLogin(root: HTMLElement, onSignedIn: (s: Session) => void, notice?: string): () => void {
  const user = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autofocus: true, 'data-testid': 'login-username' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, 'Sign in');
  const error = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const info = notice ? h('div', { class: 'banner banner-info', 'data-testid': 'login-notice' }, notice) : null;

  let alive = true;
  let lockTimer: ReturnType<typeof setInterval> | undefined;
  let lockedUntil = 0;

  // After a 429 the button stays disabled, counting down, until Retry-After has passed.
  function lockout(seconds: number): void {
    lockedUntil = Date.now() + seconds * 1000;
    const tick = (): void => {
      const left = Math.ceil((lockedUntil - Date.now()) / 1000);
      if (left <= 0) {
        if (lockTimer !== undefined) clearInterval(lockTimer);
        lockTimer = undefined;
        submit.disabled = false;
        submit.textContent = 'Sign in';
        return;
      }
      submit.disabled = true;
      submit.textContent = `Try again in ${formatWait(left)}`;
    };
    if (lockTimer !== undefined) clearInterval(lockTimer);
    lockTimer = setInterval(tick, 1000);
    tick();
  }

  const form = h(
    'form',
    {
      class: 'login-form',
      'data-testid': 'login-form',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.hidden = true;
        if (!user.value.trim() || !pass.value) {
          error.textContent = 'Enter your username and password.';
          error.hidden = false;
          return;
        }
        if (Date.now() < lockedUntil) return;
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        let wait = 0;
        try {
          const s = await api.login(user.value.trim(), pass.value);
          if (alive) onSignedIn(s);
        } catch (err) {
          if (!alive) return;
          if (err instanceof ApiError && err.status === 429) {
            wait = err.retryAfter ?? 0;
            error.textContent = wait > 0 ? `Too many failed sign-ins. Try again in ${formatWait(wait)}.` : errorMessage(err);
          } else {
            error.textContent = errorMessage(err);
          }
          error.hidden = false;
          pass.select();
        } finally {
          submit.disabled = false;
          submit.textContent = 'Sign in';
          if (alive && wait > 0) lockout(wait);
        }
      },
    },
    h('label', { for: 'login-username' }, 'Username'),
    user,
    h('label', { for: 'login-password' }, 'Password'),
    pass,
    error,
    submit,
  );

  root.replaceChildren(
    h(
      'div',
      { class: 'login-page' },
      h(
        'div',
        { class: 'login-card' },
        h('div', { class: 'login-brand' }, logo(36), h('div', null, h('div', { class: 'login-title' }, 'meterd console'), h('div', { class: 'muted' }, 'Sign in to manage your metering fleet'))),
        info,
        form,
      ),
      h('div', { class: 'login-foot muted' }, 'meterd · smart metering platform'),
    ),
  );
  setTimeout(() => user.focus(), 0);
  return () => {
    alive = false;
    if (lockTimer !== undefined) clearInterval(lockTimer);
  };
}
