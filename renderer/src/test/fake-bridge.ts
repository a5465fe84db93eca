// A fake `window.nasdeck` for component tests, built from the real command list: it answers the
// commands a test gives handlers for, records every call, and lets the test push events.
import {
  commandNames,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type Envelope,
  type EventName,
  type Events,
  type NasdeckBridge,
} from '../../../shared/api';
import { toWireError } from '../../../shared/errors';

export type FakeHandlers = {
  [N in CommandName]?: (params: CommandParams<N>) => CommandResult<N> | Promise<CommandResult<N>>;
};

export interface FakeBridge extends NasdeckBridge {
  calls: Array<{ method: string; params: unknown }>;
  callsOf<N extends CommandName>(method: N): Array<CommandParams<N>>;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export function createFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const known = new Set<string>(commandNames);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: FakeBridge['calls'] = [];

  return {
    calls,
    callsOf<N extends CommandName>(method: N) {
      return calls.filter((c) => c.method === method).map((c) => c.params as CommandParams<N>);
    },
    async call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<Envelope<CommandResult<N>>> {
      calls.push({ method, params });
      if (!known.has(method)) throw new Error(`Unknown command "${method}"`);
      const handler = handlers[method] as
        ((p: CommandParams<N>) => CommandResult<N> | Promise<CommandResult<N>>) | undefined;
      if (!handler) throw new Error(`The test gave no fake for "${method}"`);
      try {
        return { ok: true, value: await handler(params) };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  };
}

export function installFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const bridge = createFakeBridge(handlers);
  window.nasdeck = bridge;
  return bridge;
}
