// Test helpers: a device record pointing at an emulator, its secrets in a MemoryVault, and a driver
// with short timeouts so a failing test fails quickly (never a timing assertion).
import { afterAll, beforeAll } from 'vitest';
import type { Device, PlanStep } from '../../../../shared/domain';
import type { JobContext } from '../../jobs/jobs';
import { MemoryVault, secretAccount } from '../../secrets/vault';
import { TrueNasEmulator, type Release } from '../../../../e2e/emulators/truenas/server';
import { createTrueNasDriver, type Tuning } from '.';

export const FAST: Tuning = { jobPollMs: 25, callTimeoutMs: 4000, connectTimeoutMs: 4000 };

let counter = 0;

export async function deviceFor(
  emu: TrueNasEmulator,
  creds: { user?: string | null; password?: string; apiKey?: string; url?: string; pin?: string | null } = {},
): Promise<{ device: Device; vault: MemoryVault }> {
  const vault = new MemoryVault();
  const id = `tn${String(++counter).padStart(6, '0')}`;
  const secrets: Device['access']['secrets'] = [];
  const password = creds.apiKey ? creds.password : (creds.password ?? 'admin-pass');
  if (password !== undefined) {
    await vault.set(secretAccount(id, 'password'), password);
    secrets.push('password');
  }
  if (creds.apiKey) {
    await vault.set(secretAccount(id, 'apiKey'), creds.apiKey);
    secrets.push('apiKey');
  }
  const url = new URL(creds.url ?? emu.url);
  const pin = creds.pin === null ? undefined : (creds.pin ?? emu.certSha256);
  const device: Device = {
    id,
    name: `truenas-${id}`,
    host: '127.0.0.1',
    port: Number(url.port),
    url: url.toString(),
    addresses: [],
    vendor: 'truenas',
    model: null,
    osVersion: null,
    services: [],
    macs: [],
    access: {
      ...(creds.user === null ? {} : { user: creds.user ?? 'admin' }),
      secrets,
      ...(pin ? { certSha256: pin } : {}),
    },
    addedAt: new Date().toISOString(),
  };
  return { device, vault };
}

export function newDriver(tuning: Tuning = {}) {
  return createTrueNasDriver({ ...FAST, ...tuning });
}

export function jobContext(): JobContext & {
  seen: Array<[number | null, string | undefined]>;
  controller: AbortController;
} {
  const controller = new AbortController();
  const seen: Array<[number | null, string | undefined]> = [];
  return { signal: controller.signal, progress: (f, m) => seen.push([f, m]), seen, controller };
}

export const RELEASES: Release[] = ['25.10', '25.04', '24.10', 'core13'];

/**
 * One emulator of `release` for the enclosing describe block (started before its tests, closed after)
 * and adapters on it through one driver; giving a plan makes the adapter a dry run.
 */
export function emulatedTrueNas(release: Release) {
  const t = {
    emu: undefined as unknown as TrueNasEmulator,
    driver: newDriver(),
    adapter: async (plan?: PlanStep[]) => {
      const { device, vault } = await deviceFor(t.emu);
      return t.driver.adapter({ device, vault, ...(plan ? { plan } : {}) });
    },
  };
  beforeAll(async () => {
    t.emu = await TrueNasEmulator.start({ release });
  });
  afterAll(async () => {
    await t.driver.closeAll();
    await t.emu.close();
  });
  return t;
}
