// Builds the service object that implements the contract (shared/api.ts) from the capabilities.
// Every front door (Electron IPC, browser mode, CLI, tests) goes through `dispatch`.
import { mkdir } from 'node:fs/promises';
import type { Handlers } from '../../shared/api';
import type { AppInfo } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { DeviceRegistry } from './devices/devices';
import { sendWake, wakeTargets } from './devices/wake';
import { Discovery, type DiscoveryOptions } from './discovery';
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
}

export interface Core {
  handlers: Handlers;
  dispatch: Dispatch;
  events: EventBus;
  jobs: JobManager;
  store: ConfigStore;
  discovery: Discovery;
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
  const devices = new DeviceRegistry(store, vault, events);
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
    'jobs.list': async () => jobs.list(),
    'jobs.get': async ({ id }) => jobs.get(id),
    'jobs.cancel': async ({ id }) => jobs.cancel(id),
  };

  return {
    handlers,
    dispatch: createDispatch(handlers, options.log),
    events,
    jobs,
    store,
    discovery,
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
      await discovery.stop();
    },
  };
}
