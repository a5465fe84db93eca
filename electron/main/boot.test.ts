// The shell's startup (electron/main/index.ts) with a real core (temporary config dir and XDG
// config home) and the recording stand-in for 'electron': what the Electron e2e suite checks where
// the binary exists, checked here at the wiring level.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandNames } from '../../shared/api';
import type { createFakeElectron } from './fake-electron';

const fake = vi.hoisted(() => ({ electron: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  fake.electron = createFakeElectron();
  return fake.electron.module;
});

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

let base: string;
const saved = { argv: process.argv, env: { ...process.env } };

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'nasdeck-boot-'));
  process.env.NASDECK_CONFIG_DIR = join(base, 'config');
  process.env.XDG_CONFIG_HOME = join(base, 'xdg');
  process.env.NASDECK_DISCOVERY_INTERFACES = '127.0.0.1';
});
afterAll(async () => {
  process.env = saved.env;
  await rm(base, { recursive: true, force: true });
});

// Each boot loads index.ts afresh against the same stand-in, cleared of the previous boot.
async function boot(args: string[]) {
  vi.resetModules();
  if (fake.electron) {
    fake.electron.module.app.removeAllListeners();
    fake.electron.module.BrowserWindow.created.length = 0;
    fake.electron.module.Tray.instances.length = 0;
    fake.electron.state.ipcHandlers.clear();
  }
  process.argv = [saved.argv[0]!, '/src/nasdeck', ...args];
  await import('./index');
  await settle();
  return fake.electron;
}
const windows = () => fake.electron.module.BrowserWindow.created;
const trays = () => fake.electron.module.Tray.instances;

afterEach(async () => {
  process.argv = saved.argv;
  fake.electron?.module.app.emit('will-quit');
  await settle();
});

describe('startup', () => {
  it('opens the hardened window, a tray and one IPC channel per command', async () => {
    const electron = await boot([]);
    expect(windows()).toHaveLength(1);
    expect(windows()[0]!.loaded[0]).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
    expect(trays()).toHaveLength(1);
    expect(electron.state.ipcHandlers.size).toBe(commandNames.length);
    expect(electron.state.session.permissionRequestHandler).not.toBeNull();
  });

  it('a second launch focuses the window; one asking for a page shows it', async () => {
    const electron = await boot([]);
    const [win] = windows();
    electron.module.app.emit('second-instance', {}, ['/opt/Nasdeck/nasdeck-app', '--open=#/mounts']);
    expect(windows()).toHaveLength(1);
    expect(win!.focused).toBe(1);
    expect(win!.loaded.at(-1)).toMatch(/index\.html#\/mounts$/);
  });

  it('started at login (--hidden) stays in the tray until a second launch', async () => {
    const electron = await boot(['--hidden']);
    expect(trays()).toHaveLength(1);
    expect(windows()).toHaveLength(0);
    electron.module.app.emit('second-instance', {}, ['/opt/Nasdeck/nasdeck-app', '--hidden']);
    expect(windows()).toHaveLength(0);
    electron.module.app.emit('second-instance', {}, ['/opt/Nasdeck/nasdeck-app']);
    expect(windows()).toHaveLength(1);
  });

  it("keeps running in the tray when the window closes; the tray's Quit ends it", async () => {
    const electron = await boot([]);
    electron.module.app.emit('window-all-closed');
    expect(electron.module.app.quitCalls).toBe(0);
    const quit = trays()[0]!.menu!.items.find((i) => i.label === 'Quit Nasdeck')!;
    quit.click!();
    expect(electron.module.app.quitCalls).toBe(1);
  });

  it.runIf(process.platform === 'linux')(
    'settings.startAtLogin writes and removes the XDG autostart entry',
    async () => {
      const electron = await boot([]);
      const rendererUrl = windows()[0]!.loaded[0]!;
      const frame: { url: string; top: unknown } = { url: rendererUrl, top: null };
      frame.top = frame;
      const set = electron.state.ipcHandlers.get('nasdeck:settings.set')!;
      const entry = join(base, 'xdg', 'autostart', 'nasdeck.desktop');

      expect(await set({ senderFrame: frame }, { startAtLogin: true })).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(existsSync(entry)).toBe(true));
      // Unpackaged: the Electron binary with the app folder, then --hidden.
      expect(await readFile(entry, 'utf8')).toContain(`Exec=${process.execPath} /src/nasdeck --hidden\n`);

      expect(await set({ senderFrame: frame }, { startAtLogin: false })).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(existsSync(entry)).toBe(false));
    },
  );
});
