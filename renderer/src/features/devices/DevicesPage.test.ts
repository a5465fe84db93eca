import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import { AppError, errorWords } from '../../../../shared/errors';
import { installFakeBridge } from '../../test/fake-bridge';
import { makeDevice } from '../../test/devices';
import { quietDiscovery } from '../../test/discovered';
import { DiscoveryStore } from '../discovery/discovery.svelte';
import DevicesPage from './DevicesPage.svelte';
import { DevicesStore } from './devices.svelte';
import { FleetStore } from '../fleet/fleet.svelte';
import { makeStatus } from '../../test/nas';

const attic = makeDevice({ id: 'a1', name: 'Attic NAS', host: '192.168.1.20', port: 2222, vendor: 'synology' });
const cellar = makeDevice({ id: 'c2', name: 'Cellar', host: 'fd00::5', port: 22, vendor: 'truenas' });

const renderPage = () => render(DevicesPage, { store: new DevicesStore(), discovery: new DiscoveryStore() });

async function typeAndAdd(address: string, name = '') {
  await fireEvent.input(screen.getByLabelText('Address'), { target: { value: address } });
  await fireEvent.input(screen.getByLabelText('Name'), { target: { value: name } });
  await fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
}

const rowNames = () =>
  screen.queryAllByTestId('device-row').map((row) => within(row).getByRole('rowheader').textContent);
const waitForRows = (names: string[]) => waitFor(() => expect(rowNames()).toEqual(names));

describe('Devices page', () => {
  test('lists the devices from devices.list with address, port and vendor', async () => {
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic, cellar],
    });
    renderPage();

    const rows = await screen.findAllByTestId('device-row');
    expect(bridge.callsOf('devices.list')).toEqual([{}]);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('Attic NAS');
    expect(rows[0]!.textContent).toContain('192.168.1.20:2222');
    expect(rows[0]!.textContent).toContain('Synology');
    expect(rows[1]!.textContent).toContain('[fd00::5]:22');
    expect(rows[1]!.textContent).toContain('TrueNAS');
  });

  test('tells the user what to do when there is no device yet', async () => {
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [],
    });
    renderPage();

    expect(await screen.findByRole('heading', { name: 'No NAS added yet' })).toBeTruthy();
    expect(screen.queryAllByTestId('device-row')).toHaveLength(0);
  });

  test('adding sends the typed values to devices.add; the list shows the device once devices.changed arrives', async () => {
    const added = makeDevice({ id: 'n3', name: 'Basement', host: 'nas.local' });
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic],
      'devices.add': () => added,
    });
    renderPage();
    await screen.findByTestId('device-row');

    await typeAndAdd(' nas.local ', 'Basement');

    expect(bridge.callsOf('devices.add')).toEqual([{ host: 'nas.local', name: 'Basement' }]);
    expect((await screen.findByRole('status')).textContent).toContain('Added Basement.');
    // The form is ready for the next one.
    expect((screen.getByLabelText('Address') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('');

    bridge.emit('devices.changed', { devices: [attic, added] });
    await waitForRows(['Attic NAS', 'Basement']);
  });

  test('leaves the name out when none is typed', async () => {
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [],
      'devices.add': ({ host }) => makeDevice({ id: 'n4', name: host, host }),
    });
    renderPage();

    await typeAndAdd('10.0.0.7');

    expect(bridge.callsOf('devices.add')).toEqual([{ host: '10.0.0.7' }]);
  });

  test('follows devices.changed pushed from elsewhere (the CLI, another window)', async () => {
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic],
    });
    renderPage();
    await screen.findByTestId('device-row');

    bridge.emit('devices.changed', { devices: [cellar] });

    await waitForRows(['Cellar']);
  });

  test('a failed add shows the plain words and the message as an alert, and keeps the input', async () => {
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic],
      'devices.add': () => {
        throw new AppError('CONFLICT', '192.168.1.20 is already in the list as "Attic NAS".', { field: 'host' });
      },
    });
    renderPage();
    await screen.findByTestId('device-row');

    await typeAndAdd('192.168.1.20');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(errorWords.CONFLICT.title);
    expect(alert.textContent).toContain('192.168.1.20 is already in the list as "Attic NAS".');
    expect(alert.textContent).toContain(errorWords.CONFLICT.fix);
    expect((screen.getByLabelText('Address') as HTMLInputElement).value).toBe('192.168.1.20');
    expect(rowNames()).toEqual(['Attic NAS']);
  });

  test('remove asks for confirmation first; Cancel keeps the device, Remove calls devices.remove', async () => {
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic, cellar],
      'devices.remove': ({ device }) => ({ removed: device === attic.id ? attic : cellar }),
    });
    renderPage();
    await screen.findAllByTestId('device-row');

    await fireEvent.click(screen.getByRole('button', { name: 'Remove Attic NAS' }));
    let dialog = screen.getByRole('alertdialog', { name: 'Remove Attic NAS?' });
    expect(bridge.callsOf('devices.remove')).toEqual([]);

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    // bits-ui unmounts the dialog once any closing animation has run, a frame later.
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(bridge.callsOf('devices.remove')).toEqual([]);
    expect(rowNames()).toEqual(['Attic NAS', 'Cellar']);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove Attic NAS' }));
    dialog = screen.getByRole('alertdialog', { name: 'Remove Attic NAS?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));

    expect(bridge.callsOf('devices.remove')).toEqual([{ device: 'a1' }]);
    await waitForRows(['Cellar']);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  test('a failed remove keeps the device and says why', async () => {
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic],
      'devices.remove': () => {
        throw new AppError('NOT_FOUND', 'No device "a1".');
      },
    });
    renderPage();
    await screen.findByTestId('device-row');

    await fireEvent.click(screen.getByRole('button', { name: 'Remove Attic NAS' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not remove Attic NAS');
    expect(alert.textContent).toContain(errorWords.NOT_FOUND.title);
    expect(rowNames()).toEqual(['Attic NAS']);
  });

  test('names and hosts from the network are shown as text, never as HTML', async () => {
    const hostile = makeDevice({ id: 'x', name: '<img src=x onerror="alert(1)">', host: 'evil.local' });
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [hostile],
    });
    const { container } = renderPage();

    await screen.findByTestId('device-row');
    expect(rowNames()).toEqual(['<img src=x onerror="alert(1)">']);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove <img src=x onerror="alert(1)">' })).toBeTruthy();
  });

  test('a failed load says why and offers to try again', async () => {
    let fail = true;
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => {
        if (fail) throw new AppError('UNREACHABLE', 'Lost the connection to Nasdeck.');
        return [attic];
      },
    });
    renderPage();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(errorWords.UNREACHABLE.title);

    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitForRows(['Attic NAS']);
  });

  test('each saved NAS shows the shared health badge, a capacity bar, and whether it is reachable', async () => {
    installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [attic, cellar],
      'nas.status': ({ device }) => {
        if (device === 'c2') throw new AppError('UNREACHABLE', 'connect EHOSTUNREACH fd00::5:22');
        return makeStatus({ health: 'scrubbing' });
      },
    });
    render(DevicesPage, { store: new DevicesStore(), discovery: new DiscoveryStore(), fleet: new FleetStore() });

    await waitFor(() => expect(screen.getAllByTestId('device-row')[0]!.textContent).toContain('Scrubbing'));
    const [atticRow, cellarRow] = screen.getAllByTestId('device-row');
    expect(within(atticRow!).getByRole('img', { name: 'Attic NAS used: 1.0 GB of 4.0 GB (25%)' })).toBeTruthy();
    expect(atticRow!.textContent).toContain('Reachable');
    expect(atticRow!.textContent).toMatch(/Seen \d+ s ago/);
    await waitFor(() => expect(cellarRow!.textContent).toContain('Not reachable'));
    expect(cellarRow!.textContent).toContain('Unknown');
    expect(cellarRow!.textContent).toContain('Not seen yet');
    expect(within(atticRow!).getByRole('link', { name: 'Attic NAS' }).getAttribute('href')).toBe('#/device/a1');
  });

  test('first contact: the host key fingerprint is shown to compare, and trusting it pins exactly that key', async () => {
    const fp = 'SHA256:' + 'Z'.repeat(43);
    const bridge = installFakeBridge({
      ...quietDiscovery(),
      'devices.list': () => [],
      'devices.add': (p) => {
        if (p.hostKeySha256 !== fp)
          throw new AppError('HOST_KEY_UNKNOWN', 'First connection to 10.0.0.11', {
            host: '10.0.0.11',
            fingerprint: fp,
          });
        return makeDevice({ id: 'n9', name: 'lab', host: '10.0.0.11' });
      },
    });
    renderPage();
    await fireEvent.input(screen.getByLabelText('Address'), { target: { value: '10.0.0.11' } });
    await fireEvent.input(screen.getByLabelText('User'), { target: { value: 'ndui-admin' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add device' }));

    expect((await screen.findByTestId('fingerprint')).textContent).toBe(fp);
    expect(screen.queryByRole('alert')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Trust this SSH host key and continue' }));
    expect(await screen.findByText('Added lab.')).toBeTruthy();
    expect(bridge.callsOf('devices.add')[1]).toEqual({
      host: '10.0.0.11',
      user: 'ndui-admin',
      password: 'pw',
      hostKeySha256: fp,
    });
  });
});
