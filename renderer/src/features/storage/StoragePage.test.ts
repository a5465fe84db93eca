import { render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { makeDevice } from '../../test/devices';
import { installFakeBridge } from '../../test/fake-bridge';
import { makeStatus } from '../../test/nas';
import { DevicesStore } from '../devices/devices.svelte';
import { FleetStore } from '../fleet/fleet.svelte';
import StoragePage from './StoragePage.svelte';

describe('Storage page', () => {
  test('each NAS with its health and usage, linking to its Storage tab; an unreachable one says why', async () => {
    installFakeBridge({
      'devices.list': () => [
        makeDevice({ id: 'a1', name: 'Attic', host: '10.0.0.11' }),
        makeDevice({ id: 'b2', name: 'Basement', host: '10.0.0.12' }),
      ],
      'nas.status': ({ device }) => {
        if (device === 'b2') throw new AppError('TIMEOUT', 'ssh handshake timed out');
        return makeStatus({ health: 'rebuilding' });
      },
    });
    render(StoragePage, { store: new DevicesStore(), fleet: new FleetStore() });

    const attic = await screen.findByRole('link', { name: 'Attic' });
    expect(attic.getAttribute('href')).toBe('#/device/a1/storage');
    const item = attic.closest('li')!;
    await waitFor(() => expect(item.textContent).toContain('Rebuilding'));
    expect(within(item).getByRole('img', { name: 'Attic used: 1.0 GB of 4.0 GB (25%)' })).toBeTruthy();
    const basement = screen.getByRole('link', { name: 'Basement' }).closest('li')!;
    await waitFor(() => expect(basement.textContent).toContain('The NAS did not answer in time'));
    expect(basement.textContent).toContain('Unknown');
  });
});
