// Test wiring: a DSM emulator on 127.0.0.1, a device pointing at it, its password in a
// MemoryVault, and a driver with short timeouts. Everything goes through the real network stack.
import { startSynologyEmulator, type SynologyEmulator } from '../../../../e2e/emulators/synology/server';
import type { Device, PlanStep } from '../../../../shared/domain';
import { MemoryVault, secretAccount } from '../../secrets/vault';
import type { NasAdapter } from '../adapter';
import type { VendorDriver } from '../vendors';
import { createSynologyDriver } from './index';

export interface Harness {
  emu: SynologyEmulator;
  vault: MemoryVault;
  device: Device;
  driver: VendorDriver;
  adapter(plan?: PlanStep[]): Promise<NasAdapter>;
  close(): Promise<void>;
}

export function deviceFor(emu: SynologyEmulator, user: string, id = 'syno1'): Device {
  return {
    id,
    name: 'syno',
    host: '127.0.0.1',
    port: emu.port,
    url: `${emu.url}/`,
    addresses: [],
    vendor: 'synology',
    model: null,
    osVersion: null,
    services: [],
    macs: [],
    access: { user, secrets: ['password'] },
    addedAt: new Date(0).toISOString(),
  };
}

/** A device added the way `device add` does it: first login, certificate pinned. */
export async function harness(
  options: { dsm?: 6 | 7; user?: string; password?: string; timeoutMs?: number; maxBodyBytes?: number } = {},
): Promise<Harness> {
  const emu = await startSynologyEmulator({ dsm: options.dsm ?? 7 });
  const vault = new MemoryVault();
  const device = deviceFor(emu, options.user ?? 'admin');
  await vault.set(secretAccount(device.id, 'password'), options.password ?? 'admin-pass');
  const driver = createSynologyDriver({
    timeoutMs: options.timeoutMs ?? 4000,
    deviceName: 'nasdeck-test',
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const verified = await driver.verify(device, vault, { acceptNewCert: true });
  device.access.certSha256 = verified.certSha256!;
  return {
    emu,
    vault,
    device,
    driver,
    adapter: (plan) => driver.adapter({ device, vault, ...(plan ? { plan } : {}) }),
    close: async () => {
      await driver.closeAll();
      await emu.close();
    },
  };
}
