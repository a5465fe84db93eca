import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sighting } from './sighting';
import {
  broadcastOf,
  buildFinderQuery,
  FINDER_MAGIC,
  finderSighting,
  parseFinderReply,
  SynologyFinderSource,
} from './synology-finder';

// A findhostd reply built from named fields, per vendor-apis.md §A.9 (not by the code under test).
const MAGIC = Buffer.from('1234567853594e4f', 'hex'); // "\x12\x34\x56\x78SYNO"
const tlv = (id: number, value: Buffer) => Buffer.concat([Buffer.from([id, value.length]), value]);
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const ascii = (s: string) => Buffer.from(s, 'ascii');
const ipv4 = (s: string) => Buffer.from(s.split('.').map(Number));

interface ReplyFields {
  hostname: string;
  ip: string;
  netmask: string;
  mac: string;
  build: number;
  platform: string;
  serial: string;
  http: number;
  https: number;
  version: string;
  model: string;
}
const fields: ReplyFields = {
  hostname: 'DiskStation',
  ip: '192.168.1.20',
  netmask: '255.255.255.0',
  mac: '00:11:32:AB:CD:EF',
  build: 64570,
  platform: 'geminilake',
  serial: '2040PDN123456',
  http: 5000,
  https: 5001,
  version: '7.2',
  model: 'DS920+',
};
function reply(f: ReplyFields = fields, extra: Buffer[] = []): Buffer {
  return Buffer.concat([
    MAGIC,
    tlv(0x01, le32(1)),
    tlv(0x11, ascii(f.hostname)),
    tlv(0x12, ipv4(f.ip)),
    tlv(0x13, ipv4(f.netmask)),
    tlv(0x19, ascii(f.mac)),
    tlv(0x49, le32(f.build)),
    tlv(0x70, ascii(f.platform)),
    tlv(0x73, ascii(f.serial)),
    tlv(0x75, le32(f.http)),
    tlv(0x76, le32(f.https)),
    tlv(0x77, ascii(f.version)),
    tlv(0x78, ascii(f.model)),
    ...extra,
  ]);
}

describe('buildFinderQuery', () => {
  it('is the magic, the documented TLVs and 4× the client MAC as ASCII', () => {
    const q = buildFinderQuery('52:54:00:12:34:56');
    expect(MAGIC.equals(FINDER_MAGIC)).toBe(true);
    const mac = Buffer.concat([Buffer.from([0x7c, 17]), ascii('52:54:00:12:34:56')]).toString('hex');
    expect(q.toString('hex')).toBe(
      '1234567853594e4f' +
        'a40400000201' +
        'a60478000000' +
        '010401000000' +
        'b008c001000000000000' +
        'b1080000000000000000' +
        'b808c001000000000000' +
        'b9080000000000000000' +
        mac.repeat(4),
    );
  });

  it('never sends a Synology OUI or garbage as the client MAC (findhostd would ignore the query)', () => {
    for (const mac of ['00:11:32:aa:bb:cc', '90-09-D0-01-02-03', 'not a mac', '']) {
      const q = buildFinderQuery(mac).toString('ascii');
      expect(q).toContain('02:00:00:00:00:01');
      expect(q).not.toMatch(/00:11:32|90:09:d0/i);
    }
  });

  it('is not mistaken for a reply when our own broadcast comes back', () => {
    expect(parseFinderReply(buildFinderQuery('52:54:00:12:34:56'))).toBeNull();
  });
});

describe('parseFinderReply', () => {
  it('reads every documented field', () => {
    expect(parseFinderReply(reply())).toEqual({
      packetType: 1,
      hostname: 'DiskStation',
      ip: '192.168.1.20',
      mac: '00:11:32:ab:cd:ef',
      serial: '2040PDN123456',
      model: 'DS920+',
      version: '7.2',
      build: 64570,
      httpPort: 5000,
      httpsPort: 5001,
    });
  });

  it('turns a reply into a synology sighting', () => {
    const s = finderSighting(parseFinderReply(reply())!, '192.168.1.20', '192.168.1.5');
    expect(s).toEqual<Sighting>({
      source: 'synology-finder',
      key: '00:11:32:ab:cd:ef',
      hostname: 'DiskStation',
      addresses: ['192.168.1.20'],
      macs: ['00:11:32:ab:cd:ef'],
      serial: '2040PDN123456',
      services: [
        { type: '_http._tcp', port: 5000 },
        { type: '_https._tcp', port: 5001 },
      ],
      facts: { vendor: 'synology', model: 'DS920+', osVersion: 'DSM 7.2-64570' },
      ttl: 300,
      via: '192.168.1.5',
    });
  });

  it('ignores unknown TLVs and NUL padding, keeps the first of repeated ones', () => {
    const r = parseFinderReply(
      reply({ ...fields, model: 'DS218+\0\0' }, [tlv(0xee, Buffer.alloc(200, 7)), tlv(0x78, ascii('other'))]),
    );
    expect(r?.model).toBe('DS218+');
  });

  it('drops a zero or garbage port but keeps the reply', () => {
    const r = parseFinderReply(reply({ ...fields, https: 0, http: 70000 }));
    expect(r).toMatchObject({ httpPort: null, httpsPort: null, model: 'DS920+' });
    expect(finderSighting(r!)!.services).toEqual([]);
  });

  it('strips control characters from text fields', () => {
    expect(parseFinderReply(reply({ ...fields, hostname: 'evil\u001b[31m\nbox' }))?.hostname).toBe('evil[31mbox');
  });

  it('returns null for malformed input and never throws', () => {
    const good = reply();
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['magic only', MAGIC],
      ['short magic', good.subarray(0, 5)],
      ['wrong magic', Buffer.concat([Buffer.from('1234567853594e50', 'hex'), good.subarray(8)])],
      ['truncated mid-TLV', good.subarray(0, good.length - 3)],
      ['TLV header cut', Buffer.concat([good, Buffer.from([0x78])])],
      ['TLV len past the end', Buffer.concat([good, Buffer.from([0x78, 200]), ascii('abc')])],
      ['64 KB garbage', Buffer.alloc(64 * 1024, 0xa5)],
      ['64 KB after the magic', Buffer.concat([MAGIC, Buffer.alloc(64 * 1024, 0x11)])],
      ['IP of 3 bytes', Buffer.concat([MAGIC, tlv(0x12, Buffer.from([10, 0, 0]))])],
      ['IP 0.0.0.0', reply({ ...fields, ip: '0.0.0.0' })],
      ['multicast IP', reply({ ...fields, ip: '224.0.0.251' })],
      ['bad MAC', reply({ ...fields, mac: 'zz:11:32:ab:cd:ef' })],
      ['broadcast MAC', reply({ ...fields, mac: 'ff:ff:ff:ff:ff:ff' })],
      ['no IP and no MAC', Buffer.concat([MAGIC, tlv(0x11, ascii('x')), tlv(0x78, ascii('DS920+'))])],
    ];
    for (const [name, buf] of cases) expect(parseFinderReply(buf), name).toBeNull();
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      const len = (seed = (seed * 1103515245 + 12345) >>> 0) % 300;
      const junk = Buffer.concat([
        MAGIC,
        Buffer.from(Array.from({ length: len }, () => (seed = (seed * 69069 + 1) >>> 0) >>> 24)),
      ]);
      expect(() => parseFinderReply(junk)).not.toThrow();
    }
    expect(parseFinderReply('nope' as unknown as Buffer)).toBeNull();
  });
});

describe('broadcastOf', () => {
  it('computes the directed broadcast, none for /31 and /32', () => {
    expect(broadcastOf('192.168.1.5', '255.255.255.0')).toBe('192.168.1.255');
    expect(broadcastOf('10.1.2.3', '255.255.240.0')).toBe('10.1.15.255');
    expect(broadcastOf('10.0.0.1', '255.0.0.0')).toBe('10.255.255.255');
    expect(broadcastOf('10.0.0.1', '255.255.255.254')).toBeNull();
    expect(broadcastOf('10.0.0.1', '255.255.255.255')).toBeNull();
    expect(broadcastOf('fe80::1', 'ffff::')).toBeNull();
  });
});

describe('SynologyFinderSource (loopback only: no interfaces, nothing broadcast)', () => {
  const open: Socket[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  const freePort = async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const { port } = s.address();
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  };

  it('turns a reply sent to its port into a sighting', async () => {
    const port = await freePort();
    const finder = new SynologyFinderSource({ interfaces: [], port });
    const seen: Sighting[] = [];
    await finder.start((s) => seen.push(s));
    try {
      const sender = createSocket('udp4');
      open.push(sender);
      sender.send(Buffer.from('not a finder packet'), port, '127.0.0.1');
      sender.send(reply(), port, '127.0.0.1');
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        source: 'synology-finder',
        serial: '2040PDN123456',
        addresses: ['192.168.1.20'],
      });
    } finally {
      await finder.stop();
    }
  });

  it('rejects start() with a clear error when the port is held (Synology Assistant running)', async () => {
    const holder = createSocket({ type: 'udp4', reuseAddr: false });
    open.push(holder);
    await new Promise<void>((r) => holder.bind(0, '0.0.0.0', () => r()));
    const finder = new SynologyFinderSource({ interfaces: [], port: holder.address().port });
    await expect(finder.start(() => undefined)).rejects.toThrow(/in use.*Synology Assistant/);
    await finder.stop();
  });
});
