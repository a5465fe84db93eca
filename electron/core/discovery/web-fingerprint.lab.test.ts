// Web API fingerprints end to end on the lab: NAS namespaces advertise Synology, TrueNAS and QNAP
// records over mDNS and run the vendor web API stand-in (e2e/lab/probes/vendor-web.ts) on the port
// they advertise; `nasdeck discover` in the client namespace reads it for what mDNS did not say.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec, down, stopDaemon, up, type LabState } from '../../../e2e/lab/lab';

// Derived from the run's lab instance, so two engineers' runs never share one.
const INSTANCE = `${(process.env.NASDECK_LAB_INSTANCE ?? 'ndlab').slice(0, 7)}web`;
const repo = resolve(import.meta.dirname, '..', '..', '..');
const cli = [process.execPath, '--import', 'tsx', join(repo, 'electron', 'cli', 'index.ts')];
let state: LabState;

beforeAll(async () => {
  state = await up({
    instance: INSTANCE,
    nas: 3,
    personas: ['synology', 'truenas', 'qnap'],
    services: ['avahi'],
    vendorWeb: true,
    log: (m) => console.error(`[${INSTANCE}] ${m}`),
  });
}, 120_000);
afterAll(async () => {
  await down(INSTANCE);
});

async function discover(args: string[]): Promise<DiscoveredDevice[]> {
  const r = await clientExec(state, [...cli, 'discover', '--json', ...args], {
    env: { PATH: process.env.PATH!, HOME: tmpdir(), NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-web-')) },
    cwd: repo,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DiscoveredDevice[];
}

describe('web API fingerprints on the lab network', () => {
  it('an mDNS-found TrueNAS (no vendor TXT) gets its release from /api/versions; TXT values stay first', async () => {
    const devices = await discover(['--timeout', '3']);
    const [syno, truenas, qnap] = state.nas;
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
    const qnap = state.nas[2]!;
    await stopDaemon(qnap.index, 'avahi', INSTANCE);
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
