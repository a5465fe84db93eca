// The mDNS source fed with decoded records as multicast-dns hands them over (record shapes as
// avahi sends them: lab.md §7 output, vendor-apis.md §A.9). Sockets are not opened here: real
// multicast runs only in the lab's client namespace (discovery.lab.test.ts, mdns-ipv6.lab.test.ts).
import type { Answer } from 'dns-packet';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_MDNS_RECORDS, MdnsSource, mdnsLinks } from './mdns';
import type { Sighting } from './sighting';

const HOST = 'labnas1.local';
const announce = (ttl = 120, host = HOST, instance = 'labnas1'): Answer[] => [
  { name: '_smb._tcp.local', type: 'PTR', ttl: 4500, data: `${instance}._smb._tcp.local` },
  { name: `${instance}._smb._tcp.local`, type: 'SRV', ttl, data: { target: host, port: 445 } },
  { name: `${instance}._smb._tcp.local`, type: 'TXT', ttl: 4500, data: [] },
  { name: host, type: 'A', ttl, data: '10.99.0.11' },
];

function harness() {
  const sightings: Sighting[] = [];
  const source = new MdnsSource();
  // ingest() without start(): nothing is sent, follow-up questions go to no socket.
  (source as unknown as { onSighting: (s: Sighting) => void }).onSighting = (s) => sightings.push(s);
  const last = (key = HOST) => sightings.filter((s) => s.key === key).at(-1);
  return { source, sightings, last };
}

const iface = (over: Partial<NetworkInterfaceInfo>): NetworkInterfaceInfo =>
  ({
    netmask: '255.255.255.0',
    mac: '02:00:00:00:00:01',
    internal: false,
    cidr: null,
    ...over,
  }) as NetworkInterfaceInfo;
// The shape os.networkInterfaces() returns (link-local IPv6 has a scopeid, no "%eth0").
const NICS = {
  lo: [
    iface({ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0' }),
    iface({
      address: '::1',
      family: 'IPv6',
      internal: true,
      netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      scopeid: 0,
    }),
  ],
  eth0: [
    iface({ address: '192.168.1.9', family: 'IPv4' }),
    iface({ address: 'fe80::1', family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', scopeid: 2 }),
  ],
  wg0: [iface({ address: '10.8.0.2', family: 'IPv4', netmask: '255.255.255.255' })],
  br6: [iface({ address: 'fd00::5', family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', scopeid: 0 })],
};

describe('mdnsLinks', () => {
  it('opens IPv4 on every address and IPv6 on every interface with an IPv6 address, never loopback', () => {
    expect(mdnsLinks(undefined, NICS, () => false)).toEqual([
      { family: 4, address: '192.168.1.9', netmask: '255.255.255.0', ipv4: '192.168.1.9', name: 'eth0' },
      { family: 4, address: '10.8.0.2', netmask: '255.255.255.255', ipv4: '10.8.0.2', name: 'wg0' },
      { family: 6, name: 'eth0', zone: 'eth0', ipv4: '192.168.1.9' },
      { family: 6, name: 'br6', zone: 'br6' },
    ]);
  });

  it('leaves IPv6 out on bridge ports (the bridge itself carries their traffic)', () => {
    expect(mdnsLinks(undefined, NICS, (name) => name === 'eth0').filter((l) => l.family === 6)).toEqual([
      { family: 6, name: 'br6', zone: 'br6' },
    ]);
  });

  it('limits to the interfaces of the listed addresses, both families', () => {
    expect(mdnsLinks(['192.168.1.9'], NICS, () => false)).toEqual([
      { family: 4, address: '192.168.1.9', netmask: '255.255.255.0', ipv4: '192.168.1.9', name: 'eth0' },
      { family: 6, name: 'eth0', zone: 'eth0', ipv4: '192.168.1.9' },
    ]);
    // picked by its IPv6 address (scope written or not): IPv4 of the same interface too
    expect(mdnsLinks(['fe80::1%eth0'], NICS, () => false)).toEqual([
      { family: 4, address: '192.168.1.9', netmask: '255.255.255.0', ipv4: '192.168.1.9', name: 'eth0' },
      { family: 6, name: 'eth0', zone: 'eth0', ipv4: '192.168.1.9' },
    ]);
    expect(mdnsLinks(['fd00::5'], NICS, () => false)).toEqual([{ family: 6, name: 'br6', zone: 'br6' }]);
    // an address not on this machine is still tried as given (IPv4 only), as before
    expect(mdnsLinks(['127.0.0.1'], NICS, () => false)).toEqual([
      { family: 4, address: '127.0.0.1', netmask: '255.255.255.0', ipv4: '127.0.0.1' },
    ]);
  });
});

describe('MdnsSource records', () => {
  it('merges A and AAAA into one host; a link-local AAAA keeps the interface it was seen on', () => {
    const { source, last } = harness();
    source.ingest(announce(), '10.99.0.11', {
      family: 4,
      name: 'br0',
      address: '10.99.0.1',
      netmask: '255.255.255.0',
      ipv4: '10.99.0.1',
    });
    source.ingest(
      [
        { name: HOST, type: 'AAAA', ttl: 120, data: 'fd63:1::b' },
        { name: HOST, type: 'AAAA', ttl: 120, data: 'fe80::ff:fe00:b' },
      ],
      'fe80::ff:fe00:b%br0',
      { family: 6, name: 'br0', ipv4: '10.99.0.1' },
    );
    expect(last()).toMatchObject({
      source: 'mdns',
      hostname: HOST,
      addresses: ['10.99.0.11', 'fd63:1::b', 'fe80::ff:fe00:b%br0'],
      services: [{ type: '_smb._tcp', port: 445, instance: 'labnas1' }],
      via: '10.99.0.1',
    });
  });

  it('a goodbye (TTL 0) on the PTR alone loses the host', () => {
    const { source, last } = harness();
    source.ingest(announce(), '10.99.0.11');
    expect(last()!.ttl).toBeGreaterThan(0);
    source.ingest([{ name: '_smb._tcp.local', type: 'PTR', ttl: 0, data: 'labnas1._smb._tcp.local' }], '10.99.0.11');
    expect(last()).toMatchObject({ ttl: 0, services: [] });
  });

  it('a goodbye on the SRV loses the host; an address goodbye drops only that address', () => {
    const { source, last } = harness();
    source.ingest([...announce(), { name: HOST, type: 'AAAA', ttl: 120, data: 'fd63:1::b' }], '10.99.0.11');
    source.ingest([{ name: HOST, type: 'AAAA', ttl: 0, data: 'fd63:1::b' }], '10.99.0.11');
    expect(last()!.addresses).toEqual(['10.99.0.11']);
    source.ingest(
      [{ name: 'labnas1._smb._tcp.local', type: 'SRV', ttl: 0, data: { target: HOST, port: 445 } }],
      '10.99.0.11',
    );
    expect(last()).toMatchObject({ ttl: 0 });
  });

  it('expires records with their TTL: the host is lost when the SRV and addresses run out', () => {
    const { source, last } = harness();
    const t0 = Date.now();
    source.ingest(announce(10), '10.99.0.11');
    expect(last()!.ttl).toBeGreaterThanOrEqual(9);
    source.sweep(t0 + 5_000);
    expect(last()!.ttl).toBeGreaterThan(0);
    source.sweep(t0 + 11_000);
    expect(last()).toMatchObject({ ttl: 0, addresses: [] });
  });

  it('keeps memory bounded under a flood of 10,000 service instances, and still sees a new host after it', () => {
    const { source, last } = harness();
    for (let i = 0; i < 10_000; i++) source.ingest(announce(120, `fake${i}.local`, `fake${i}`), '10.99.0.66');
    // ptr + srv + txt + addr (+ the follow-up rate limiter), each capped
    expect(source.recordCount).toBeLessThanOrEqual(MAX_MDNS_RECORDS * 5);
    expect(last('fake9999.local')).toMatchObject({ services: [{ type: '_smb._tcp', port: 445 }] });
    source.ingest(announce(), '10.99.0.11');
    expect(last()).toMatchObject({ addresses: ['10.99.0.11'], services: [{ port: 445 }] });
  });

  it('drops hostile names and TXT as data, never crashes on wrong record shapes', () => {
    const { source, last } = harness();
    const evil = 'x<img src=x onerror=alert(1)>\u0007';
    expect(() =>
      source.ingest(
        [
          { name: '_smb._tcp.local', type: 'PTR', ttl: 120, data: `${evil}._smb._tcp.local` },
          { name: `${evil}._smb._tcp.local`, type: 'SRV', ttl: 120, data: { target: HOST, port: 445 } },
          {
            name: `${evil}._smb._tcp.local`,
            type: 'TXT',
            ttl: 120,
            data: [Buffer.from('a'.repeat(70_000)), 'model=<b>x</b>', 42],
          },
          { name: HOST, type: 'A', ttl: 120, data: '10.99.0.11' },
          { name: HOST, type: 'A', ttl: 120, data: undefined },
          { name: '_services._dns-sd._udp.local', type: 'PTR', ttl: 120, data: '<script>.local' },
        ] as unknown as Answer[],
        '10.99.0.11',
      ),
    ).not.toThrow();
    // Text stays text: the table strips control characters and caps lengths, the UI renders it as text.
    expect(last()!.services[0]!.instance).toBe(evil.toLowerCase());
  });
});
