// A modal confirmation built on <dialog>: resolves true when the user confirms.
import { h } from '../lib/dom';

export interface ConfirmOptions {
  title: string;
  message: string | Node;
  confirm: string;
  /** A destructive action: red button, and Cancel has the focus. */
  danger?: boolean;
}

export function confirmDialog(opts: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'ok', class: opts.danger ? 'btn btn-danger' : 'btn btn-primary', 'data-testid': 'confirm-ok' }, opts.confirm);
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn', 'data-testid': 'confirm-cancel' }, 'Cancel');
    const dlg = h(
      'dialog',
      { class: 'dialog', 'data-testid': 'confirm-dialog', 'aria-labelledby': 'confirm-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, opts.title),
        h('div', { class: 'dialog-body' }, opts.message),
        h('div', { class: 'dialog-actions' }, cancel, ok),
      ),
    );
    dlg.addEventListener('close', () => {
      const yes = dlg.returnValue === 'ok';
      dlg.remove();
      resolve(yes);
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    (opts.danger ? cancel : ok).focus();
  });
}
