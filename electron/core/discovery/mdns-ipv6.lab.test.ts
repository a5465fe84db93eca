// mDNS over IPv6 from real traffic: the lab (opt-in `ipv6`) gives the bridge and each NAS a ULA and
// lets avahi answer on ff02::fb. avahi publishes AAAA records over IPv6 only (publish-aaaa-on-ipv4=no),
// so an IPv6 address in the device proves the IPv6 socket works. Runs in the lab's client namespace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec, down, stopDaemon, up, type LabState } from '../../../e2e/lab/lab';

// Derived from the run's lab instance, so two engineers' runs never share one.
const INSTANCE = `${(process.env.NASDECK_LAB_INSTANCE ?? 'ndlab').slice(0, 7)}v6`;
const repo = resolve(import.meta.dirname, '..', '..', '..');
const cli = [process.execPath, '--import', 'tsx', join(repo, 'electron', 'cli', 'index.ts')];
let state: LabState;

beforeAll(async () => {
  state = await up({
    instance: INSTANCE,
    nas: 2,
    personas: ['synology', 'linux'],
    services: ['avahi'],
    ipv6: true,
    log: (m) => console.error(`[${INSTANCE}] ${m}`),
  });
}, 120_000);
afterAll(async () => {
  await down(INSTANCE);
});

async function discover(seconds: number, interfaces?: string): Promise<DiscoveredDevice[]> {
  const r = await clientExec(state, [...cli, 'discover', '--json', '--timeout', String(seconds)], {
    env: {
      PATH: process.env.PATH!,
      HOME: tmpdir(),
      NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-disc6-')),
      ...(interfaces ? { NASDECK_DISCOVERY_INTERFACES: interfaces } : {}),
    },
    cwd: repo,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DiscoveredDevice[];
}

describe('mDNS over IPv6 on the lab network', () => {
  it('finds each NAS with its IPv4 and IPv6 addresses in one entry', async () => {
    const devices = await discover(2.5);
    const [syno, linux] = state.nas;
    expect(syno!.address6).toBeDefined();
    expect(devices).toHaveLength(2);
    const byHost = new Map(devices.map((d) => [d.hostname, d]));
    const s = byHost.get(`${syno!.hostname}.local`)!;
    expect(s).toMatchObject({ vendor: 'synology', model: 'DS920+' });
    // avahi publishes a link-local address only when the interface has no wider one, so: IPv4 and the ULA
    // (scoping of link-local answers is covered in mdns.test.ts)
    expect(s.addresses).toEqual([syno!.address, syno!.address6]);
    const l = byHost.get(`${linux!.hostname}.local`)!;
    expect(l.addresses).toEqual([linux!.address, linux!.address6]);
  });

  it('limited to the interface of an IPv6 address, still finds them; a stopped responder is gone', async () => {
    const devices = await discover(2.5, state.client.address6);
    expect(devices.map((d) => d.hostname).sort()).toEqual(state.nas.map((n) => `${n.hostname}.local`).sort());
    await stopDaemon(state.nas[1]!.index, 'avahi', INSTANCE);
    const after = await discover(2.5, state.client.address6);
    expect(after.map((d) => d.hostname)).toEqual([`${state.nas[0]!.hostname}.local`]);
  });
});
