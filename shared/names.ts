// The names of every command and event, apart from their schemas, so the sandboxed preload can
// check them without bundling zod. shared/api.ts fails to compile if the two lists drift apart.
export const commandNames = [
  'app.info',
  'settings.get',
  'settings.set',
  'devices.list',
  'devices.get',
  'devices.add',
  'devices.remove',
  'devices.wake',
  'discovery.start',
  'discovery.stop',
  'discovery.list',
  'discovery.probe',
  'nas.status',
  'pools.list',
  'pools.scrub',
  'disks.list',
  'shares.list',
  'shares.create',
  'shares.update',
  'shares.delete',
  'shares.setUserPassword',
  'snapshots.list',
  'snapshots.create',
  'snapshots.delete',
  'snapshots.rollback',
  'iscsi.list',
  'iscsi.create',
  'iscsi.delete',
  'jobs.list',
  'jobs.get',
  'jobs.cancel',
  'mounts.list',
  'mounts.add',
  'mounts.remove',
  'mounts.up',
  'mounts.down',
  'mounts.open',
  'initiator.discover',
  'initiator.connect',
  'initiator.disconnect',
  'initiator.list',
] as const;
export type CommandName = (typeof commandNames)[number];

export const eventNames = [
  'devices.changed',
  'settings.changed',
  'jobs.progress',
  'discovery.deviceFound',
  'discovery.deviceUpdated',
  'discovery.deviceLost',
  'mounts.changed',
] as const;
export type EventName = (typeof eventNames)[number];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (commandNames as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}
