// The Electron shell's wiring, with a recording stand-in for the 'electron' module (the Electron
// binary cannot be downloaded here; e2e/electron runs the real thing where it can). Core parts are
// real: the event bus, the dispatcher with the shared schemas, the tray and notification models.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commandNames, type Handlers } from '../../shared/api';
import type { Mount, MountState } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Core } from '../core/api';
import { createDispatch } from '../core/dispatch';
import { EventBus } from '../core/events';
import {
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  FakeWebContents,
  type FakeMenuItem,
  type createFakeElectron,
} from './fake-electron';

const fake = vi.hoisted(() => ({ electron: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  fake.electron = createFakeElectron();
  return fake.electron.module;
});

const { CONTENT_SECURITY_POLICY, externalWebUrl, hardenSessions, trustedFrame } = await import('./security');
const { registerIpc } = await import('./ipc');
const { appWindow } = await import('./window');
const { createTray } = await import('./tray');
const { startNotifications } = await import('./notifications');
const { watchPowerAndNetwork } = await import('./power');

const APP = 'file:///opt/Nasdeck/resources/app.asar/dist/renderer/index.html';
const isAppUrl = (url: string) => url.split('#')[0] === APP;
const tick = () => new Promise((r) => setImmediate(r));

describe('security: sessions and web contents', () => {
  const electron = () => fake.electron;
  beforeEach(() => hardenSessions(isAppUrl));

  it('denies every permission request and check', () => {
    const answers: boolean[] = [];
    electron().state.session.permissionRequestHandler!(null, 'media', (ok: boolean) => answers.push(ok));
    electron().state.session.permissionRequestHandler!(null, 'notifications', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false, false]);
    expect(electron().state.session.permissionCheckHandler!(null, 'clipboard-read')).toBe(false);
  });

  it('adds a strict CSP to every response', () => {
    let headers: Record<string, string[]> = {};
    electron().state.session.headersHandler!(
      { responseHeaders: { 'X-A': ['1'] } },
      (r: { responseHeaders: typeof headers }) => {
        headers = r.responseHeaders;
      },
    );
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
  });

  it('blocks navigation and redirects away from the app, webviews and new windows', () => {
    const contents = new FakeWebContents();
    electron().module.app.emit('web-contents-created', {}, contents);
    const attempt = (event: string, url: string) => {
      const e = { prevented: false, preventDefault: () => (e.prevented = true) };
      contents.emit(event, e, url);
      return e.prevented;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-navigate', `${APP}#/mounts`)).toBe(false);
    expect(attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(attempt('will-attach-webview', APP)).toBe(true);

    const opened = electron().state.opened.external;
    opened.length = 0;
    for (const url of ['https://docs.example/x', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://nas/share', APP]) {
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://docs.example/x']);
  });

  it('opens only http(s) links outside', () => {
    expect(externalWebUrl('https://nas.local:5001/')).toBe('https://nas.local:5001/');
    expect(externalWebUrl('http://nas.local/')).toBe('http://nas.local/');
    expect(externalWebUrl('ms-settings:network')).toBeNull();
    expect(externalWebUrl('not a url')).toBeNull();
  });

  it('trusts only the top frame of our own page', () => {
    const trusted = trustedFrame(isAppUrl);
    const top = { url: `${APP}#/devices`, top: null as unknown };
    top.top = top;
    expect(trusted(top as never)).toBe(true);
    expect(trusted({ url: APP, top } as never)).toBe(false); // a subframe, even of our page
    const foreign = { url: 'https://evil.example/', top: null as unknown };
    foreign.top = foreign;
    expect(trusted(foreign as never)).toBe(false);
    expect(trusted(null)).toBe(false);
  });
});

describe('IPC', () => {
  it('registers one channel per command; refuses untrusted frames; forwards events to live windows', async () => {
    const calls: unknown[] = [];
    const events = new EventBus();
    const core = { dispatch: async (m: unknown, p: unknown) => (calls.push([m, p]), { ok: true, value: 1 }), events };
    const live = new FakeBrowserWindow({});
    const gone = new FakeBrowserWindow({});
    gone.destroyed = true;
    registerIpc(
      core as unknown as Core,
      (frame) => frame === ('trusted' as never),
      () => [live, gone] as never,
    );
    const handlers = fake.electron.state.ipcHandlers;
    expect(handlers.size).toBe(commandNames.length);

    const handler = handlers.get('nasdeck:devices.list') ?? [...handlers.values()][0]!;
    expect(await handler({ senderFrame: 'evil' }, {})).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    expect(calls).toEqual([]);
    expect(await handler({ senderFrame: 'trusted' }, { x: 1 })).toEqual({ ok: true, value: 1 });
    expect(calls).toHaveLength(1);

    events.emit('settings.changed', { theme: 'dark', startAtLogin: false, autoReconnect: true, setupCompleted: true });
    expect(live.webContents.sent).toHaveLength(1);
    expect(gone.webContents.sent).toHaveLength(0);
  });
});

describe('the window', () => {
  beforeEach(() => {
    FakeBrowserWindow.created.length = 0;
  });

  it('is created hardened: isolated, sandboxed, no Node, no webviews, no middle-click windows', () => {
    appWindow(APP).show();
    const [win] = FakeBrowserWindow.created;
    const prefs = win!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs.preload).toMatch(/preload\.cjs$/);
    expect(win!.options.show).toBe(false);
    win!.emit('ready-to-show');
    expect(win!.shown).toBe(1);
  });

  it('is reused and focused when asked for again, at the page asked for; only our routes', () => {
    const window = appWindow(`${APP}#/devices`);
    window.show('#/mounts');
    const [win] = FakeBrowserWindow.created;
    expect(win!.loaded).toEqual([`${APP}#/mounts`]);
    win!.minimized = true;
    window.show('#/device/nas%201');
    window.show('javascript:alert(1)');
    expect(FakeBrowserWindow.created).toHaveLength(1);
    expect(win!.loaded).toEqual([`${APP}#/mounts`, `${APP}#/device/nas%201`]);
    expect(win!.minimized).toBe(false);
    expect(win!.focused).toBe(2);
    win!.emit('closed');
    expect(window.current()).toBeNull();
    window.show();
    expect(FakeBrowserWindow.created).toHaveLength(2);
    expect(FakeBrowserWindow.created[1]!.loaded).toEqual([`${APP}#/devices`]);
  });
});

const mount = (name: string, state: MountState): Mount => ({
  id: `id-${name}`,
  name,
  url: `smb://nas.local/${name}`,
  mountPoint: `/home/me/nas/${name}`,
  persistent: true,
  autoReconnect: true,
  state,
  since: '2026-11-30T09:00:00.000Z',
});

function fakeCore(initial: Mount[]) {
  const events = new EventBus();
  const calls: Array<[string, unknown]> = [];
  const state = { mounts: initial };
  const handlers = {
    'mounts.list': async () => state.mounts,
    'mounts.up': async (p: unknown) => {
      calls.push(['mounts.up', p]);
      throw new AppError('UNREACHABLE', 'nas.local did not answer');
    },
    'mounts.down': async (p: unknown) => {
      calls.push(['mounts.down', p]);
      return { applied: true, value: [], steps: [] };
    },
    'devices.list': async () => [],
  } as unknown as Handlers;
  const core = { handlers, dispatch: createDispatch(handlers), events, mounts: {} } as unknown as Core;
  return { core, events, calls, state };
}

const find = (items: FakeMenuItem[], label: RegExp): FakeMenuItem => {
  const item = items.find((i) => i.label && label.test(i.label));
  if (!item) throw new Error(`no ${label} in ${items.map((i) => i.label).join(', ')}`);
  return item;
};

describe('the tray', () => {
  beforeEach(() => {
    FakeTray.instances.length = 0;
    FakeNotification.shown.length = 0;
  });

  it('renders the menu model, runs actions through the dispatcher and reports failures', async () => {
    const { core, events, calls } = fakeCore([mount('backup', 'mounted'), mount('video', 'unmounted')]);
    const host = { opened: [] as Array<string | undefined>, quit: 0, reports: [] as string[] };
    const tray = createTray(core, {
      openApp: (route) => host.opened.push(route),
      quit: () => host.quit++,
      report: (title, body) => host.reports.push(`${title}: ${body}`),
    });
    await tick();
    const t = FakeTray.instances[0]!;
    expect(t.images.at(-1)).toMatch(/tray\/mounted\.png$/);
    expect(t.tooltip).toBe('Nasdeck — 1 of 2 mounted');
    const items = t.menu!.items;
    expect(items.map((i) => i.label ?? i.type)).toEqual([
      'backup — Mounted',
      'video — Not mounted',
      'separator',
      'Mount all',
      'Unmount all',
      'separator',
      'Open Nasdeck',
      'Quit Nasdeck',
    ]);

    find(find(items, /^video/).submenu!, /^Mount$/).click!();
    await tick();
    await tick();
    expect(calls).toEqual([['mounts.up', { mount: 'id-video' }]]);
    expect(host.reports).toEqual(['Could not mount video: nas.local did not answer']);

    find(t.menu!.items, /^Unmount all$/).click!();
    await tick();
    expect(calls.at(-1)).toEqual(['mounts.down', { all: true }]);

    find(find(t.menu!.items, /^backup/).submenu!, /Open in file manager/).click!();
    await tick();
    expect(fake.electron.state.opened.paths).toContain('/home/me/nas/backup');

    find(t.menu!.items, /Open Nasdeck/).click!();
    find(t.menu!.items, /Quit Nasdeck/).click!();
    expect(host.opened).toEqual([undefined]);
    expect(host.quit).toBe(1);

    events.emit('mounts.changed', { mounts: [mount('backup', 'error'), mount('video', 'unmounted')] });
    expect(t.images.at(-1)).toMatch(/tray\/error\.png$/);
    tray.destroy();
    expect(t.destroyed).toBe(true);
  });
});

describe('notifications', () => {
  beforeEach(() => {
    FakeNotification.shown.length = 0;
    FakeNotification.supported = true;
  });

  it('shows a lost mount and opens the Mounts page on click', async () => {
    const { core, events } = fakeCore([mount('backup', 'mounted')]);
    const opened: Array<string | undefined> = [];
    const notifier = startNotifications(core, (route) => opened.push(route));
    await tick();
    events.emit('mounts.changed', { mounts: [mount('backup', 'offline')] });
    expect(FakeNotification.shown.map((n) => n.options.title)).toEqual(['backup is offline']);
    FakeNotification.shown[0]!.emit('click');
    expect(opened).toEqual(['#/mounts']);
    // The next notice about the same mount replaces the previous one.
    events.emit('mounts.changed', { mounts: [mount('backup', 'mounted')] });
    expect(FakeNotification.shown[0]!.closed).toBe(true);
    expect(FakeNotification.shown[1]!.options.title).toBe('backup is back');
    notifier.stop();
    events.emit('mounts.changed', { mounts: [mount('backup', 'offline')] });
    expect(FakeNotification.shown).toHaveLength(2);
  });

  it('shows nothing where the OS has no notifications', async () => {
    FakeNotification.supported = false;
    const { core, events } = fakeCore([mount('backup', 'mounted')]);
    const notifier = startNotifications(core, () => undefined);
    await tick();
    events.emit('mounts.changed', { mounts: [mount('backup', 'offline')] });
    expect(FakeNotification.shown).toHaveLength(0);
    notifier.stop();
  });
});

describe('the preload bridge', () => {
  it('exposes only call/on for the contract: no ipcRenderer, no arbitrary channel', async () => {
    await import('../preload/index');
    const { exposed, invoked, listeners } = fake.electron.state.renderer;
    expect([...exposed.keys()]).toEqual(['nasdeck']);
    const bridge = exposed.get('nasdeck') as {
      call(m: string, p: unknown): Promise<unknown>;
      on(e: string, l: (p: unknown) => void): () => void;
    };
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);

    expect(await bridge.call('shell.exec', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await bridge.call('../../etc', {})).toMatchObject({ ok: false });
    expect(invoked).toEqual([]);
    await bridge.call('mounts.list', {});
    expect(invoked).toEqual([['nasdeck:mounts.list', {}]]);

    expect(() => bridge.on('anything', () => undefined)).toThrow(/Unknown event/);
    const got: unknown[] = [];
    const off = bridge.on('mounts.changed', (p) => got.push(p));
    listeners.emit('nasdeck:event', {}, 'settings.changed', { a: 1 });
    listeners.emit('nasdeck:event', {}, 'mounts.changed', { mounts: [] });
    off();
    listeners.emit('nasdeck:event', {}, 'mounts.changed', { mounts: [1] });
    expect(got).toEqual([{ mounts: [] }]);
  });
});

describe('power events', () => {
  it('wake the mount monitor after sleep, and a failing hook is logged, not thrown', () => {
    const calls: string[] = [];
    const logs: string[] = [];
    let fail = false;
    const mounts = {
      onResume: () => {
        calls.push('resume');
        if (fail) throw new Error('monitor gone');
      },
      onNetworkChange: () => calls.push('network'),
    };
    const stop = watchPowerAndNetwork({ mounts } as unknown as Core, (l) => logs.push(l));
    const power = fake.electron.module.powerMonitor;
    power.emit('resume');
    fail = true;
    expect(() => power.emit('resume')).not.toThrow();
    expect(calls).toEqual(['resume', 'resume']);
    expect(logs).toEqual(['mounts.onResume failed: Error: monitor gone']);
    stop();
    power.emit('resume');
    expect(calls).toHaveLength(2);
  });
});
