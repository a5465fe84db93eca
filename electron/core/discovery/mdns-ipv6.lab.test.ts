// mDNS over IPv6 from real traffic: the lab (opt-in `ipv6`) gives the bridge and each NAS a ULA and
// lets avahi answer on ff02::fb. avahi publishes AAAA records over IPv6 only (publish-aaaa-on-ipv4=no),
// so an IPv6 address in the device proves the IPv6 socket works. Runs in the lab's client namespace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec, stopDaemon } from '../../../e2e/lab/lab';
import { CLI_FROM_SOURCE, ownLab, REPO } from '../../../e2e/lab/own-lab';

const cli = CLI_FROM_SOURCE;

const lab = ownLab('v6', {
  nas: 2,
  personas: ['synology', 'linux'],
  services: ['avahi'],
  ipv6: true,
});

async function discover(seconds: number, interfaces?: string): Promise<DiscoveredDevice[]> {
  const r = await clientExec(lab.state, [...cli, 'discover', '--json', '--timeout', String(seconds)], {
    env: {
      PATH: process.env.PATH!,
      HOME: tmpdir(),
      NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-disc6-')),
      ...(interfaces ? { NASDECK_DISCOVERY_INTERFACES: interfaces } : {}),
    },
    cwd: REPO,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DiscoveredDevice[];
}

describe('mDNS over IPv6 on the lab network', () => {
  it('finds each NAS with its IPv4 and IPv6 addresses in one entry', async () => {
    const devices = await discover(2.5);
    const [syno, linux] = lab.state.nas;
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
    const devices = await discover(2.5, lab.state.client.address6);
    expect(devices.map((d) => d.hostname).sort()).toEqual(lab.state.nas.map((n) => `${n.hostname}.local`).sort());
    await stopDaemon(lab.state.nas[1]!.index, 'avahi', lab.instance);
    const after = await discover(2.5, lab.state.client.address6);
    expect(after.map((d) => d.hostname)).toEqual([`${lab.state.nas[0]!.hostname}.local`]);
  });
});
