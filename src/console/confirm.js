// A modal confirmation (the page's <dialog>): keyboard-usable, focus returns where it was.

import { byId } from './dom.js';

export function confirmDelete(text, action = 'Delete') {
  const dialog = byId('confirm-dialog');
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = action;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), {
      once: true,
    });
    dialog.showModal();
  });
}
