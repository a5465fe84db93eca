import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, test, vi } from 'vitest';
import ConfirmDialog from './ConfirmDialog.svelte';

const children = createRawSnippet(() => ({ render: () => '<p>The files stay on the NAS.</p>' }));

// The button that opened the dialog, outside the component, to see focus come back to it.
let opener: HTMLButtonElement | undefined;
afterEach(() => opener?.remove());

function setup(props: { open?: boolean; busy?: boolean } = {}) {
  opener = document.body.appendChild(document.createElement('button'));
  opener.textContent = 'Delete';
  opener.focus();
  const onconfirm = vi.fn();
  const oncancel = vi.fn();
  const base = { title: 'Delete the share docs?', confirmLabel: 'Delete share', onconfirm, oncancel, children };
  const view = render(ConfirmDialog, { ...base, open: props.open ?? true, busy: props.busy ?? false });
  const update = (next: { open: boolean; busy?: boolean }) => view.rerender({ ...base, busy: false, ...next });
  return { onconfirm, oncancel, update };
}

const dialog = () => screen.getByRole('alertdialog', { name: 'Delete the share docs?' });

describe('ConfirmDialog', () => {
  test('nothing shows while closed; opened, it is an alertdialog named by its title and described by its body', async () => {
    const { update } = setup({ open: false });
    expect(screen.queryByRole('alertdialog')).toBeNull();

    await update({ open: true });
    expect(dialog().getAttribute('aria-modal')).toBe('true');
    const description = document.getElementById(dialog().getAttribute('aria-describedby')!);
    expect(description?.textContent).toContain('The files stay on the NAS.');
    expect(within(dialog()).getByRole('heading', { level: 2, name: 'Delete the share docs?' })).toBeTruthy();
  });

  test('Cancel gets the initial focus; Escape cancels; focus goes back to the opener on close', async () => {
    const { oncancel, onconfirm, update } = setup();
    await waitFor(() => expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Cancel' })));

    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledOnce();
    expect(onconfirm).not.toHaveBeenCalled();

    // The caller closes it; the dialog does not close itself behind the caller's back.
    expect(dialog()).toBeTruthy();
    await update({ open: false });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });

  test('the Cancel button cancels; the confirm button confirms', async () => {
    const { oncancel, onconfirm } = setup();
    await fireEvent.click(within(dialog()).getByRole('button', { name: 'Cancel' }));
    expect(oncancel).toHaveBeenCalledOnce();
    expect(onconfirm).not.toHaveBeenCalled();

    await fireEvent.click(within(dialog()).getByRole('button', { name: 'Delete share' }));
    expect(onconfirm).toHaveBeenCalledOnce();
    expect(oncancel).toHaveBeenCalledOnce();
  });

  test('while busy, Escape does nothing and the confirm button is disabled', async () => {
    const { oncancel, update } = setup({ busy: true });
    const confirm = within(dialog()).getByRole('button', { name: 'Delete share' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);

    await waitFor(() => expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Cancel' })));
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(oncancel).not.toHaveBeenCalled();
    expect(dialog()).toBeTruthy();

    // Done: Escape works again.
    await update({ open: true, busy: false });
    expect(confirm.disabled).toBe(false);
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledOnce();
  });
});
