import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { AppInfo, Settings } from '../../../../shared/domain';
import { AppError, errorWords } from '../../../../shared/errors';
import { installFakeBridge } from '../../test/fake-bridge';
import SettingsPage from './SettingsPage.svelte';
import { SettingsStore } from './settings.svelte';

const saved: Settings = { theme: 'system', startAtLogin: false, autoReconnect: true, setupCompleted: false };
const info: AppInfo = {
  name: 'Nasdeck',
  version: '0.1.0',
  platform: 'linux',
  configDir: '/home/ada/.config/nasdeck',
  keychain: 'unavailable',
};

function renderPage() {
  const store = new SettingsStore();
  store.start();
  render(SettingsPage, { store });
  return store;
}

const radio = (name: string) => screen.getByRole('radio', { name }) as HTMLInputElement;
const checkbox = (name: string) => screen.getByRole('checkbox', { name }) as HTMLInputElement;

describe('Settings page', () => {
  test('shows the saved settings and the app info', async () => {
    installFakeBridge({ 'settings.get': () => saved, 'app.info': () => info });
    renderPage();

    await screen.findByRole('radio', { name: 'System' });
    expect(radio('System').checked).toBe(true);
    expect(radio('Dark').checked).toBe(false);
    expect(checkbox('Start Nasdeck when I sign in').checked).toBe(false);
    expect(checkbox('Reconnect mounted shares automatically').checked).toBe(true);
    const about = await screen.findByRole('heading', { name: 'About this installation' });
    const text = about.parentElement!.textContent!;
    expect(text).toContain('0.1.0');
    expect(text).toContain('/home/ada/.config/nasdeck');
    expect(text).toContain('Unavailable');
  });

  test('changes go to settings.set, one field at a time', async () => {
    let current = saved;
    const bridge = installFakeBridge({
      'settings.get': () => current,
      'app.info': () => info,
      'settings.set': (patch) => (current = { ...current, ...patch }),
    });
    const store = renderPage();
    await screen.findByRole('radio', { name: 'Dark' });

    await fireEvent.click(radio('Dark'));
    await fireEvent.click(checkbox('Start Nasdeck when I sign in'));

    expect(bridge.callsOf('settings.set')).toEqual([{ theme: 'dark' }, { startAtLogin: true }]);
    await waitFor(() => expect(store.settings).toEqual({ ...saved, theme: 'dark', startAtLogin: true }));
    expect(radio('Dark').checked).toBe(true);
    expect(checkbox('Start Nasdeck when I sign in').checked).toBe(true);
  });

  test('a failed change is put back and explained', async () => {
    installFakeBridge({
      'settings.get': () => saved,
      'app.info': () => info,
      'settings.set': () => {
        throw new AppError('PERMISSION_DENIED', 'Cannot write the autostart entry.');
      },
    });
    renderPage();
    await screen.findByRole('checkbox', { name: 'Start Nasdeck when I sign in' });

    await fireEvent.click(checkbox('Start Nasdeck when I sign in'));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(errorWords.PERMISSION_DENIED.title);
    expect(alert.textContent).toContain('Cannot write the autostart entry.');
    expect(checkbox('Start Nasdeck when I sign in').checked).toBe(false);
  });

  test('follows settings.changed from elsewhere', async () => {
    const bridge = installFakeBridge({ 'settings.get': () => saved, 'app.info': () => info });
    renderPage();
    await screen.findByRole('radio', { name: 'Light' });

    bridge.emit('settings.changed', { ...saved, theme: 'light' });

    await waitFor(() => expect(radio('Light').checked).toBe(true));
  });

  test('re-opens the setup assistant', async () => {
    installFakeBridge({ 'settings.get': () => ({ ...saved, setupCompleted: true }), 'app.info': () => info });
    renderPage();
    await fireEvent.click(screen.getByRole('button', { name: 'Open the setup assistant' }));
    await waitFor(() => expect(window.location.hash).toBe('#/setup'));
  });
});
