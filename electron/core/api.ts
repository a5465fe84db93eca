// Builds the service object that implements the contract (shared/api.ts) from the capabilities.
// Every front door (Electron IPC, browser mode, CLI, tests) goes through `dispatch`.
import { mkdir } from 'node:fs/promises';
import type { Handlers } from '../../shared/api';
import type { AppInfo } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { InitiatorService } from './client/iscsi';
import { MountService } from './client/mounts';
import { DeviceRegistry, type VerifyDevice } from './devices/devices';
import { sendWake, wakeTargets } from './devices/wake';
import { Discovery, type DiscoveryOptions } from './discovery';
import { NasService, sshTarget } from './nas';
import { detectApiVendor, vendorDriver } from './nas/vendors';
import { SshSession } from './remote/ssh';
import { createDispatch, type Dispatch } from './dispatch';
import { EventBus } from './events';
import { JobManager } from './jobs/jobs';
import { KeytarVault, type SecretVault } from './secrets/vault';
import { ConfigStore } from './store/config';
import { defaultConfigDir } from './store/paths';

export const APP_VERSION = '0.1.0';

export interface CoreOptions {
  configDir?: string;
  vault?: SecretVault;
  log?: (line: string) => void;
  discovery?: DiscoveryOptions;
  /** Replaces the SSH check made when a device is added (tests without a NAS). */
  verifyDevice?: VerifyDevice;
}

export interface Core {
  handlers: Handlers;
  dispatch: Dispatch;
  events: EventBus;
  jobs: JobManager;
  store: ConfigStore;
  discovery: Discovery;
  mounts: MountService;
  /** Follows config changes made by other processes (the CLI) and emits them as events. */
  watchConfig(): void;
  /** Stops background work (discovery sockets and timers) so the process can exit. */
  close(): Promise<void>;
}

export function createCore(options: CoreOptions = {}): Core {
  const configDir = options.configDir ?? defaultConfigDir();
  const events = new EventBus();
  const store = new ConfigStore(configDir);
  const vault = options.vault ?? new KeytarVault();
  const jobs = new JobManager(events);
  // Adding a device with SSH credentials connects once: the host key is pinned (or the user is
  // asked to confirm it), and a box that answers SSH is managed as Linux.
  const verifySsh: VerifyDevice = async (device, { acceptNewHostKey, ...options }) => {
    const vendor = device.vendor === 'unknown' ? ((await detectApiVendor(device)) ?? 'unknown') : device.vendor;
    const driver = vendorDriver(vendor);
    if (driver) return { ...(await driver.verify({ ...device, vendor }, vault, options)), vendor };
    if (!['linux', 'unknown'].includes(device.vendor) || !device.access.user) return null;
    if (!device.access.secrets.includes('password') && !device.access.identityFile) return null;
    const session = await SshSession.connect(await sshTarget(device, vault, { acceptNewHostKey }));
    session.close();
    return { hostKeySha256: session.hostKeySha256, vendor: 'linux' };
  };
  const devices = new DeviceRegistry(store, vault, events, options.verifyDevice ?? verifySsh);
  const nas = new NasService(devices, vault, jobs);
  const mounts = new MountService({ store, vault, events, jobs });
  const initiator = new InitiatorService();
  const discovery = new Discovery(events, {
    ...options.discovery,
    onSeen: (seen) => void devices.learn(seen).catch(() => undefined),
  });

  let stopWatching: (() => void) | undefined;

  const handlers: Handlers = {
    'app.info': async (): Promise<AppInfo> => ({
      name: 'Nasdeck',
      version: APP_VERSION,
      platform: process.platform,
      configDir,
      keychain: (await vault.probe()) ? 'available' : 'unavailable',
    }),
    'settings.get': async () => (await store.read()).settings,
    'settings.set': async (patch) => {
      const settings = await store.mutate((c) => Object.assign(c.settings, patch));
      events.emit('settings.changed', settings);
      return settings;
    },
    'devices.list': () => devices.list(),
    'devices.get': ({ device }) => devices.get(device),
    'devices.add': (params) => devices.add(params),
    'devices.remove': ({ device }) => devices.remove(device),
    'devices.wake': async ({ device }) => {
      const saved = await devices.get(device);
      const seen = discovery.list().find((d) => d.addresses.includes(saved.host) || d.hostname === saved.host);
      const macs = [...new Set([...saved.macs, ...(seen?.macs ?? [])])];
      if (macs.length === 0) {
        throw new AppError('NOT_SUPPORTED', `No MAC address is known for "${saved.name}" yet.`, {
          fix: 'Let Nasdeck discover it once while it is awake; it remembers its MAC addresses for Wake-on-LAN.',
        });
      }
      return { macs, sentTo: await sendWake(macs, wakeTargets(seen ? discovery.table.seenVia(seen.id) : undefined)) };
    },
    'discovery.start': async () => {
      await discovery.start();
      return { running: true };
    },
    'discovery.stop': async () => {
      await discovery.stop();
      return { running: false };
    },
    'discovery.list': async () => discovery.list(),
    'discovery.probe': async ({ targets }) => {
      await discovery.probe(targets);
      return discovery.list();
    },
    'nas.status': ({ device }) => nas.status(device),
    'pools.list': async ({ device }) => (await nas.adapter(device)).adapter.pools(),
    'pools.scrub': ({ device, pool }) => nas.scrub(device, pool),
    'disks.list': async ({ device }) => (await nas.adapter(device)).adapter.disks(),
    'shares.list': async ({ device }) => (await nas.adapter(device)).adapter.shares(),
    'shares.create': ({ device, dryRun, ...spec }) =>
      nas.mutate(device, dryRun, `Create ${spec.protocol.toUpperCase()} share ${spec.name}`, (a) =>
        a.createShare(spec),
      ),
    'shares.update': ({ device, share, protocol, dryRun, ...change }) =>
      nas.mutate(device, dryRun, `Change share ${share}`, (a) => a.updateShare(share, protocol, change)),
    'shares.delete': ({ device, share, protocol, dryRun }) =>
      nas.mutate(device, dryRun, `Delete share ${share}`, async (a) => (await a.deleteShare(share, protocol), null)),
    'shares.setUserPassword': ({ device, user, password, dryRun }) =>
      nas.mutate(
        device,
        dryRun,
        `Set the SMB password of ${user}`,
        async (a) => (await a.setSmbPassword(user, password), null),
      ),
    'snapshots.list': async ({ device, of }) => (await nas.adapter(device)).adapter.snapshots(of),
    'snapshots.create': ({ device, of, name, dryRun }) => {
      const snapName = name ?? new Date().toISOString().slice(0, 19).replace(/:/g, '-');
      return nas.mutate(device, dryRun, `Snapshot ${of}`, (a) => a.createSnapshot(of, snapName));
    },
    'snapshots.delete': ({ device, of, name, dryRun }) =>
      nas.mutate(
        device,
        dryRun,
        `Delete snapshot ${of}@${name}`,
        async (a) => (await a.deleteSnapshot(of, name), null),
      ),
    'snapshots.rollback': ({ device, of, name, dryRun }) =>
      nas.mutate(device, dryRun, `Roll ${of} back to ${name}`, async (a) => (await a.rollbackSnapshot(of, name), null)),
    'iscsi.list': async ({ device }) => (await nas.adapter(device)).adapter.iscsiTargets(),
    'iscsi.create': ({ device, dryRun, ...spec }) =>
      nas.mutate(device, dryRun, `Create iSCSI target ${spec.name}`, (a) => a.createIscsiTarget(spec)),
    'iscsi.delete': ({ device, target, dryRun }) =>
      nas.mutate(
        device,
        dryRun,
        `Delete iSCSI target ${target}`,
        async (a) => (await a.deleteIscsiTarget(target), null),
      ),
    'jobs.list': async () => jobs.list(),
    'jobs.get': async ({ id }) => jobs.get(id),
    'jobs.cancel': async ({ id }) => jobs.cancel(id),
    'mounts.list': () => mounts.list(),
    'mounts.add': (params) => mounts.add(params),
    'mounts.remove': (params) => mounts.remove(params),
    'mounts.up': (params) => mounts.up(params),
    'mounts.down': (params) => mounts.down(params),
    'mounts.open': ({ mount }) => mounts.open(mount),
    'initiator.discover': (params) => initiator.discover(params),
    'initiator.connect': (params) => initiator.connect(params),
    'initiator.disconnect': (params) => initiator.disconnect(params),
    'initiator.list': (params) => initiator.list(params),
  };

  return {
    handlers,
    dispatch: createDispatch(handlers, options.log),
    events,
    jobs,
    store,
    discovery,
    mounts,
    watchConfig() {
      if (stopWatching) return;
      void mkdir(configDir, { recursive: true, mode: 0o700 }).then(() => {
        let last = '';
        stopWatching = store.watch(async () => {
          const config = await store.read().catch(() => null);
          if (!config) return;
          const text = JSON.stringify(config);
          if (text === last) return;
          last = text;
          events.emit('devices.changed', { devices: config.devices });
          events.emit('settings.changed', config.settings);
        });
      });
    },
    close: async () => {
      stopWatching?.();
      nas.close();
      await mounts.close();
      await discovery.stop();
    },
  };
}
