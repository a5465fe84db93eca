// Builds window.nasdeck from the contract's command and event lists. It never exposes
// ipcRenderer or a way to invoke an arbitrary channel. Runs sandboxed (bundled to CJS).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { NasdeckBridge } from '../../shared/api';
import { isCommandName, isEventName } from '../../shared/names';
import { IPC_EVENT_CHANNEL, ipcChannel } from '../../shared/transport';

const bridge: NasdeckBridge = {
  call(method, params) {
    if (!isCommandName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'INVALID_INPUT', message: `Unknown command "${String(method)}"` },
      });
    }
    return ipcRenderer.invoke(ipcChannel(method), params);
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown event "${String(event)}"`);
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('nasdeck', bridge);
