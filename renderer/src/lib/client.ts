// The one way the UI talks to Nasdeck. In Electron the preload script provides `window.nasdeck`;
// in a plain browser (browser mode, e2e) the same NasdeckBridge is built over a WebSocket.
// Only types come from shared/api.ts: importing its values would pull zod into the bundle.
import { writable, type Readable } from 'svelte/store';
import type {
  CommandName,
  CommandParams,
  CommandResult,
  Envelope,
  EventName,
  Events,
  NasdeckBridge,
} from '../../../shared/api';
import type { ErrorCode, WireError } from '../../../shared/errors';
import { TOKEN_PARAM, WS_PATH, type ClientMessage, type ServerMessage } from '../../../shared/transport';

/** `connecting`: never connected yet; `reconnecting`: the connection dropped and is retried. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** What `call` throws when a command fails: the WireError's code, message and details. */
export class CallError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = 'CallError';
    this.code = wire.code;
    this.details = wire.details;
  }
}

// ---------------------------------------------------------------------------------------------
// The WebSocket bridge

/** The part of the browser's WebSocket the bridge uses, so tests can pass a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface WebSocketBridgeOptions {
  url: string;
  /** Opens a socket; defaults to the browser's WebSocket. */
  open?: (url: string) => WebSocketLike;
  onStateChange?: (state: ConnectionState, previous: ConnectionState) => void;
  /** Milliseconds to wait before reconnect attempt `attempt` (0 for the first retry). */
  retryDelay?: (attempt: number) => number;
}

export interface WebSocketBridge extends NasdeckBridge {
  readonly state: ConnectionState;
  /** Stop for good: close the socket, fail pending calls, no more retries. */
  close(): void;
}

const SOCKET_OPEN = 1;

/** 0.5 s, 1 s, 2 s … capped at 10 s: quick after a blip, quiet while the app is down. */
export const retryBackoff = (attempt: number) => Math.min(500 * 2 ** attempt, 10_000);

/** Marks failures of the link to the Nasdeck app itself, as opposed to a NAS being unreachable. */
export const LINK_LOST = { link: 'lost' } as const;

const unreachable = (message: string): Envelope<never> => ({
  ok: false,
  error: { code: 'UNREACHABLE', message, details: { ...LINK_LOST } },
});

export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const open = options.open ?? ((url: string) => new WebSocket(url));
  const retryDelay = options.retryDelay ?? retryBackoff;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  // Calls made before the first connection opens wait here instead of failing.
  let outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const setState = (next: ConnectionState) => {
    const previous = state;
    if (next === previous) return;
    state = next;
    options.onStateChange?.(next, previous);
  };

  const failPending = (message: string) => {
    const settle = [...pending.values()];
    pending.clear();
    outbox = [];
    for (const resolve of settle) resolve(unreachable(message));
  };

  const receive = (data: unknown) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return; // Not ours; the server only sends JSON.
    }
    if (message.type === 'result') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve?.(message.envelope);
    } else if (message.type === 'event') {
      for (const listener of listeners.get(message.event) ?? []) {
        // One failing listener must not keep the event from the others.
        try {
          listener(message.payload);
        } catch (err) {
          console.error(err);
        }
      }
    }
  };

  const connect = () => {
    const ws = open(options.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('connected');
      for (const text of outbox) ws.send(text);
      outbox = [];
    };
    ws.onmessage = (event) => receive(event.data);
    ws.onerror = () => undefined; // A close event always follows; it does the work.
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending('Lost the connection to Nasdeck.');
      if (stopped) return;
      setState('reconnecting');
      retryTimer = setTimeout(connect, retryDelay(attempt++));
    };
  };

  connect();

  return {
    get state() {
      return state;
    },

    call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<Envelope<CommandResult<N>>> {
      return new Promise((resolve) => {
        if (stopped || state === 'reconnecting') {
          resolve(unreachable('Not connected to Nasdeck; retrying.'));
          return;
        }
        const id = nextId++;
        pending.set(id, resolve as (envelope: Envelope<unknown>) => void);
        const message: ClientMessage = { type: 'call', id, method, params };
        const text = JSON.stringify(message);
        if (socket?.readyState === SOCKET_OPEN) socket.send(text);
        else outbox.push(text);
      });
    },

    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const entry = listener as (payload: unknown) => void;
      set.add(entry);
      return () => set.delete(entry);
    },

    close() {
      stopped = true;
      clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      failPending('The connection was closed.');
      ws?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The access token of browser mode

const TOKEN_STORAGE_KEY = 'nasdeck.token';

type TokenWindow = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

/**
 * The token the web host put in the page URL. It is moved to sessionStorage (so a reload keeps
 * working) and removed from the visible URL (so it does not end up in bookmarks or screenshots).
 */
export function takeToken(win: TokenWindow = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    url.searchParams.delete(TOKEN_PARAM);
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}${WS_PATH}${query}`;
}

// ---------------------------------------------------------------------------------------------
// The app-wide client

const connectionState = writable<ConnectionState>('connecting', (set) => {
  // First subscriber: Electron's bridge is always connected; otherwise start the socket now so
  // the UI shows the real state before the first call.
  if (window.nasdeck) set('connected');
  else bridge();
});

/** The connection state, for the UI ("Connecting…", "Disconnected — retrying"). */
export const connection: Readable<ConnectionState> = { subscribe: connectionState.subscribe };

const reconnectListeners = new Set<() => void>();

/** Runs `fn` each time a dropped connection comes back, so views can reload what they missed. */
export function onReconnected(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

let webSocketBridge: WebSocketBridge | undefined;

function bridge(): NasdeckBridge {
  // Looked up each time: the preload bridge is the source of truth whenever it exists.
  if (window.nasdeck) return window.nasdeck;
  webSocketBridge ??= createWebSocketBridge({
    url: webSocketUrl(window.location, takeToken()),
    onStateChange(next, previous) {
      connectionState.set(next);
      if (next === 'connected' && previous === 'reconnecting') for (const fn of reconnectListeners) fn();
    },
  });
  return webSocketBridge;
}

/** Runs a command; returns its value or throws a CallError carrying the WireError. */
export async function call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<CommandResult<N>> {
  let envelope: Envelope<CommandResult<N>>;
  try {
    envelope = await bridge().call(method, params);
  } catch (err) {
    // A bridge should answer with an envelope; if it throws instead, show it the same way.
    throw new CallError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
  }
  if (!envelope.ok) throw new CallError(envelope.error);
  return envelope.value;
}

/** Follows a pushed event; returns the function that stops following. */
export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return bridge().on(event, listener);
}
