import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, test, vi } from 'vitest';
import type { DiscoveredDevice } from '../../../../shared/domain';
import { AppError, errorWords } from '../../../../shared/errors';
import { makeDevice } from '../../test/devices';
import { makeDiscovered } from '../../test/discovered';
import { installFakeBridge, type FakeHandlers } from '../../test/fake-bridge';
import DevicesPage from '../devices/DevicesPage.svelte';
import { DevicesStore } from '../devices/devices.svelte';
import { DiscoveryStore } from './discovery.svelte';

// Reconnects only happen over the WebSocket bridge; the tests fire them by hand.
const reconnect = vi.hoisted(() => new Set<() => void>());
vi.mock('../../lib/client', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../lib/client')>()),
  onReconnected(fn: () => void) {
    reconnect.add(fn);
    return () => reconnect.delete(fn);
  },
}));

const attic = makeDiscovered({
  id: 'sn-1234',
  name: 'Attic NAS',
  hostname: 'attic.local',
  addresses: ['192.168.1.20', 'fd00::20'],
  vendor: 'synology',
  model: 'DS920+',
  osVersion: 'DSM 7.2.1',
  services: [
    { type: '_smb._tcp', port: 445 },
    { type: '_http._tcp', port: 5000 },
    { type: '_smb._tcp', port: 139 },
  ],
  sources: ['mdns', 'synology-finder'],
});
const cellar = makeDiscovered({
  id: 'mac-001122334455',
  name: 'Cellar',
  addresses: ['192.168.1.30'],
  vendor: 'truenas',
  services: [
    { type: 'ssh', port: 22 },
    { type: 'nfs', port: 2049 },
  ],
  sources: ['probe'],
});
const basement = makeDiscovered({ id: 'basement.local', name: 'Basement', hostname: 'basement.local', vendor: 'qnap' });

// 09:05 local time, whatever the time zone of the machine running the tests.
const LOST_AT = new Date(2025, 2, 14, 9, 5).getTime();

function setup(handlers: FakeHandlers = {}, list: DiscoveredDevice[] = [attic, cellar]) {
  const bridge = installFakeBridge({
    'devices.list': () => [],
    'discovery.start': () => ({ running: true }),
    'discovery.stop': () => ({ running: false }),
    'discovery.list': () => list,
    ...handlers,
  });
  const discovery = new DiscoveryStore({ now: () => LOST_AT, quietMs: 50 });
  const page = render(DevicesPage, { store: new DevicesStore(), discovery });
  return { bridge, discovery, page };
}

const rows = () => screen.queryAllByTestId('discovered-row');
const rowText = (row: HTMLElement) => row.textContent!.replace(/\s+/g, ' ');
const rowOf = (name: string) => {
  const row = rows().find((r) => within(r).queryByText(name, { selector: '.name' }));
  if (!row) throw new Error(`No row for ${name}`);
  return row;
};
const names = () => rows().map((row) => row.querySelector('.name')!.textContent);
const liveCount = () => document.querySelector('.discovery [aria-live="polite"]')!.textContent;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('On your network', () => {
  test('starts discovery on mount and lists what it has seen, above the saved devices', async () => {
    const { bridge } = setup();

    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Cellar']));
    expect(bridge.callsOf('discovery.start')).toEqual([{}]);
    expect(bridge.callsOf('discovery.list')).toEqual([{}]);
    expect(bridge.callsOf('discovery.stop')).toEqual([]);

    const heading = screen.getByRole('heading', { level: 2, name: 'On your network' });
    const saved = screen.getByRole('heading', { level: 2, name: 'Saved devices' });
    expect(heading.compareDocumentPosition(saved) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const first = rowText(rowOf('Attic NAS'));
    for (const text of [
      'Synology',
      'Attic NAS',
      'DS920+',
      'DSM 7.2.1',
      '192.168.1.20, fd00::20',
      'smb, http',
      'mdns, synology-finder',
      'Online',
    ])
      expect(first).toContain(text);
    const second = rowText(rowOf('Cellar'));
    for (const text of ['TrueNAS', '192.168.1.30', 'ssh, nfs', 'probe', 'Online']) expect(second).toContain(text);
    expect(liveCount()).toBe('2 devices found');
  });

  test('found and updated events add and change rows in name order; lost marks the row not reachable', async () => {
    const { bridge } = setup();
    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Cellar']));

    bridge.emit('discovery.deviceFound', basement);
    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Basement', 'Cellar']));
    expect(rowText(rowOf('Basement'))).toContain('QNAP');
    expect(liveCount()).toBe('3 devices found');

    bridge.emit('discovery.deviceUpdated', { ...cellar, model: 'TrueNAS Mini X', osVersion: 'SCALE 24.10' });
    await waitFor(() => expect(rowText(rowOf('Cellar'))).toContain('TrueNAS Mini X · SCALE 24.10'));
    expect(names()).toEqual(['Attic NAS', 'Basement', 'Cellar']);

    bridge.emit('discovery.deviceLost', attic);
    await waitFor(() => expect(rowText(rowOf('Attic NAS'))).toContain('Not reachable since 09:05'));
    expect(rowText(rowOf('Attic NAS'))).not.toContain('Online');
    // Still there, in the same place.
    expect(names()).toEqual(['Attic NAS', 'Basement', 'Cellar']);
    expect(liveCount()).toBe('2 devices found, 1 not reachable');

    bridge.emit('discovery.deviceFound', attic);
    await waitFor(() => expect(rowText(rowOf('Attic NAS'))).toContain('Online'));
    expect(rowText(rowOf('Attic NAS'))).not.toContain('Not reachable');
    expect(liveCount()).toBe('3 devices found');
  });

  test('leaving the page stops discovery and stops following its events', async () => {
    const { bridge, discovery, page } = setup();
    await waitFor(() => expect(names()).toHaveLength(2));

    page.unmount();

    expect(bridge.callsOf('discovery.stop')).toEqual([{}]);
    bridge.emit('discovery.deviceFound', basement);
    expect(discovery.entries.map((e) => e.device.id)).toEqual([attic.id, cellar.id]);
  });

  test('Add sends the first address and the name to devices.add; the row says Saved once the device is saved', async () => {
    const { bridge } = setup({
      'devices.add': ({ host, name }) => makeDevice({ id: 'd1', name: name ?? host, host }),
    });
    await waitFor(() => expect(names()).toHaveLength(2));

    await fireEvent.click(screen.getByRole('button', { name: 'Add Attic NAS' }));

    expect(bridge.callsOf('devices.add')).toEqual([{ host: '192.168.1.20', name: 'Attic NAS' }]);
    expect(within(rowOf('Attic NAS')).queryByText('Saved')).toBeNull();

    bridge.emit('devices.changed', {
      devices: [makeDevice({ id: 'd1', name: 'Attic NAS', host: '192.168.1.20', vendor: 'synology' })],
    });
    await waitFor(() => expect(within(rowOf('Attic NAS')).getByText('Saved')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Add Attic NAS' })).toBeNull();
    // The other one can still be added.
    expect(screen.getByRole('button', { name: 'Add Cellar' })).toBeTruthy();
  });

  test('a device saved under another of its addresses or its host name counts as saved', async () => {
    setup({ 'devices.list': () => [makeDevice({ id: 'd1', name: 'Mine', host: 'Basement.local.' })] }, [
      attic,
      basement,
    ]);

    await waitFor(() => expect(within(rowOf('Basement')).getByText('Saved')).toBeTruthy());
    expect(screen.getByRole('button', { name: 'Add Attic NAS' })).toBeTruthy();
  });

  test('Add uses the host name when no address is known, and a failed add says why', async () => {
    const { bridge } = setup(
      {
        'devices.add': () => {
          throw new AppError('UNREACHABLE', 'basement.local did not answer on port 22.');
        },
      },
      [basement],
    );
    await waitFor(() => expect(names()).toEqual(['Basement']));

    await fireEvent.click(screen.getByRole('button', { name: 'Add Basement' }));

    expect(bridge.callsOf('devices.add')).toEqual([{ host: 'basement.local', name: 'Basement' }]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not add Basement');
    expect(alert.textContent).toContain(errorWords.UNREACHABLE.title);
    expect(alert.textContent).toContain('basement.local did not answer on port 22.');
    expect((screen.getByRole('button', { name: 'Add Basement' }) as HTMLButtonElement).disabled).toBe(false);
  });

  test('names from the network are shown as text, never as HTML', async () => {
    const hostile = makeDiscovered({
      id: 'x',
      name: '<img src=x onerror=alert(1)>',
      addresses: ['10.0.0.66'],
      model: '<b>bold</b>',
      services: [{ type: '<script>alert(2)</script>', port: 1 }],
    });
    const { page } = setup({}, [hostile]);

    await waitFor(() => expect(names()).toEqual(['<img src=x onerror=alert(1)>']));
    expect(page.container.querySelector('img, b, script')).toBeNull();
    expect(rowText(rowOf('<img src=x onerror=alert(1)>'))).toContain('<b>bold</b>');
    expect(screen.getByRole('button', { name: 'Add <img src=x onerror=alert(1)>' })).toBeTruthy();
    expect(rowText(rowOf('<img src=x onerror=alert(1)>'))).toContain('Unknown');
  });

  test('says it is searching, then that nothing was found, while the network stays quiet', async () => {
    const list = deferred<DiscoveredDevice[]>();
    const { bridge } = setup({ 'discovery.list': () => list.promise });

    expect(screen.getByText('Searching your network…')).toBeTruthy();
    list.resolve([]);
    expect(await screen.findByText(/^No NAS found yet\./)).toBeTruthy();
    expect(screen.queryByText('Searching your network…')).toBeNull();
    expect(liveCount()).toBe('No devices found yet');

    bridge.emit('discovery.deviceFound', cellar);
    await waitFor(() => expect(names()).toEqual(['Cellar']));
    expect(screen.queryByText(/^No NAS found yet\./)).toBeNull();
    expect(liveCount()).toBe('1 device found');
  });

  test('a failed start says so and offers to search again', async () => {
    let fail = true;
    const { bridge } = setup({
      'discovery.start': () => {
        if (fail) throw new AppError('NOT_SUPPORTED', 'UDP port 5353 is taken.');
        return { running: true };
      },
    });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not search your network');
    expect(alert.textContent).toContain(errorWords.NOT_SUPPORTED.title);

    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Search again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(bridge.callsOf('discovery.start')).toHaveLength(2);
  });

  test('an event that arrives while the list loads is not overwritten by the older list', async () => {
    const list = deferred<DiscoveredDevice[]>();
    const { bridge } = setup({ 'discovery.list': () => list.promise });
    await tick();

    bridge.emit('discovery.deviceUpdated', { ...attic, model: 'DS923+' });
    list.resolve([attic, cellar]);

    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Cellar']));
    expect(rowText(rowOf('Attic NAS'))).toContain('DS923+');
    expect(rowText(rowOf('Attic NAS'))).not.toContain('DS920+');
  });

  test('after a reconnect it starts again and reloads; devices gone meanwhile show as not reachable', async () => {
    let seen = [attic, cellar];
    const { bridge } = setup({ 'discovery.list': () => seen });
    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Cellar']));

    seen = [cellar, basement];
    for (const fn of reconnect) fn();

    await waitFor(() => expect(names()).toEqual(['Attic NAS', 'Basement', 'Cellar']));
    expect(bridge.callsOf('discovery.start')).toHaveLength(2);
    await waitFor(() => expect(rowText(rowOf('Attic NAS'))).toContain('Not reachable since 09:05'));
    expect(rowText(rowOf('Basement'))).toContain('Online');
    expect(rowText(rowOf('Cellar'))).toContain('Online');
  });

  test('Probe sends the typed targets to discovery.probe, shows it is busy, and lists what it found', async () => {
    const probe = deferred<DiscoveredDevice[]>();
    const { bridge } = setup({ 'discovery.probe': () => probe.promise }, []);

    await fireEvent.input(screen.getByLabelText('Probe address or range'), {
      target: { value: ' 192.168.1.0/24, 10.0.0.5 ' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Probe' }));

    expect(bridge.callsOf('discovery.probe')).toEqual([{ targets: ['192.168.1.0/24', '10.0.0.5'] }]);
    const form = screen.getByLabelText('Probe address or range').closest('form')!;
    expect(form.getAttribute('aria-busy')).toBe('true');
    expect((screen.getByRole('button', { name: 'Probing…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('progressbar', { name: 'Probing' })).toBeTruthy();

    probe.resolve([cellar]);

    await waitFor(() => expect(names()).toEqual(['Cellar']));
    expect(form.getAttribute('aria-busy')).toBe('false');
    expect(screen.getByText('Probe of 192.168.1.0/24, 10.0.0.5 finished.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Probe' })).toBeTruthy();
  });

  test('a failed probe shows the plain words and the message', async () => {
    setup({
      'discovery.probe': () => {
        throw new AppError('INVALID_INPUT', 'Expected a host name, an address or a CIDR range like 192.168.1.0/24');
      },
    });

    await fireEvent.input(screen.getByLabelText('Probe address or range'), { target: { value: 'not a/host' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Probe' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not probe');
    expect(alert.textContent).toContain(errorWords.INVALID_INPUT.title);
    expect(alert.textContent).toContain('a CIDR range like 192.168.1.0/24');
  });

  test('a flood of 2,000 found events keeps at most 500 rows, the newest', async () => {
    const { bridge } = setup({}, []);
    await screen.findByText('Searching your network…');

    for (let i = 0; i < 2000; i++)
      bridge.emit(
        'discovery.deviceFound',
        makeDiscovered({
          id: `d${i}`,
          name: `flood-${String(i).padStart(4, '0')}`,
          addresses: [`10.1.${i >> 8}.${i & 255}`],
        }),
      );

    await waitFor(() => expect(rows()).toHaveLength(500));
    expect(names()[0]).toBe('flood-1500');
    expect(names()[499]).toBe('flood-1999');
    expect(liveCount()).toBe('500 devices found');
  });
});

describe('DiscoveryStore', () => {
  test('when full, drops the device lost longest ago first, then the one that changed longest ago', () => {
    installFakeBridge();
    const store = new DiscoveryStore({ maxEntries: 3, now: () => LOST_AT });
    const d = (id: string) => makeDiscovered({ id, name: id });

    store.upsert(d('a'));
    store.upsert(d('b'));
    store.upsert(d('c'));
    store.lose(d('c'));
    store.lose(d('b'));
    store.upsert(d('e'));
    expect(store.entries.map((e) => e.device.id)).toEqual(['a', 'b', 'e']);

    store.upsert(d('f'));
    expect(store.entries.map((e) => e.device.id)).toEqual(['a', 'e', 'f']);

    store.upsert(d('a'));
    store.upsert(d('g'));
    expect(store.entries.map((e) => e.device.id)).toEqual(['a', 'f', 'g']);
  });

  test('an entry merged into another disappears instead of showing as not reachable', () => {
    installFakeBridge();
    const store = new DiscoveryStore({ now: () => LOST_AT });
    store.upsert(makeDiscovered({ id: 'wsd-only', name: 'nas' }));
    store.upsert(makeDiscovered({ id: 'mdns', name: 'nas' }));
    store.lose({ ...makeDiscovered({ id: 'wsd-only', name: 'nas' }), mergedInto: 'mdns' });
    expect(store.entries.map((e) => [e.device.id, e.lostAt])).toEqual([['mdns', null]]);
  });
});
