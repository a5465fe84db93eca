// The device list: manual add by address, persisted in the config file; secrets go to the keychain.
import { randomBytes } from 'node:crypto';
import type { ParsedParams } from '../../../shared/api';
import type { Device, DeviceAccess, DiscoveredDevice } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { EventBus } from '../events';
import type { SecretVault } from '../secrets/vault';
import { secretAccount } from '../secrets/vault';
import type { Config, ConfigStore } from '../store/config';
import { parseHost } from './host';

type AddParams = ParsedParams<'devices.add'>;

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** A device by id, or by name as shown in the list (case-insensitive). */
export function findDevice(devices: readonly Device[], ref: string): Device | undefined {
  const key = ref.trim();
  return devices.find((d) => d.id === key) ?? devices.find((d) => sameName(d.name, key));
}

function newId(taken: readonly Device[]): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken.some((d) => d.id === id || d.name === id)) return id;
  }
}

/** Connects to a device being added: pins its host key (or refuses), and may name its vendor. */
export interface VerifyOptions {
  acceptNewHostKey: boolean;
  acceptNewCert: boolean;
  otp?: string;
  rememberDevice?: boolean;
}

export interface Verified {
  hostKeySha256?: string;
  certSha256?: string;
  vendor?: Device['vendor'];
  model?: string | null;
  osVersion?: string | null;
  /** Secrets the first login produced (a DSM device token), kept in the keychain. */
  tokens?: Partial<Record<DeviceAccess['secrets'][number], string>>;
}

export type VerifyDevice = (device: Device, options: VerifyOptions) => Promise<Verified | null>;

export class DeviceRegistry {
  constructor(
    private readonly store: ConfigStore,
    private readonly vault: SecretVault,
    private readonly events: EventBus,
    private readonly verify: VerifyDevice = async () => null,
  ) {}

  async list(): Promise<Device[]> {
    return (await this.store.read()).devices;
  }

  async get(ref: string): Promise<Device> {
    const device = findDevice(await this.list(), ref);
    if (!device)
      throw new AppError('NOT_FOUND', `No device "${ref}". \`nasdeck device list\` shows the known devices.`, {
        device: ref,
      });
    return device;
  }

  async add(params: AddParams): Promise<Device> {
    const target = parseHost(params.host);
    const name = params.name ?? target.host;
    const secrets: Array<[DeviceAccess['secrets'][number], string]> = [];
    if (params.password !== undefined) secrets.push(['password', params.password]);
    if (params.apiKey !== undefined) secrets.push(['apiKey', params.apiKey]);

    // Check conflicts before touching the keychain, then store secrets before the config, so a
    // keychain failure leaves nothing half-added; a failed config write removes the secrets again.
    this.checkConflicts(await this.list(), name, target.host, target.port);
    const id = newId(await this.list());
    const saved: string[] = [];
    try {
      for (const [kind, secret] of secrets) {
        await this.vault.set(secretAccount(id, kind), secret);
        saved.push(secretAccount(id, kind));
      }
      const access: DeviceAccess = { secrets: secrets.map(([kind]) => kind) };
      if (params.user !== undefined) access.user = params.user;
      if (params.sshPort !== undefined) access.sshPort = params.sshPort;
      if (params.identityFile !== undefined) access.identityFile = params.identityFile;
      if (params.hostKeySha256 !== undefined) access.hostKeySha256 = params.hostKeySha256;
      if (params.certSha256 !== undefined) access.certSha256 = params.certSha256;
      const draft: Device = {
        id,
        name,
        host: target.host,
        ...(target.port !== undefined ? { port: target.port } : {}),
        ...(target.url !== undefined ? { url: target.url } : {}),
        addresses: [],
        // Fingerprinting (discovery) names the vendor; until then "auto" means unknown.
        vendor: params.vendor === 'auto' ? 'unknown' : params.vendor,
        model: null,
        osVersion: null,
        services: [],
        macs: [],
        access,
        addedAt: new Date().toISOString(),
      };
      if (!params.offline) {
        const verified = await this.verify(draft, {
          acceptNewHostKey: params.acceptNewHostKey ?? false,
          acceptNewCert: params.acceptNewCert ?? false,
          ...(params.otp !== undefined ? { otp: params.otp } : {}),
          ...(params.rememberDevice !== undefined ? { rememberDevice: params.rememberDevice } : {}),
        });
        if (verified?.hostKeySha256) access.hostKeySha256 = verified.hostKeySha256;
        if (verified?.certSha256) access.certSha256 = verified.certSha256;
        if (verified?.vendor) draft.vendor = verified.vendor;
        if (verified?.model) draft.model = verified.model;
        if (verified?.osVersion) draft.osVersion = verified.osVersion;
        for (const [kind, secret] of Object.entries(verified?.tokens ?? {}) as Array<
          [DeviceAccess['secrets'][number], string]
        >) {
          await this.vault.set(secretAccount(id, kind), secret);
          saved.push(secretAccount(id, kind));
          if (!access.secrets.includes(kind)) access.secrets.push(kind);
        }
      }
      const device = await this.store.mutate((config) => {
        this.checkConflicts(config.devices, name, target.host, target.port);
        const device: Device = draft;
        config.devices.push(device);
        return device;
      });
      await this.changed();
      return device;
    } catch (err) {
      await Promise.all(saved.map((account) => this.vault.delete(account).catch(() => false)));
      throw err;
    }
  }

  async remove(ref: string): Promise<{ removed: Device }> {
    const removed = await this.store.mutate((config: Config) => {
      const device = findDevice(config.devices, ref);
      if (!device) throw new AppError('NOT_FOUND', `No device "${ref}".`, { device: ref });
      config.devices = config.devices.filter((d) => d.id !== device.id);
      return device;
    });
    for (const kind of removed.access.secrets) {
      await this.vault.delete(secretAccount(removed.id, kind)).catch(() => false);
    }
    await this.changed();
    return { removed };
  }

  /** A saved device seen on the network learns its MACs, addresses and, if unknown, vendor and model. */
  async learn(seen: DiscoveredDevice): Promise<void> {
    const matches = (d: Device) =>
      seen.addresses.includes(d.host) || (seen.hostname !== null && sameName(seen.hostname, d.host));
    if (!(await this.list()).some(matches)) return;
    const changed = await this.store.mutate((config) => {
      let any = false;
      for (const d of config.devices.filter(matches)) {
        const before = JSON.stringify(d);
        d.macs = [...new Set([...d.macs, ...seen.macs])].slice(0, 8);
        d.addresses = [...new Set([...seen.addresses, ...d.addresses])].slice(0, 16);
        if (d.vendor === 'unknown') d.vendor = seen.vendor;
        d.model ??= seen.model;
        d.osVersion ??= seen.osVersion;
        if (d.services.length === 0) d.services = seen.services;
        any ||= JSON.stringify(d) !== before;
      }
      return any;
    });
    if (changed) await this.changed();
  }

  private checkConflicts(devices: readonly Device[], name: string, host: string, port: number | undefined) {
    const byHost = devices.find((d) => d.host === host && d.port === port);
    if (byHost) {
      throw new AppError('CONFLICT', `${host}${port ? `:${port}` : ''} is already in the list as "${byHost.name}".`, {
        field: 'host',
        existing: byHost.id,
      });
    }
    const byName = devices.find((d) => sameName(d.name, name) || d.id === name);
    if (byName) {
      throw new AppError('CONFLICT', `A device named "${byName.name}" already exists.`, {
        field: 'name',
        existing: byName.id,
      });
    }
  }

  private async changed() {
    this.events.emit('devices.changed', { devices: await this.list() });
  }
}
