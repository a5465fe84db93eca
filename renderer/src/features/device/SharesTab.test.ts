import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { PlanStep, Share } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { installFakeBridge, type FakeHandlers } from '../../test/fake-bridge';
import { DeviceStore } from './device.svelte';
import SharesTab from './SharesTab.svelte';

const shares: Share[] = [
  {
    name: 'docs',
    protocol: 'smb',
    path: '/srv/pool/docs',
    readOnly: false,
    users: ['alice'],
    clients: [],
    managed: true,
  },
  {
    name: 'media',
    protocol: 'nfs',
    path: '/media',
    readOnly: true,
    users: [],
    clients: ['10.0.0.0/24'],
    managed: true,
  },
  { name: 'legacy', protocol: 'smb', path: '/srv/legacy', readOnly: true, users: [], clients: [], managed: false },
];

const steps: PlanStep[] = [
  {
    where: 'remote',
    elevated: true,
    argv: ['net', 'conf', 'setparm', 'docs', 'read only', 'yes'],
    description: 'Make SMB share docs read-only',
  },
];

function setup(handlers: FakeHandlers = {}) {
  const bridge = installFakeBridge({ 'shares.list': () => shares, ...handlers });
  const store = new DeviceStore('d1');
  render(SharesTab, { store });
  return { bridge, store };
}

async function editForm(label: string) {
  await fireEvent.click(await screen.findByRole('button', { name: label }));
  return screen.getByTestId('edit-share');
}

describe('Shares tab: editing a share', () => {
  test('only managed shares have Edit; the others say why they cannot be changed', async () => {
    setup();
    const rows = await screen.findAllByTestId('share-row');
    expect(within(rows[0]!).getByRole('button', { name: 'Edit SMB share docs' })).toBeTruthy();
    expect(within(rows[1]!).getByRole('button', { name: 'Edit NFS share media' })).toBeTruthy();
    expect(within(rows[2]!).queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(rows[2]!.textContent).toContain('Managed elsewhere: Defined in smb.conf on the NAS; change it there.');
  });

  test('the form starts from the share’s rules; Preview sends only what changed, Apply the same', async () => {
    const { bridge } = setup({
      'shares.update': (p) =>
        p.dryRun
          ? { applied: false, steps }
          : { applied: true, steps: [], value: { ...shares[0]!, readOnly: true, users: ['alice', 'bob'] } },
    });
    const form = await editForm('Edit SMB share docs');
    expect(within(form).getByRole('heading').textContent).toBe('Change SMB share docs');
    const users = within(form).getByLabelText('Users allowed') as HTMLInputElement;
    const readOnly = within(form).getByLabelText('Read-only') as HTMLInputElement;
    expect(users.value).toBe('alice');
    expect(readOnly.checked).toBe(false);
    const previewButton = within(form).getByRole('button', { name: 'Preview changes' });
    const apply = within(form).getByRole('button', { name: 'Apply changes' });
    // Nothing changed yet: nothing to preview or apply.
    expect(previewButton.hasAttribute('disabled')).toBe(true);
    expect(apply.hasAttribute('disabled')).toBe(true);

    await fireEvent.click(readOnly);
    await fireEvent.input(users, { target: { value: 'alice, bob' } });
    await fireEvent.click(previewButton);
    const plan = await within(form).findByTestId('plan-preview');
    expect(plan.textContent).toContain('net conf setparm docs read only yes');
    expect(bridge.callsOf('shares.update')).toEqual([
      { device: 'd1', share: 'docs', protocol: 'smb', readOnly: true, users: ['alice', 'bob'], dryRun: true },
    ]);

    await fireEvent.click(apply);
    await waitFor(() => expect(bridge.callsOf('shares.update')).toHaveLength(2));
    expect(bridge.callsOf('shares.update')[1]).toEqual({
      device: 'd1',
      share: 'docs',
      protocol: 'smb',
      readOnly: true,
      users: ['alice', 'bob'],
    });
    // Done: the form closes and the list is reloaded.
    await waitFor(() => expect(screen.queryByTestId('edit-share')).toBeNull());
    expect(bridge.callsOf('shares.list')).toHaveLength(2);
  });

  test('an NFS edit takes clients; changing a value after the preview needs a new preview', async () => {
    const { bridge } = setup({ 'shares.update': () => ({ applied: false, steps }) });
    const form = await editForm('Edit NFS share media');
    expect(within(form).queryByLabelText('Users allowed')).toBeNull();
    const clients = within(form).getByLabelText('Clients allowed') as HTMLInputElement;
    expect(clients.value).toBe('10.0.0.0/24');
    await fireEvent.input(clients, { target: { value: '10.0.0.0/24 192.168.1.5' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Preview changes' }));
    await within(form).findByTestId('plan-preview');
    expect(bridge.callsOf('shares.update')[0]).toEqual({
      device: 'd1',
      share: 'media',
      protocol: 'nfs',
      clients: ['10.0.0.0/24', '192.168.1.5'],
      dryRun: true,
    });
    await fireEvent.click(within(form).getByLabelText('Read-only'));
    expect(within(form).queryByTestId('plan-preview')).toBeNull();
    expect(within(form).getByRole('button', { name: 'Apply changes' }).hasAttribute('disabled')).toBe(true);
  });

  test('a refused edit keeps the form open and says why, with the fix', async () => {
    const { store } = setup({
      'shares.update': () => {
        throw new AppError('NOT_SUPPORTED', 'Samba registry shares are not enabled on this NAS.', {
          fix: 'Add "include = registry" to smb.conf.',
        });
      },
    });
    const form = await editForm('Edit SMB share docs');
    await fireEvent.click(within(form).getByLabelText('Read-only'));
    await fireEvent.click(within(form).getByRole('button', { name: 'Preview changes' }));
    await waitFor(() => expect(store.result?.ok).toBe(false));
    expect(store.result?.text).toBe('Could not preview changing docs:');
    expect(JSON.stringify(store.result?.error)).toContain('include = registry');
    expect(within(form).queryByTestId('plan-preview')).toBeNull();
    await fireEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('edit-share')).toBeNull();
  });
});
