// The API contract, written once: every command (name → params schema → result type) and every
// pushed event. The Electron IPC bridge, the WebSocket bridge, the CLI and the tests all use it.
import type { z } from 'zod';
import type { AppInfo, Device, Job, Settings } from './domain';
import type { WireError } from './errors';
import * as s from './schemas';

interface CommandSpec<P extends z.ZodType, R> {
  params: P;
  /** Phantom: carries the result type only. */
  result?: R;
  /** True when the command changes state (the CLI offers --dry-run, the UI confirms). */
  mutates: boolean;
}

const query = <R>() => <P extends z.ZodType>(params: P): CommandSpec<P, R> => ({ params, mutates: false });
const mutation = <R>() => <P extends z.ZodType>(params: P): CommandSpec<P, R> => ({ params, mutates: true });

export const commands = {
  'app.info': query<AppInfo>()(s.empty),
  'settings.get': query<Settings>()(s.empty),
  'settings.set': mutation<Settings>()(s.settingsPatch),
  'devices.list': query<Device[]>()(s.empty),
  'devices.get': query<Device>()(s.deviceRefParams),
  'devices.add': mutation<Device>()(s.devicesAddParams),
  'devices.remove': mutation<{ removed: Device }>()(s.deviceRefParams),
  'jobs.list': query<Job[]>()(s.empty),
  'jobs.get': query<Job>()(s.jobRefParams),
  'jobs.cancel': mutation<Job>()(s.jobRefParams),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandParams<N extends CommandName> = z.input<Commands[N]['params']>;
export type ParsedParams<N extends CommandName> = z.output<Commands[N]['params']>;
export type CommandResult<N extends CommandName> = NonNullable<Commands[N]['result']>;

export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commands, value);
}

/** Pushed events: invalidations and job progress. */
export interface Events {
  'devices.changed': { devices: Device[] };
  'settings.changed': Settings;
  'jobs.progress': Job;
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['devices.changed', 'settings.changed', 'jobs.progress'];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}

/** The result envelope every transport returns. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** What the renderer sees as `window.nasdeck`, whichever transport is behind it. */
export interface NasdeckBridge {
  call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<Envelope<CommandResult<N>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** The service core implements: one handler per command, params already validated. */
export type Handlers = { [N in CommandName]: (params: ParsedParams<N>) => Promise<CommandResult<N>> };
