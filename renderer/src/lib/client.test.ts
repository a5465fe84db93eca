import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { Envelope } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { ClientMessage, ServerMessage } from '../../../shared/transport';
import { installFakeBridge } from '../test/fake-bridge';
import {
  CallError,
  LINK_LOST,
  call,
  connection,
  createWebSocketBridge,
  on,
  retryBackoff,
  takeToken,
  webSocketUrl,
  type ConnectionState,
  type WebSocketLike,
} from './client';

/** A WebSocket the test drives: accept(), reply(), push(), drop(). */
class FakeSocket implements WebSocketLike {
  static opened: FakeSocket[] = [];
  readyState = 0;
  sent: ClientMessage[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close() {
    this.drop();
  }

  accept() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(message: ServerMessage | string) {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  reply(id: number, envelope: Envelope<unknown>) {
    this.receive({ type: 'result', id, envelope });
  }

  drop() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

const latestSocket = () => FakeSocket.opened.at(-1)!;

function openBridge() {
  const states: ConnectionState[] = [];
  const bridge = createWebSocketBridge({
    url: 'ws://127.0.0.1:4000/api?token=t',
    open: (url) => new FakeSocket(url),
    onStateChange: (state) => states.push(state),
    retryDelay: () => 1_000,
  });
  return { bridge, states };
}

beforeEach(() => {
  FakeSocket.opened = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('WebSocket bridge', () => {
  test('sends calls made before the socket opens, then resolves each result by its id', async () => {
    const { bridge, states } = openBridge();
    const socket = latestSocket();
    expect(socket.url).toBe('ws://127.0.0.1:4000/api?token=t');

    const list = bridge.call('devices.list', {});
    const get = bridge.call('devices.get', { device: 'attic' });
    expect(socket.sent).toEqual([]);

    socket.accept();
    expect(states).toEqual(['connected']);
    expect(socket.sent).toEqual([
      { type: 'call', id: expect.any(Number), method: 'devices.list', params: {} },
      { type: 'call', id: expect.any(Number), method: 'devices.get', params: { device: 'attic' } },
    ]);
    const [listId, getId] = socket.sent.map((m) => m.id);
    expect(listId).not.toBe(getId);

    // Answers arrive in any order; each goes to its own call.
    socket.reply(getId!, { ok: false, error: { code: 'NOT_FOUND', message: 'No device "attic".' } });
    socket.reply(listId!, { ok: true, value: [] });
    await expect(list).resolves.toEqual({ ok: true, value: [] });
    await expect(get).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No device "attic".' } });

    // Once open, calls go out at once.
    void bridge.call('app.info', {});
    expect(socket.sent.at(-1)).toMatchObject({ method: 'app.info' });
    bridge.close();
  });

  test('delivers events to the listeners of that event until they unsubscribe', () => {
    const { bridge } = openBridge();
    const socket = latestSocket();
    socket.accept();
    const devicesChanged = vi.fn();
    const settingsChanged = vi.fn();
    const stop = bridge.on('devices.changed', devicesChanged);
    bridge.on('settings.changed', settingsChanged);

    socket.receive({ type: 'event', event: 'devices.changed', payload: { devices: [] } });
    expect(devicesChanged).toHaveBeenCalledWith({ devices: [] });
    expect(settingsChanged).not.toHaveBeenCalled();

    socket.receive('not json'); // ignored, not thrown
    stop();
    socket.receive({ type: 'event', event: 'devices.changed', payload: { devices: [] } });
    expect(devicesChanged).toHaveBeenCalledTimes(1);
    bridge.close();
  });

  test('a dropped socket fails pending calls with UNREACHABLE, fails new calls fast, and reconnects', async () => {
    vi.useFakeTimers();
    const { bridge, states } = openBridge();
    const first = latestSocket();
    first.accept();

    const pending = bridge.call('devices.list', {});
    first.drop();

    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'UNREACHABLE', details: LINK_LOST } });
    expect(bridge.state).toBe('reconnecting');
    await expect(bridge.call('devices.list', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
    expect(FakeSocket.opened).toHaveLength(1);

    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.opened).toHaveLength(2);
    latestSocket().accept();
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);

    const again = bridge.call('devices.list', {});
    latestSocket().reply(latestSocket().sent[0]!.id, { ok: true, value: [] });
    await expect(again).resolves.toEqual({ ok: true, value: [] });
    bridge.close();
  });

  test('close stops for good: pending calls fail and no reconnect is scheduled', async () => {
    vi.useFakeTimers();
    const { bridge } = openBridge();
    latestSocket().accept();
    const pending = bridge.call('devices.list', {});

    bridge.close();

    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });

  test('backs off from half a second to at most ten seconds', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(retryBackoff)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });
});

describe('token', () => {
  test('is taken from the page URL, kept in sessionStorage, and removed from the visible URL', () => {
    window.history.replaceState(null, '', '/?token=s3cr%2Bt&lang=en#/settings');

    expect(takeToken()).toBe('s3cr+t');
    expect(window.location.search).toBe('?lang=en');
    expect(window.location.hash).toBe('#/settings');
    expect(window.location.href).not.toContain('s3cr');

    // A reload no longer has it in the URL but still works.
    expect(takeToken()).toBe('s3cr+t');
  });

  test('is null when the page was opened without one', () => {
    window.history.replaceState(null, '', '/');
    expect(takeToken()).toBeNull();
  });

  test('goes into the WebSocket URL of the page host, encoded', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4100' }, 'a+b/c')).toBe(
      'ws://127.0.0.1:4100/api?token=a%2Bb%2Fc',
    );
    expect(webSocketUrl({ protocol: 'https:', host: 'localhost' }, null)).toBe('wss://localhost/api');
  });
});

describe('call and on', () => {
  test('call returns the value of an ok envelope', async () => {
    const bridge = installFakeBridge({ 'devices.list': () => [] });
    await expect(call('devices.list', {})).resolves.toEqual([]);
    expect(bridge.callsOf('devices.list')).toEqual([{}]);
  });

  test('call throws a CallError carrying code, message and details of a failed envelope', async () => {
    installFakeBridge({
      'devices.add': () => {
        throw new AppError('INVALID_INPUT', 'Address is empty', { field: 'host' });
      },
    });

    const error = await call('devices.add', { host: ' ' }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: 'Address is empty', details: { field: 'host' } });
  });

  test('call turns a bridge that throws into a CallError too', async () => {
    installFakeBridge({});
    await expect(call('devices.list', {})).rejects.toMatchObject({ name: 'CallError', code: 'INTERNAL' });
  });

  test('on forwards events from the bridge', () => {
    const bridge = installFakeBridge({});
    const listener = vi.fn();
    const stop = on('settings.changed', listener);
    const settings = { theme: 'dark', startAtLogin: false, autoReconnect: true, setupCompleted: false } as const;

    bridge.emit('settings.changed', settings);
    stop();
    bridge.emit('settings.changed', settings);

    expect(listener).toHaveBeenCalledExactlyOnceWith(settings);
  });

  test('without window.nasdeck, the client connects to the page host with the URL token', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.useFakeTimers(); // The reconnect after the drop below must never fire.
    try {
      window.history.replaceState(null, '', '/?token=abc#/devices');

      const states: ConnectionState[] = [];
      const stop = connection.subscribe((state) => states.push(state));
      const socket = latestSocket();
      expect(socket.url).toBe(`ws://${window.location.host}/api?token=abc`);
      expect(window.location.href).not.toContain('token');

      const result = call('devices.list', {});
      socket.accept();
      socket.reply(socket.sent[0]!.id, { ok: true, value: [] });
      await expect(result).resolves.toEqual([]);

      socket.drop();
      expect(get(connection)).toBe('reconnecting');
      expect(states).toEqual(['connecting', 'connected', 'reconnecting']);
      stop();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
