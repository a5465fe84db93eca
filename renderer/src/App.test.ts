import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { Settings } from '../../shared/domain';
import App from './App.svelte';
import { quietDiscovery } from './test/discovered';
import { installFakeBridge } from './test/fake-bridge';

type Handlers = Parameters<typeof installFakeBridge>[0];

/** A bridge for a fresh app with no devices: `settings` and `handlers` are what a test changes. */
function installApp(settings: Pick<Settings, 'theme' | 'setupCompleted'>, handlers: Handlers = {}) {
  installFakeBridge({
    'settings.get': () => ({ startAtLogin: false, autoReconnect: true, ...settings }),
    'app.info': () => ({
      name: 'Nasdeck',
      version: '0.1.0',
      platform: 'linux',
      configDir: '/c',
      keychain: 'available',
    }),
    'devices.list': () => [],
    'jobs.list': () => [],
    ...quietDiscovery(),
    ...handlers,
  });
  render(App);
}

describe('App frame', () => {
  test('navigates between pages with the main navigation and marks the current one', async () => {
    window.history.replaceState(null, '', '/');
    installApp({ theme: 'dark', setupCompleted: true }, { 'mounts.list': () => [] });

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
    expect(await screen.findByText(/No shares are mounted by Nasdeck yet/)).toBeTruthy();
    expect(document.title).toBe('Mounts — Nasdeck');
  });

  test('opens the setup assistant on first start, not when the app was opened at a page', async () => {
    window.history.replaceState(null, '', '/');
    installApp({ theme: 'system', setupCompleted: false });

    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Set up Nasdeck'));
    expect(screen.getByRole('heading', { level: 2, name: /Welcome/ })).toBeTruthy();
  });

  test('the Jobs button opens a drawer with the running jobs', async () => {
    window.location.hash = '#/devices';
    installApp(
      { theme: 'system', setupCompleted: true },
      {
        'jobs.list': () => [
          {
            id: 'j1',
            kind: 'scrub',
            title: 'Scrub pool',
            state: 'running',
            progress: 0.25,
            message: '',
            startedAt: '2026-01-01T00:00:00Z',
          },
        ],
      },
    );

    const toggle = await screen.findByRole('button', { name: /Jobs\s*1 running/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(toggle);
    const drawer = screen.getByRole('complementary', { name: 'Jobs' });
    expect(within(drawer).getByRole('progressbar', { name: 'Progress of Scrub pool' })).toBeTruthy();
  });
});
