// The one app window: hardened web preferences, created on demand (the app may start hidden in
// the tray), reused and focused when asked for again, optionally at a page (`#/mounts`).
import { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { isPageHref } from '../core/desktop/routes';

export interface AppWindow {
  show(route?: string): void;
  current(): BrowserWindow | null;
}

export function appWindow(rendererUrl: string): AppWindow {
  const base = rendererUrl.split('#')[0]!;
  let win: BrowserWindow | null = null;

  const create = (route?: string) => {
    win = new BrowserWindow({
      width: 1100,
      height: 720,
      minWidth: 800,
      minHeight: 600,
      title: 'Nasdeck',
      show: false,
      webPreferences: {
        preload: join(__dirname, 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK: sandboxed; exposes only the contract's commands (electron/preload/index.ts)
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        // A middle click on a link would ask for a new window; there are none to open.
        disableBlinkFeatures: 'Auxclick',
        spellcheck: false,
      },
    });
    const created = win;
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (win === created) win = null;
    });
    void created.loadURL(route ? `${base}${route}` : rendererUrl);
  };

  return {
    show(route) {
      const page = route && isPageHref(route) ? route : undefined;
      if (!win) return create(page);
      if (page) void win.loadURL(`${base}${page}`); // same document: only the hash changes
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    current: () => win,
  };
}
