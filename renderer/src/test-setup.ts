// Runs before every renderer test file.
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

// jsdom has <dialog> but not its methods; enough of them for the confirm dialog's logic.
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (!this.open) return;
    this.open = false;
    this.dispatchEvent(new Event('close'));
  };
}

afterEach(() => {
  cleanup();
  delete window.nasdeck;
  sessionStorage.clear();
});
