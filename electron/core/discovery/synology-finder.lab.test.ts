// The Synology finder (UDP 9999) against the lab's findhostd stand-in, run in the lab's client
// namespace so its broadcasts never leave the lab bridge. NAS 1 is a Synology (answers the finder
// and advertises DSM over mDNS), NAS 2 a Linux box (nothing on 9999).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec } from '../../../e2e/lab/lab';
import { ownLab, REPO } from '../../../e2e/lab/own-lab';
import type { Sighting } from './sighting';

const runner = [process.execPath, '--import', 'tsx', join(REPO, 'e2e', 'lab', 'probes', 'synology-finder-run.ts')];

const lab = ownLab('syf', {
  nas: 2,
  personas: ['synology', 'linux'],
  services: ['avahi'],
  synologyFinder: true,
});

async function runFinder<T>(mode: 'finder' | 'discovery', waitMs: number): Promise<T> {
  const r = await clientExec(
    lab.state,
    [...runner, JSON.stringify({ iface: lab.state.client.address, waitMs, mode })],
    {
      cwd: REPO,
      timeoutMs: 60_000,
    },
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('Synology finder on the lab network', () => {
  it('finds the Synology by broadcast and reads model, serial, MAC and DSM version', async () => {
    const { sightings } = await runFinder<{ sightings: Array<Sighting & { ms: number }> }>('finder', 1500);
    const syno = lab.state.nas[0]!;
    const expected = syno.synologyFinder!;
    expect(expected).toBeDefined();
    expect(lab.state.nas[1]!.synologyFinder).toBeUndefined();
    // findhostd answers twice (broadcast + unicast); all of them describe the one Synology.
    expect(sightings.length).toBeGreaterThanOrEqual(1);
    expect(new Set(sightings.map((s) => s.key))).toEqual(new Set([syno.mac]));
    expect(sightings[0]).toMatchObject({
      source: 'synology-finder',
      key: syno.mac,
      hostname: syno.hostname,
      addresses: [syno.address],
      macs: [syno.mac],
      serial: expected.serial,
      services: [
        { type: '_http._tcp', port: 5000 },
        { type: '_https._tcp', port: 5001 },
      ],
      facts: { vendor: 'synology', model: 'DS920+', osVersion: 'DSM 7.2-64570' },
      ttl: 300,
      via: lab.state.client.address,
    });
    expect(sightings[0]!.ms).toBeLessThan(1000);
  });

  it('merges with the mDNS view of the same box into one device', async () => {
    const { devices } = await runFinder<{ devices: DiscoveredDevice[] }>('discovery', 2000);
    const [syno, linux] = lab.state.nas;
    const dev = devices.find((d) => d.addresses.includes(syno!.address));
    expect(dev).toMatchObject({
      hostname: `${syno!.hostname}.local`,
      vendor: 'synology',
      model: 'DS920+',
      osVersion: 'DSM 7.2-64570',
      serial: syno!.synologyFinder!.serial,
      macs: [syno!.mac],
      sources: ['mdns', 'synology-finder'],
    });
    expect(dev!.services).toEqual(expect.arrayContaining([{ type: '_https._tcp', port: 5001 }]));
    // the Linux box is seen by mDNS only; no stray finder devices
    expect(devices.filter((d) => d.sources.includes('synology-finder'))).toHaveLength(1);
    expect(devices.find((d) => d.addresses.includes(linux!.address))?.sources).toEqual(['mdns']);
    expect(devices).toHaveLength(2);
  });
});
