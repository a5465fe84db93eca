// Renders the tray menu model (core/desktop/tray-menu.ts) with Electron's Tray and Menu, and runs
// its actions: mount commands through core's dispatcher, the rest (open, quit) here. No decisions
// are made in this file; it keeps the model's inputs (mounts, what is busy) up to date.
import { Menu, Tray, nativeImage, shell, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { Mount } from '../../shared/domain';
import type { Core } from '../core/api';
import {
  trayCommand,
  trayMenu,
  type TrayAction,
  type TrayEntry,
  type TrayModel,
  type TrayStatus,
} from '../core/desktop/tray-menu';

export interface TrayHost {
  openApp(route?: string): void;
  quit(): void;
  /** Tells the user an action failed (a notification). */
  report(title: string, body: string): void;
}

export interface AppTray {
  refresh(): Promise<void>;
  destroy(): void;
}

const iconPath = (status: TrayStatus) => join(__dirname, 'tray', `${status}.png`);

function toTemplate(entries: readonly TrayEntry[], run: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return entries.map((entry): MenuItemConstructorOptions => {
    if (entry.kind === 'separator') return { type: 'separator' };
    const action = entry.action;
    return {
      label: entry.label,
      enabled: entry.enabled,
      ...(entry.submenu ? { submenu: toTemplate(entry.submenu, run) } : {}),
      ...(action ? { click: () => run(action) } : {}),
    };
  });
}

export function createTray(core: Core, host: TrayHost): AppTray {
  let mounts: Mount[] = [];
  let listError: string | undefined;
  const busy = new Set<string>();
  let busyAll = false;
  let shownStatus: TrayStatus | undefined;

  const tray = new Tray(nativeImage.createFromPath(iconPath('idle')));
  tray.setToolTip('Nasdeck');
  // Where clicks are delivered (Windows, macOS, some Linux desktops) a click opens the app;
  // everything is also in the context menu for desktops that deliver none.
  tray.on('click', () => host.openApp());

  const render = () => {
    const model: TrayModel = trayMenu({ mounts, busy, busyAll, listError });
    if (model.status !== shownStatus) {
      tray.setImage(nativeImage.createFromPath(iconPath(model.status)));
      shownStatus = model.status;
    }
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toTemplate(model.entries, (a) => void run(a))));
  };

  const run = async (action: TrayAction) => {
    const command = trayCommand(action);
    if (!command) {
      if (action.type === 'openApp') host.openApp(action.route);
      else if (action.type === 'quit') host.quit();
      else if (action.type === 'openFolder') {
        const error = await shell.openPath(action.path);
        if (error) host.report('Could not open the folder', `${action.path}: ${error}`);
      }
      return;
    }
    const key = 'mount' in command.params ? command.params.mount : null;
    if (key) busy.add(key);
    else busyAll = true;
    render();
    try {
      const result = await core.dispatch(command.method, command.params);
      if (!result.ok) {
        const name = key ? (mounts.find((m) => m.id === key)?.name ?? key) : 'all shares';
        const verb = command.method === 'mounts.up' ? 'mount' : 'unmount';
        host.report(`Could not ${verb} ${name}`, result.error.message);
      }
    } finally {
      if (key) busy.delete(key);
      else busyAll = false;
      await refresh();
    }
  };

  const refresh = async () => {
    try {
      mounts = await core.handlers['mounts.list']({});
      listError = undefined;
    } catch (err) {
      listError = err instanceof Error ? err.message : String(err);
    }
    render();
  };

  const stopListening = core.events.on('mounts.changed', ({ mounts: next }) => {
    mounts = next;
    listError = undefined;
    render();
  });

  render();
  void refresh();
  return {
    refresh,
    destroy() {
      stopListening();
      tray.destroy();
    },
  };
}
