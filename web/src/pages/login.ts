import { api } from '../api';
import { errorMessage } from '../lib/apierror';
import { h } from '../lib/dom';
import { logo } from '../components/header';

export function renderLogin(root: HTMLElement, next: string, notice?: string): () => void {
  const user = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autofocus: true, 'data-testid': 'login-username' });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, 'Sign in');
  const error = h('div', { class: 'banner banner-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const info = notice ? h('div', { class: 'banner banner-info', 'data-testid': 'login-notice' }, notice) : null;

  let alive = true;
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
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        try {
          await api.login(user.value.trim(), pass.value);
          if (alive) location.hash = next;
        } catch (err) {
          if (!alive) return;
          error.textContent = errorMessage(err);
          error.hidden = false;
          pass.select();
        } finally {
          submit.disabled = false;
          submit.textContent = 'Sign in';
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
  };
}
