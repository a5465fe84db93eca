import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import type { Sighting } from './sighting';
import { DeviceTable, type TableChange } from './table';

function harness(maxDevices?: number) {
  let now = 1_000_000;
  const changes: Array<[TableChange, DiscoveredDevice]> = [];
  const table = new DeviceTable({
    now: () => now,
    onChange: (c, d) => changes.push([c, d]),
    ...(maxDevices ? { maxDevices } : {}),
  });
  return { table, changes, advance: (s: number) => (now += s * 1000) };
}

const mdns = (over: Partial<Sighting> = {}): Sighting => ({
  source: 'mdns',
  key: 'labnas1.local',
  hostname: 'labnas1.local',
  addresses: ['10.0.0.11'],
  services: [
    { type: '_smb._tcp', port: 445, instance: 'labnas1' },
    { type: '_ssh._tcp', port: 22 },
  ],
  ttl: 120,
  ...over,
});

describe('DeviceTable', () => {
  it('finds, updates without duplicate events, and loses a device on goodbye', () => {
    const { table, changes } = harness();
    table.add(mdns());
    table.add(mdns()); // same again: no event
    table.add(mdns({ services: [...mdns().services, { type: '_nfs._tcp', port: 2049 }] }));
    expect(changes.map((c) => c[0])).toEqual(['found', 'updated']);
    expect(table.list()[0]).toMatchObject({
      name: 'labnas1',
      vendor: 'linux',
      addresses: ['10.0.0.11'],
      sources: ['mdns'],
    });
    table.add(mdns({ ttl: 0 }));
    expect(changes.at(-1)![0]).toBe('lost');
    expect(table.size).toBe(0);
  });

  it('does not keep a device alive on enrichment alone (an SSH banner read after mDNS found it)', () => {
    const { table, changes } = harness();
    const banner: Sighting = {
      source: 'probe',
      key: '10.0.0.11:22',
      addresses: ['10.0.0.11'],
      services: [],
      facts: { sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2' },
      enrichOnly: true,
      ttl: 600,
    };
    table.add(banner);
    expect(table.size).toBe(0); // nothing to enrich yet
    table.add({ ...mdns(), services: [{ type: '_ssh._tcp', port: 22 }] });
    table.add(banner);
    expect(table.list()[0]!.vendor).toBe('linux');
    table.add(mdns({ ttl: 0 }));
    expect(table.size).toBe(0);
    expect(changes.map((c) => c[0])).toEqual(['found', 'updated', 'lost']);
  });

  it('expires sightings with their TTL', () => {
    const { table, changes, advance } = harness();
    table.add(mdns({ ttl: 10 }));
    advance(9);
    table.expire();
    expect(table.size).toBe(1);
    advance(2);
    table.expire();
    expect(table.size).toBe(0);
    expect(changes.map((c) => c[0])).toEqual(['found', 'lost']);
  });

  it('merges sources seen for the same box by address, MAC or serial', () => {
    const { table } = harness();
    table.add(mdns());
    table.add({
      source: 'wsd',
      key: 'urn:uuid:1',
      addresses: ['10.0.0.11'],
      services: [],
      facts: { wsdTypes: 'pub:Computer' },
      ttl: 300,
    });
    table.add({
      source: 'probe',
      key: '10.0.0.11',
      addresses: ['10.0.0.11'],
      services: [{ type: 'ssh', port: 22 }],
      ttl: 300,
    });
    expect(table.size).toBe(1);
    expect(table.list()[0]!.sources).toEqual(['mdns', 'probe', 'wsd']);

    // A Synology finder reply for a box whose mDNS address changed: same MAC → same device.
    table.add(
      mdns({
        key: 'ds.local',
        hostname: 'ds.local',
        addresses: ['10.0.0.20'],
        txt: {
          '_http._tcp': { vendor: 'Synology', model: 'DS920+', mac_address: '00:11:32:AA:BB:CC|00:11:32:aa:bb:cd' },
        },
        services: [{ type: '_http._tcp', port: 5000 }],
      }),
    );
    table.add({
      source: 'synology-finder',
      key: '00:11:32:aa:bb:cc',
      addresses: ['10.0.0.21'],
      macs: ['00-11-32-AA-BB-CC'],
      services: [],
      facts: { vendor: 'synology', model: 'DS920+', osVersion: '7.2.1' },
      ttl: 300,
    });
    const ds = table.list().find((d) => d.vendor === 'synology')!;
    expect(table.size).toBe(2);
    expect(ds.macs).toEqual(['00:11:32:aa:bb:cc', '00:11:32:aa:bb:cd']);
    expect(ds.addresses).toEqual(['10.0.0.20', '10.0.0.21']);
    expect(ds.sources).toEqual(['mdns', 'synology-finder']);
  });

  it('folds two entries that turn out to be one box, saying which it merged into', () => {
    const { table, changes } = harness();
    table.add(mdns({ addresses: ['10.0.0.11'] }));
    table.add({ source: 'wsd', key: 'urn:uuid:2', addresses: ['10.0.0.12'], services: [], ttl: 300 });
    expect(table.size).toBe(2);
    table.add({ source: 'probe', key: 'both', addresses: ['10.0.0.11', '10.0.0.12'], services: [], ttl: 300 });
    expect(table.size).toBe(1);
    const [kind, gone] = changes.find((c) => c[0] === 'lost')!;
    expect(kind).toBe('lost');
    expect(gone.mergedInto).toBe(table.list()[0]!.id);
    expect(table.list()[0]!.addresses).toEqual(['10.0.0.11', '10.0.0.12']);
  });

  it('keeps hostile text inert and bounded', () => {
    const { table } = harness();
    table.add(
      mdns({
        hostname: 'evil\u0007<script>alert(1)</script>\u001b[31m.local',
        addresses: ['10.0.0.5', 'not-an-ip', '999.1.1.1'],
        txt: { '_http._tcp': { model: 'x'.repeat(10_000), ['k\u0000ey']: 'v\u0001' } },
        services: [
          { type: '_http._tcp', port: 70000 },
          { type: '_smb._tcp', port: 445 },
        ],
      }),
    );
    const d = table.list()[0]!;
    expect(d.name).toBe('evil<script>alert(1)</script>[31m'); // text, never markup: the UI renders it as text
    expect(d.name).not.toMatch(/[\u0000-\u001f]/);
    expect(d.addresses).toEqual(['10.0.0.5']);
    expect(d.services).toEqual([{ type: '_smb._tcp', port: 445 }]);
  });

  it('caps the number of devices under a flood, evicting the least recently seen', () => {
    const { table, advance } = harness(100);
    for (let i = 0; i < 10_000; i++) {
      advance(0.001);
      table.add({
        source: 'mdns',
        key: `fake${i}.local`,
        hostname: `fake${i}.local`,
        addresses: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
        services: [],
        ttl: 120,
      });
    }
    expect(table.size).toBe(100);
    expect(table.list().some((d) => d.hostname === 'fake9999.local')).toBe(true);
    expect(table.list().some((d) => d.hostname === 'fake0.local')).toBe(false);
  });
});
