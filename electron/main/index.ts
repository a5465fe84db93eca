// The Electron shell: one window, a tray, single instance, hardened; all behaviour lives in core.
// Started by the login item it stays in the tray; a second launch focuses the window; started with
// --nasdeck-cli it is the `nasdeck` CLI.
import { app } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore } from '../core/api';
import { cliArgs, requestedPage } from '../core/desktop/launch';
import { runCliMode } from './cli-mode';
import { registerIpc } from './ipc';
import { applyStartAtLogin, launchedHidden } from './login-item';
import { startNotifications } from './notifications';
import { watchPowerAndNetwork } from './power';
import { hardenSessions, trustedFrame } from './security';
import { createTray, type AppTray } from './tray';
import { appWindow } from './window';

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = process.env.NASDECK_DEV_URL ?? pathToFileURL(rendererIndex).toString();
const isAppUrl = (url: string) => url.split('#')[0] === rendererUrl.split('#')[0];
const log = (line: string) => console.error(line);

function startApp() {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const window = appWindow(rendererUrl);
  let tray: AppTray | null = null;

  // A second launch focuses this one (a login launch while running changes nothing).
  app.on('second-instance', (_event, argv) => {
    // Before ready this instance is about to show its own window anyway.
    if (app.isReady() && !launchedHidden(argv)) window.show(requestedPage(argv));
  });

  void app.whenReady().then(async () => {
    const core = createCore({ log });
    core.watchConfig();
    core.mounts.startMonitor();
    hardenSessions(isAppUrl);
    registerIpc(core, trustedFrame(isAppUrl), () => {
      const win = window.current();
      return win ? [win] : [];
    });

    const notifier = startNotifications(core, (route) => window.show(route));
    try {
      tray = createTray(core, {
        openApp: (route) => window.show(route),
        quit: () => app.quit(),
        report: (title, body) => notifier.report(title, body),
      });
    } catch (err) {
      // No tray on this desktop: the window is the app, and closing it quits.
      log(`tray unavailable: ${String(err)}`);
    }
    const stopWatching = watchPowerAndNetwork(core, log);
    // Decided before anything is awaited, so the window (or its absence) is settled once ready.
    if (!(tray && launchedHidden(process.argv))) window.show(requestedPage(process.argv));

    app.on('will-quit', () => {
      stopWatching();
      notifier.stop();
      tray?.destroy();
      void core.close();
    });
    app.on('activate', () => window.show());

    // Start at login follows the setting, also when it was changed by the CLI or another window.
    const syncLogin = (enabled: boolean) =>
      applyStartAtLogin(enabled).catch((err) => log(`start at login: ${String(err)}`));
    let startAtLogin: boolean | undefined;
    core.events.on('settings.changed', (next) => {
      if (next.startAtLogin === startAtLogin) return;
      startAtLogin = next.startAtLogin;
      void syncLogin(startAtLogin);
    });
    const settings = await core.handlers['settings.get']({}).catch(() => null);
    if (startAtLogin === undefined) {
      startAtLogin = settings?.startAtLogin ?? false;
      void syncLogin(startAtLogin);
    }
  });

  // With a tray the app keeps running when its window closes; "Quit Nasdeck" ends it.
  app.on('window-all-closed', () => {
    if (!tray && process.platform !== 'darwin') app.quit();
  });
}

const cli = cliArgs(process.argv);
if (cli) void runCliMode(cli);
else startApp();
