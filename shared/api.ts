// The API contract, written once: every command (name → params schema → result type) and every
// pushed event. The Electron IPC bridge, the WebSocket bridge, the CLI and the tests all use it.
import type { z } from 'zod';
import type {
  AppInfo,
  Device,
  DiscoveredDevice,
  Disk,
  InitiatorSession,
  InitiatorTarget,
  IscsiTarget,
  Job,
  Mount,
  NasStatus,
  Outcome,
  Pool,
  Settings,
  Share,
  Snapshot,
} from './domain';
import type { WireError } from './errors';
import type { CommandName, EventName } from './names';
import * as s from './schemas';

export { commandNames, eventNames, isCommandName, isEventName } from './names';
export type { CommandName, EventName } from './names';

interface CommandSpec<P extends z.ZodType, R> {
  params: P;
  /** Phantom: carries the result type only. */
  result?: R;
  /** True when the command changes state (the CLI offers --dry-run, the UI confirms). */
  mutates: boolean;
}

const query =
  <R>() =>
  <P extends z.ZodType>(params: P): CommandSpec<P, R> => ({ params, mutates: false });
const mutation =
  <R>() =>
  <P extends z.ZodType>(params: P): CommandSpec<P, R> => ({ params, mutates: true });

export const commands = {
  'app.info': query<AppInfo>()(s.empty),
  'settings.get': query<Settings>()(s.empty),
  'settings.set': mutation<Settings>()(s.settingsPatch),
  'devices.list': query<Device[]>()(s.empty),
  'devices.get': query<Device>()(s.deviceRefParams),
  'devices.add': mutation<Device>()(s.devicesAddParams),
  'devices.remove': mutation<{ removed: Device }>()(s.deviceRefParams),
  'devices.wake': mutation<{ macs: string[]; sentTo: string[] }>()(s.deviceRefParams),
  'discovery.start': query<{ running: boolean }>()(s.empty),
  'discovery.stop': query<{ running: boolean }>()(s.empty),
  'discovery.list': query<DiscoveredDevice[]>()(s.empty),
  'discovery.probe': query<DiscoveredDevice[]>()(s.probeParams),
  'nas.status': query<NasStatus>()(s.deviceOnly),
  'pools.list': query<Pool[]>()(s.deviceOnly),
  'pools.scrub': mutation<Job>()(s.poolParams),
  'disks.list': query<Disk[]>()(s.deviceOnly),
  'shares.list': query<Share[]>()(s.deviceOnly),
  'shares.create': mutation<Outcome<Share>>()(s.shareCreateParams),
  'shares.update': mutation<Outcome<Share>>()(s.shareUpdateParams),
  'shares.delete': mutation<Outcome<null>>()(s.shareDeleteParams),
  'shares.setUserPassword': mutation<Outcome<null>>()(s.smbPasswordParams),
  'snapshots.list': query<Snapshot[]>()(s.snapshotListParams),
  'snapshots.create': mutation<Outcome<Snapshot>>()(s.snapshotParams),
  'snapshots.delete': mutation<Outcome<null>>()(s.snapshotParams.required({ name: true })),
  'snapshots.rollback': mutation<Outcome<null>>()(s.snapshotParams.required({ name: true })),
  'iscsi.list': query<IscsiTarget[]>()(s.deviceOnly),
  'iscsi.create': mutation<Outcome<IscsiTarget>>()(s.iscsiCreateParams),
  'iscsi.delete': mutation<Outcome<null>>()(s.iscsiDeleteParams),
  'jobs.list': query<Job[]>()(s.empty),
  'jobs.get': query<Job>()(s.jobRefParams),
  'jobs.cancel': mutation<Job>()(s.jobRefParams),
  'mounts.list': query<Mount[]>()(s.empty),
  'mounts.add': mutation<Outcome<Mount>>()(s.mountsAddParams),
  'mounts.remove': mutation<Outcome<Mount[]>>()(s.mountRefParams),
  'mounts.up': mutation<Outcome<Mount[]>>()(s.mountRefParams),
  'mounts.down': mutation<Outcome<Mount[]>>()(s.mountRefParams),
  'mounts.open': query<{ opened: string }>()(s.mountOpenParams),
  'initiator.discover': query<InitiatorTarget[]>()(s.initiatorDiscoverParams),
  'initiator.connect': mutation<Outcome<InitiatorSession>>()(s.initiatorConnectParams),
  'initiator.disconnect': mutation<Outcome<InitiatorSession[]>>()(s.initiatorDisconnectParams),
  'initiator.list': query<InitiatorSession[]>()(s.initiatorListParams),
} as const satisfies Record<CommandName, CommandSpec<z.ZodType, unknown>>;

export type Commands = typeof commands;
export type CommandParams<N extends CommandName> = z.input<Commands[N]['params']>;
export type ParsedParams<N extends CommandName> = z.output<Commands[N]['params']>;
export type CommandResult<N extends CommandName> = NonNullable<Commands[N]['result']>;

/** Pushed events: invalidations and job progress. */
export interface Events {
  'devices.changed': { devices: Device[] };
  'settings.changed': Settings;
  'jobs.progress': Job;
  'discovery.deviceFound': DiscoveredDevice;
  'discovery.deviceUpdated': DiscoveredDevice;
  'discovery.deviceLost': DiscoveredDevice;
  'mounts.changed': { mounts: Mount[] };
}
// Every event name has a payload type, and every payload an event name.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const eventsMatchNames: Exact<keyof Events, EventName> = true;
void eventsMatchNames;

/** The result envelope every transport returns. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** What the renderer sees as `window.nasdeck`, whichever transport is behind it. */
export interface NasdeckBridge {
  call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<Envelope<CommandResult<N>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** The service core implements: one handler per command, params already validated. */
export type Handlers = { [N in CommandName]: (params: ParsedParams<N>) => Promise<CommandResult<N>> };
