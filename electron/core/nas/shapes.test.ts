// Every vendor's data in the same shapes (../../../shared/CLI.md "JSON shapes"): one zod schema per
// shape, applied to what each adapter returns. The Linux adapter answers from captured tool output
// (an injected runner); QNAP, Synology and TrueNAS from their emulators over real HTTPS/WSS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QnapEmulator } from '../../../e2e/emulators/qnap/server';
import { startSynologyEmulator, type SynologyEmulator } from '../../../e2e/emulators/synology/server';
import { TrueNasEmulator } from '../../../e2e/emulators/truenas/server';
import { healthStates, type Vendor } from '../../../shared/domain';
import { peekCertificate } from '../remote/tls';
import { MemoryVault, secretAccount } from '../secrets/vault';
import type { NasAdapter } from './adapter';
import { LinuxAdapter } from './linux';
import { fakeHost, fixture } from './linux/fake-host';
import { QnapDriver } from './qnap';
import { createSynologyDriver } from './synology';
import { createTrueNasDriver } from './truenas';
import type { VendorDriver } from './vendors';

const health = z.enum(healthStates);
const bytes = z.number().int().nonnegative();

const poolShape = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(['btrfs', 'zfs', 'md', 'lvm', 'vendor']),
    raidLevel: z.string(),
    state: health,
    rawState: z.string(),
    sizeBytes: bytes,
    usedBytes: bytes,
    devices: z.array(z.object({ name: z.string().min(1), state: health }).strict()),
    scrub: z
      .object({
        state: z.string(),
        progress: z.number(),
        errorsCorrected: z.number().int(),
        errorsUncorrectable: z.number().int(),
      })
      .strict()
      .optional(),
  })
  .strict();

const diskShape = z
  .object({
    name: z.string().min(1),
    model: z.string(),
    serial: z.string(),
    sizeBytes: bytes,
    temperatureC: z.number().nullable(),
    smart: z.enum(['ok', 'warning', 'failing', 'unknown']),
  })
  .strict();

const shareShape = z
  .object({
    name: z.string().min(1),
    protocol: z.enum(['smb', 'nfs']),
    path: z.string().min(1),
    readOnly: z.boolean(),
    users: z.array(z.string()),
    clients: z.array(z.string()),
    managed: z.boolean().optional(),
    // Not in CLI.md or shared/domain.ts: the Linux adapter adds these to Samba shares.
    comment: z.string().optional(),
    guestOk: z.boolean().optional(),
  })
  .strict();

const systemShape = z
  .object({
    hostname: z.string(),
    os: z.string().min(1),
    kernel: z.string().nullable(),
    uptimeSeconds: z.number().int().nonnegative().nullable(),
    model: z.string().nullable(),
  })
  .strict();

const capabilitiesShape = z
  .object({
    pools: z.boolean(),
    scrub: z.boolean(),
    snapshots: z.boolean(),
    smbShares: z.boolean(),
    nfsShares: z.boolean(),
    iscsi: z.boolean(),
    disks: z.boolean(),
    smart: z.boolean(),
    notes: z.array(z.string()),
  })
  .strict();

// ---- Linux: captured tool output through an injected runner -------------------------------------
const linux = () =>
  new LinuxAdapter(
    fakeHost(
      ['lvs', 'lsblk', 'exportfs', 'net', 'testparm'],
      [
        [/^lvm fullreport/, fixture('lvm', 'fullreport-lvmreport-7.json.txt')],
        [/^lsblk -J/, fixture('disks', 'lsblk-lab.json.txt')],
        [/^exportfs -v/, fixture('nfs-kernel', 'exportfs-v-three.txt')],
        [/^net conf list/, fixture('samba', 'net-conf-list.txt')],
        [/^testparm -s/, fixture('samba', 'testparm-registry.txt')],
        [/^sh -c hostname/, 'nas1\n6.1.0-28-amd64\n12345.67\nDebian GNU/Linux 12 (bookworm)\nStandard PC\n'],
      ],
    ).runner,
  );

// ---- Vendor APIs: each vendor's emulator over real HTTPS/WSS, its certificate pinned -------------
let qnapEmu: QnapEmulator;
let synologyEmu: SynologyEmulator;
let truenasEmu: TrueNasEmulator;
const drivers: VendorDriver[] = [];

async function apiAdapter(vendor: Vendor, driver: VendorDriver, port: number, password: string, url?: string) {
  drivers.push(driver);
  const vault = new MemoryVault();
  await vault.set(secretAccount(vendor, 'password'), password);
  return driver.adapter({
    vault,
    device: {
      id: vendor,
      name: vendor,
      host: '127.0.0.1',
      port,
      ...(url ? { url } : {}),
      addresses: [],
      vendor,
      model: null,
      osVersion: null,
      services: [],
      macs: [],
      access: { user: 'admin', secrets: ['password'], certSha256: await peekCertificate('127.0.0.1', port) },
      addedAt: new Date(0).toISOString(),
    },
  });
}

beforeAll(async () => {
  [qnapEmu, synologyEmu, truenasEmu] = await Promise.all([
    QnapEmulator.start(),
    startSynologyEmulator({ dsm: 7 }),
    TrueNasEmulator.start({ release: '25.04' }),
  ]);
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => d.closeAll()));
  await Promise.all([qnapEmu.stop(), synologyEmu.close(), truenasEmu.close()]);
});

const samples: Array<[Vendor, () => Promise<NasAdapter>]> = [
  ['linux', async () => linux()],
  ['qnap', () => apiAdapter('qnap', new QnapDriver(), qnapEmu.port, 'correct horse')],
  ['synology', () => apiAdapter('synology', createSynologyDriver(), synologyEmu.port, 'admin-pass')],
  ['truenas', () => apiAdapter('truenas', createTrueNasDriver(), truenasEmu.port, 'admin-pass', truenasEmu.url)],
];

describe.each(samples)('%s data in the shared shapes', (_vendor, make) => {
  it('pools, disks, shares, system and capabilities match CLI.md, key for key', async () => {
    const a = await make();
    const [pools, disks, shares, system, capabilities] = await Promise.all([
      a.pools(),
      a.disks(),
      a.shares(),
      a.systemInfo(),
      a.capabilities(),
    ]);
    // Something to check in each list, so an empty answer cannot pass.
    expect(pools.length * disks.length * shares.length).toBeGreaterThan(0);
    expect(z.array(poolShape).parse(pools)).toEqual(pools);
    expect(z.array(diskShape).parse(disks)).toEqual(disks);
    expect(z.array(shareShape).parse(shares)).toEqual(shares);
    expect(systemShape.parse(system)).toEqual(system);
    expect(capabilitiesShape.parse(capabilities)).toEqual(capabilities);
    for (const p of pools) expect(p.usedBytes).toBeLessThanOrEqual(p.sizeBytes);
  });
});
