// A recording stand-in for the parts of the 'electron' module the shell uses, for the shell's unit
// tests (vi.mock): the Electron binary cannot be downloaded here, so the real module cannot load.
// It records what the shell registers (handlers, options, menus) so tests can drive it.
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  send(...args: unknown[]) {
    this.sent.push(args);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = 0;
  focused = 0;
  destroyed = false;
  minimized = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show() {
    this.shown++;
  }
  focus() {
    this.focused++;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  images: string[] = [];
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: { path: string }) {
    super();
    this.images.push(image.path);
    FakeTray.instances.push(this);
  }
  setImage(image: { path: string }) {
    this.images.push(image.path);
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
}

export interface FakeMenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: FakeMenuItem[];
}
export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
}

export class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static supported = true;
  closed = false;
  constructor(readonly options: { title: string; body: string; urgency?: string }) {
    super();
  }
  static isSupported() {
    return FakeNotification.supported;
  }
  show() {
    FakeNotification.shown.push(this);
  }
  close() {
    this.closed = true;
    this.emit('close');
  }
}

export function createFakeElectron() {
  const loginItems: unknown[] = [];
  const app = Object.assign(new EventEmitter(), {
    quitCalls: 0,
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    isReady: () => true,
    quit: () => void app.quitCalls++,
    exit: (code: number) => void app.emit('exit-called', code),
    isPackaged: false,
    getAppPath: () => '/src/nasdeck',
    setLoginItemSettings: (settings: unknown) => void loginItems.push(settings),
    getLoginItemSettings: () => ({ wasOpenedAsHidden: false }),
  });
  const ipcHandlers = new Map<string, Handler>();
  const session = {
    permissionRequestHandler: null as Handler | null,
    permissionCheckHandler: null as Handler | null,
    headersHandler: null as Handler | null,
  };
  const opened = { external: [] as string[], paths: [] as string[], openPathResult: '' };
  const renderer = {
    exposed: new Map<string, unknown>(),
    invoked: [] as unknown[][],
    listeners: new EventEmitter(),
  };
  return {
    state: { ipcHandlers, session, opened, renderer, loginItems },
    module: {
      app,
      BrowserWindow: FakeBrowserWindow,
      Tray: FakeTray,
      Menu: { buildFromTemplate: (items: FakeMenuItem[]) => new FakeMenu(items) },
      Notification: FakeNotification,
      nativeImage: { createFromPath: (path: string) => ({ path }) },
      ipcMain: { handle: (channel: string, h: Handler) => ipcHandlers.set(channel, h) },
      shell: {
        openExternal: async (url: string) => void opened.external.push(url),
        openPath: async (path: string) => (opened.paths.push(path), opened.openPathResult),
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (h: Handler) => (session.permissionRequestHandler = h),
          setPermissionCheckHandler: (h: Handler) => (session.permissionCheckHandler = h),
          webRequest: { onHeadersReceived: (h: Handler) => (session.headersHandler = h) },
        },
      },
      powerMonitor: new EventEmitter(),
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => renderer.exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => (renderer.invoked.push(args), { ok: true, value: null }),
        on: (channel: string, h: Handler) => renderer.listeners.on(channel, h),
        off: (channel: string, h: Handler) => renderer.listeners.off(channel, h),
      },
    },
  };
}
