// The browser-mode wire protocol: the same commands and events as Electron IPC, as JSON
// messages over one WebSocket at ws://127.0.0.1:PORT/api?token=TOKEN.
import type { Envelope, EventName } from './api';

export const WS_PATH = '/api';
export const TOKEN_PARAM = 'token';

export type ClientMessage = { type: 'call'; id: number; method: string; params: unknown };

export type ServerMessage =
  { type: 'result'; id: number; envelope: Envelope<unknown> } | { type: 'event'; event: EventName; payload: unknown };

/** Electron IPC channel names: one per command, one for all events. */
export const ipcChannel = (method: string) => `nasdeck:${method}`;
export const IPC_EVENT_CHANNEL = 'nasdeck:event';
