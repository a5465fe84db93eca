import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from './App.svelte';
import { quietDiscovery } from './test/discovered';
import { installFakeBridge } from './test/fake-bridge';

describe('App frame', () => {
  test('navigates between pages with the main navigation and marks the current one', async () => {
    window.history.replaceState(null, '', '/');
    installFakeBridge({
      'settings.get': () => ({ theme: 'dark', startAtLogin: false, autoReconnect: true, setupCompleted: false }),
      'app.info': () => ({
        name: 'Nasdeck',
        version: '0.1.0',
        platform: 'linux',
        configDir: '/c',
        keychain: 'available',
      }),
      'devices.list': () => [],
      ...quietDiscovery(),
    });
    render(App);

    const nav = screen.getByRole('navigation', { name: 'Main' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual([
      'Setup',
      'Devices',
      'Mounts',
      'Storage',
      'Hypervisors',
      'Settings',
    ]);
    // Devices is the default page.
    expect(within(nav).getByRole('link', { name: 'Devices' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Devices');

    // The Settings theme reaches <html>.
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));

    await fireEvent.click(within(nav).getByRole('link', { name: 'Mounts' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Mounts'));
    expect(within(nav).getByRole('link', { name: 'Mounts' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('link', { name: 'Devices' }).hasAttribute('aria-current')).toBe(false);
    expect(screen.getByText(/not available yet in this build/)).toBeTruthy();
    expect(document.title).toBe('Mounts — Nasdeck');
  });
});
