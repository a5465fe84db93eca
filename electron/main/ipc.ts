// IPC: one channel per command of the contract, each a thin call into core's dispatcher
// (which validates params with the shared schema). Calls from frames we did not load are refused.
import { ipcMain, type BrowserWindow, type WebFrameMain } from 'electron';
import { commandNames } from '../../shared/api';
import { IPC_EVENT_CHANNEL, ipcChannel } from '../../shared/transport';
import type { Core } from '../core/api';

export function registerIpc(
  core: Core,
  isTrustedFrame: (frame: WebFrameMain | null) => boolean,
  windows: () => BrowserWindow[],
) {
  for (const method of commandNames) {
    ipcMain.handle(ipcChannel(method), (event, params: unknown) => {
      if (!isTrustedFrame(event.senderFrame)) {
        return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'Call from an untrusted frame refused.' } };
      }
      return core.dispatch(method, params);
    });
  }
  core.events.onAny((event, payload) => {
    for (const win of windows()) {
      if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
    }
  });
}
