// Web API fingerprints end to end on the lab: NAS namespaces advertise Synology, TrueNAS and QNAP
// records over mDNS and run the vendor web API stand-in (e2e/lab/probes/vendor-web.ts) on the port
// they advertise; `nasdeck discover` in the client namespace reads it for what mDNS did not say.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec, stopDaemon } from '../../../e2e/lab/lab';
import { CLI_FROM_SOURCE, ownLab, REPO } from '../../../e2e/lab/own-lab';

const cli = CLI_FROM_SOURCE;

const lab = ownLab('web', {
  nas: 3,
  personas: ['synology', 'truenas', 'qnap'],
  services: ['avahi'],
  vendorWeb: true,
});

async function discover(args: string[]): Promise<DiscoveredDevice[]> {
  const r = await clientExec(lab.state, [...cli, 'discover', '--json', ...args], {
    env: { PATH: process.env.PATH!, HOME: tmpdir(), NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-web-')) },
    cwd: REPO,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DiscoveredDevice[];
}

describe('web API fingerprints on the lab network', () => {
  it('an mDNS-found TrueNAS (no vendor TXT) gets its release from /api/versions; TXT values stay first', async () => {
    const devices = await discover(['--timeout', '3']);
    const [syno, truenas, qnap] = lab.state.nas;
    const byHost = new Map(devices.map((d) => [d.hostname, d]));
    expect(truenas!.vendorWeb).toEqual({ port: 80, paths: ['/api/versions'] });
    expect(byHost.get(`${truenas!.hostname}.local`)).toMatchObject({
      vendor: 'truenas',
      osVersion: 'TrueNAS 25.10',
      sources: ['mdns', 'probe'],
    });
    // Synology and QNAP already carry model and version in TXT: nothing to ask, the TXT values stand.
    expect(byHost.get(`${syno!.hostname}.local`)).toMatchObject({
      vendor: 'synology',
      model: 'DS920+',
      osVersion: 'DSM 7.2-64570',
      sources: ['mdns'],
    });
    expect(byHost.get(`${qnap!.hostname}.local`)).toMatchObject({
      vendor: 'qnap',
      model: 'TS-464C',
      osVersion: 'QTS 5.2.9 (20260214)',
    });
  });

  it('a QNAP with no mDNS at all is named by --probe through QTS authLogin.cgi', async () => {
    const qnap = lab.state.nas[2]!;
    await stopDaemon(qnap.index, 'avahi', lab.instance);
    const devices = await discover(['--probe', qnap.address, '--timeout', '0.5']);
    expect(devices.find((d) => d.addresses.includes(qnap.address))).toMatchObject({
      vendor: 'qnap',
      model: 'TS-464C',
      osVersion: 'QTS 5.2.9 (20260214)',
      sources: ['probe'],
      services: [{ type: 'http', port: 8080 }],
    });
  });
});
