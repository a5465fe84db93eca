import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { Mount } from '../../../../shared/domain';
import { AppError, errorWords } from '../../../../shared/errors';
import { makeDevice } from '../../test/devices';
import { installFakeBridge, type FakeHandlers } from '../../test/fake-bridge';
import { shares } from '../../test/nas';
import MountsPage from './MountsPage.svelte';
import { MountsStore, shareUrl } from './mounts.svelte';

const media: Mount = {
  id: 'm1',
  name: 'nas1 media',
  url: 'nfs://10.0.0.11/srv/pool/media',
  mountPoint: '/home/ada/NAS/media',
  persistent: true,
  autoReconnect: true,
  state: 'mounted',
  since: '2026-01-01T00:00:00Z',
};
const nas = makeDevice({ id: 'd1', name: 'nas1', host: '10.0.0.11' });

function setup(handlers: FakeHandlers) {
  const bridge = installFakeBridge({
    'mounts.list': () => [media],
    'devices.list': () => [nas],
    'shares.list': () => shares,
    ...handlers,
  });
  render(MountsPage, { store: new MountsStore() });
  return bridge;
}

describe('Mounts page', () => {
  test('shows each mount with its live state and reason, following mounts.changed', async () => {
    const bridge = setup({});
    const row = await screen.findByTestId('mount-row');
    expect(row.textContent).toContain('Mounted');
    expect(row.textContent).toContain('/home/ada/NAS/media');

    bridge.emit('mounts.changed', { mounts: [{ ...media, state: 'offline', reason: 'No route to 10.0.0.11' }] });
    await waitFor(() => expect(screen.getByTestId('mount-row').textContent).toContain('NAS offline'));
    expect(screen.getByTestId('mount-row').textContent).toContain('No route to 10.0.0.11');
    expect(within(screen.getByTestId('mount-row')).getByRole('button', { name: 'Mount nas1 media' })).toBeTruthy();
  });

  test('unmount and mount call mounts.down and mounts.up for that mount', async () => {
    const bridge = setup({
      'mounts.down': () => ({ applied: true, steps: [], value: [{ ...media, state: 'unmounted' }] }),
    });
    await fireEvent.click(await screen.findByRole('button', { name: 'Unmount nas1 media' }));
    await waitFor(() => expect(bridge.callsOf('mounts.down')).toEqual([{ mount: 'm1' }]));
    expect(await screen.findByText('nas1 media is unmounted.')).toBeTruthy();
  });

  test('opens a mounted share in the file manager; an offline one offers no Open', async () => {
    const bridge = setup({ 'mounts.open': () => ({ opened: media.mountPoint }) });
    await fireEvent.click(await screen.findByRole('button', { name: 'Open nas1 media in the file manager' }));
    await waitFor(() => expect(bridge.callsOf('mounts.open')).toEqual([{ mount: 'm1' }]));
    expect(await screen.findByText('nas1 media is open in the file manager.')).toBeTruthy();

    bridge.emit('mounts.changed', { mounts: [{ ...media, state: 'offline' }] });
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Open nas1 media in the file manager' })).toBeNull(),
    );
  });

  test('adds a mount from a device share list; NOT_SUPPORTED is said in plain words', async () => {
    const bridge = setup({
      'mounts.add': () => {
        throw new AppError('NOT_SUPPORTED', 'Mounting SMB shares needs mount.cifs (cifs-utils).', {
          fix: 'apt install cifs-utils',
        });
      },
    });
    await screen.findByTestId('mount-row');
    await waitFor(() => expect(screen.getByRole('option', { name: 'nas1' })).toBeTruthy());
    const nasSelect = screen.getByLabelText('NAS') as HTMLSelectElement;
    nasSelect.value = 'd1';
    await fireEvent.change(nasSelect);
    await waitFor(() => expect(screen.getByRole('option', { name: 'share1 (SMB)' })).toBeTruthy());
    const shareSelect = screen.getByLabelText('Share') as HTMLSelectElement;
    shareSelect.value = 'smb:share1';
    await fireEvent.change(shareSelect);
    await fireEvent.input(screen.getByLabelText('Mount at'), { target: { value: 'Z:' } });
    await fireEvent.input(screen.getByLabelText('Share user'), { target: { value: 'ndui-smb' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add and mount' }));

    await waitFor(() =>
      expect(bridge.callsOf('mounts.add')).toEqual([
        { url: 'smb://10.0.0.11/share1', name: 'nas1 share1', readOnly: false, at: 'Z:', user: 'ndui-smb' },
      ]),
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not add the mount:');
    expect(alert.textContent).toContain(errorWords.NOT_SUPPORTED.title);
    expect(alert.textContent).toContain('Mounting SMB shares needs mount.cifs');
    expect(alert.querySelector('details')!.textContent).toContain('apt install cifs-utils');
  });

  test('share URLs: SMB by name, NFS by exported folder, IPv6 in brackets', () => {
    expect(shareUrl({ host: 'nas.local' }, shares[0]!)).toBe('smb://nas.local/share1');
    expect(shareUrl({ host: 'nas.local' }, shares[1]!)).toBe('nfs://nas.local/srv/pool/media');
    expect(shareUrl({ host: 'fd00::5' }, shares[0]!)).toBe('smb://[fd00::5]/share1');
  });
});
