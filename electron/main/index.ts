// The Electron shell: one window, single instance, hardened; all behaviour lives in core.
import { app, BrowserWindow, type WebFrameMain } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore } from '../core/api';
import { registerIpc } from './ipc';
import { hardenSessions } from './security';

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const rendererUrl = process.env.NASDECK_DEV_URL ?? pathToFileURL(rendererIndex).toString();
const isAppUrl = (url: string) => url.split('#')[0] === rendererUrl.split('#')[0];

let mainWindow: BrowserWindow | null = null;

function createWindow() {
  mainWindow = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 800,
    minHeight: 600,
    title: 'Nasdeck',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  void mainWindow.loadURL(rendererUrl);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  void app.whenReady().then(() => {
    const core = createCore({ log: (line) => console.error(line) });
    core.watchConfig();
    app.on('will-quit', () => void core.close());
    hardenSessions(isAppUrl);
    const isTrustedFrame = (frame: WebFrameMain | null) => !!frame && frame === frame.top && isAppUrl(frame.url);
    registerIpc(core, isTrustedFrame, () => BrowserWindow.getAllWindows());
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
