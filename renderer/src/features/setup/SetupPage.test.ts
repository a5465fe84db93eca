import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { Mount } from '../../../../shared/domain';
import { AppError, errorWords } from '../../../../shared/errors';
import { makeDevice } from '../../test/devices';
import { quietDiscovery } from '../../test/discovered';
import { installFakeBridge, type FakeHandlers } from '../../test/fake-bridge';
import { shares } from '../../test/nas';
import { DiscoveryStore } from '../discovery/discovery.svelte';
import SetupPage from './SetupPage.svelte';
import { SetupAssistant } from './setup.svelte';

const fp = 'SHA256:' + 'k'.repeat(43);
const nas = makeDevice({ id: 'd1', name: 'nas1', host: '10.0.0.11' });

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

function setup(handlers: FakeHandlers, storage = memoryStorage()) {
  const bridge = installFakeBridge({
    ...quietDiscovery(),
    'devices.list': () => [],
    'devices.get': () => nas,
    'shares.list': () => shares,
    'settings.set': (p) => ({ theme: 'system', startAtLogin: false, autoReconnect: true, setupCompleted: false, ...p }),
    ...handlers,
  });
  const assistant = new SetupAssistant(storage);
  render(SetupPage, { assistant, discovery: new DiscoveryStore() });
  return { bridge, assistant, storage };
}

const stepHeading = () => screen.getByRole('heading', { level: 2 }).textContent!.replace(/\s+/g, ' ').trim();
const click = (name: string | RegExp) => fireEvent.click(screen.getByRole('button', { name }));

describe('Setup assistant', () => {
  test('find by address, sign in confirming the host key, create a share; a failed mount deletes it again', async () => {
    const { bridge, assistant } = setup({
      'devices.add': (p) => {
        if (!p.hostKeySha256)
          throw new AppError('HOST_KEY_UNKNOWN', 'First connection to 10.0.0.11', {
            host: '10.0.0.11',
            fingerprint: fp,
          });
        return nas;
      },
      'shares.create': (p) => ({
        applied: true,
        steps: [],
        value: {
          name: p.name,
          protocol: p.protocol,
          path: `/srv/pool/${p.name}`,
          readOnly: false,
          users: [],
          clients: [],
        },
      }),
      'mounts.add': () => {
        throw new AppError('NOT_SUPPORTED', 'Mounting is not available in this build yet.');
      },
      'shares.delete': () => ({ applied: true, value: null, steps: [] }),
    });

    expect(stepHeading()).toBe('Step 1 of 6: Welcome');
    await click('Start');
    expect(stepHeading()).toBe('Step 2 of 6: Find your NAS');
    expect(screen.getByRole('button', { name: 'Next' }).hasAttribute('disabled')).toBe(true);
    await fireEvent.input(screen.getByLabelText('NAS address'), { target: { value: '10.0.0.11' } });
    await click('Use this address');
    await click('Next');

    expect(stepHeading()).toBe('Step 3 of 6: Sign in');
    await fireEvent.input(screen.getByLabelText('User'), { target: { value: 'ndui-admin' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    await click('Sign in');
    expect((await screen.findByTestId('fingerprint')).textContent).toBe(fp);
    await click('Trust this SSH host key and continue');

    await waitFor(() => expect(stepHeading()).toBe('Step 4 of 6: Shares to mount'));
    expect(bridge.callsOf('devices.add')).toEqual([
      { host: '10.0.0.11', user: 'ndui-admin', password: 'secret' },
      { host: '10.0.0.11', user: 'ndui-admin', password: 'secret', hostKeySha256: fp },
    ]);
    expect(await screen.findByRole('checkbox', { name: 'share1 (SMB)' })).toBeTruthy();

    await fireEvent.input(screen.getByLabelText('New share name'), { target: { value: 'family' } });
    await click('Create and mount');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not mount family, so the new share was deleted again');
    expect(alert.textContent).toContain(errorWords.NOT_SUPPORTED.title);
    expect(bridge.callsOf('shares.delete')).toEqual([{ device: 'd1', share: 'family', protocol: 'smb' }]);
    expect(assistant.state.nasChanges).toEqual([
      'Created the SMB share family',
      'Deleted family again: mounting it failed',
    ]);

    await click('Next');
    expect(stepHeading()).toBe('Step 5 of 6: Options');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Start Nasdeck when I sign in' }));
    await click('Next');
    await waitFor(() => expect(stepHeading()).toBe('Step 6 of 6: Done'));
    expect(bridge.callsOf('settings.set')).toEqual([{ startAtLogin: true, autoReconnect: true }]);
    expect(screen.getByText('Created the SMB share family')).toBeTruthy();
    expect(screen.getByText(/Nothing mounted/)).toBeTruthy();

    await click('Finish');
    await waitFor(() => expect(bridge.callsOf('settings.set').at(-1)).toEqual({ setupCompleted: true }));
  });

  test('mounts the picked shares where the user said', async () => {
    const mount = (url: string, at: string): Mount => ({
      id: 'm1',
      name: 'nas1 share1',
      url,
      mountPoint: at,
      persistent: false,
      autoReconnect: true,
      state: 'mounted',
      since: '2026-01-01T00:00:00Z',
    });
    const storage = memoryStorage();
    storage.setItem(
      'nasdeck.setup',
      JSON.stringify({ step: 'shares', deviceId: 'd1', deviceName: 'nas1', mounted: [], nasChanges: [] }),
    );
    const { bridge } = setup(
      { 'mounts.add': (p) => ({ applied: true, steps: [], value: mount(p.url, p.at ?? '/mnt') }) },
      storage,
    );
    // Resumed at the step it was left on.
    expect(stepHeading()).toBe('Step 4 of 6: Shares to mount');
    await fireEvent.click(await screen.findByRole('checkbox', { name: 'share1 (SMB)' }));
    await fireEvent.input(screen.getByLabelText('Mount share1 at'), { target: { value: '/home/ada/NAS/share1' } });
    await fireEvent.input(screen.getByLabelText('Share user'), { target: { value: 'ndui-smb' } });
    await fireEvent.input(screen.getByLabelText('Share password'), { target: { value: 'pw' } });
    await click('Mount selected');

    await waitFor(() =>
      expect(bridge.callsOf('mounts.add')).toEqual([
        {
          url: 'smb://10.0.0.11/share1',
          name: 'nas1 share1',
          autoReconnect: true,
          at: '/home/ada/NAS/share1',
          user: 'ndui-smb',
          password: 'pw',
        },
      ]),
    );
    expect(await screen.findByText(/Mounted: share1 at \/home\/ada\/NAS\/share1/)).toBeTruthy();
    expect(JSON.parse(storage.map.get('nasdeck.setup')!).mounted).toEqual(['share1 at /home/ada/NAS/share1']);
  });

  test('a saved NAS can be used (no sign-in) or woken', async () => {
    const sleeping = makeDevice({ id: 'd2', name: 'Cellar', host: '10.0.0.12', macs: ['52:54:00:12:34:56'] });
    const { bridge } = setup({
      'devices.list': () => [sleeping],
      'devices.wake': () => ({ macs: sleeping.macs, sentTo: ['10.0.0.255'] }),
    });
    await click('Start');
    await fireEvent.click(await screen.findByRole('button', { name: 'Wake Cellar' }));
    expect(await screen.findByText(/Wake-up sent to Cellar/)).toBeTruthy();
    expect(bridge.callsOf('devices.wake')).toEqual([{ device: 'd2' }]);
    await click('Use Cellar');
    await click('Next');
    expect(stepHeading()).toBe('Step 4 of 6: Shares to mount');
    expect(bridge.callsOf('devices.add')).toEqual([]);
  });

  test('skip setup marks it done without doing anything on the NAS', async () => {
    const { bridge } = setup({});
    await click('Skip setup');
    await waitFor(() => expect(bridge.callsOf('settings.set')).toEqual([{ setupCompleted: true }]));
    expect(within(document.body).queryByRole('alert')).toBeNull();
  });
});
