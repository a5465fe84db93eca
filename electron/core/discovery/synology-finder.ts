// Synology Assistant's finder protocol (findhostd, UDP 9999; vendor-apis.md §A.9, reverse-engineered,
// so best effort). One query broadcast per interface; each DSM box answers twice (broadcast and
// unicast), always to port 9999 of the querier, so we must hold 0.0.0.0:9999 ourselves. Replies are
// the magic and TLVs ([id][len][value], integers little-endian). Only the query is ever sent: the
// other packet types change device state.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { cleanText, normalizeMac, type DiscoverySource, type Sighting } from './sighting';

export const FINDER_PORT = 9999;
export const FINDER_MAGIC = Buffer.from([0x12, 0x34, 0x56, 0x78, 0x53, 0x59, 0x4e, 0x4f]);
/** A finder packet is a few hundred bytes; anything much larger is not one. */
export const MAX_FINDER_PACKET = 4096;
const TTL_SECONDS = 300;
const REQUERY_MS = [0, 1000, 3000];
const PERIODIC_MS = 60_000;
/** findhostd ignores queries whose 0x7c MAC has a Synology OUI. */
const SYNOLOGY_OUIS = ['00:11:32', '90:09:d0'];
/** Sent instead of a missing, invalid or Synology MAC: locally administered, never a real NIC. */
const NEUTRAL_MAC = '02:00:00:00:00:01';

const TAG = {
  packetType: 0x01,
  hostname: 0x11,
  ip: 0x12,
  mac: 0x19,
  build: 0x49,
  serial: 0x73,
  httpPort: 0x75,
  httpsPort: 0x76,
  version: 0x77,
  model: 0x78,
  clientMac: 0x7c,
} as const;

export interface FinderReply {
  packetType: number | null;
  hostname: string | null;
  ip: string | null;
  mac: string | null;
  serial: string | null;
  model: string | null;
  /** The DSM version string ("7.2"). */
  version: string | null;
  build: number | null;
  httpPort: number | null;
  httpsPort: number | null;
}

const tlv = (id: number, value: Buffer) => Buffer.concat([Buffer.from([id, value.length]), value]);
const hex = (s: string) => Buffer.from(s, 'hex');

export function isSynologyMac(mac: string): boolean {
  return SYNOLOGY_OUIS.some((oui) => mac.toLowerCase().startsWith(oui));
}

/** The query the public scripts send (packet type 1); `mac` is the sender's, as 17-char ASCII. */
export function buildFinderQuery(mac: string): Buffer {
  const normalized = normalizeMac(mac);
  const own = normalized && !isSynologyMac(normalized) ? normalized : NEUTRAL_MAC;
  const macTlv = tlv(TAG.clientMac, Buffer.from(own, 'ascii'));
  return Buffer.concat([
    FINDER_MAGIC,
    tlv(0xa4, hex('00000201')),
    tlv(0xa6, hex('78000000')),
    tlv(TAG.packetType, hex('01000000')),
    tlv(0xb0, hex('c001000000000000')),
    tlv(0xb1, hex('0000000000000000')),
    tlv(0xb8, hex('c001000000000000')),
    tlv(0xb9, hex('0000000000000000')),
    macTlv,
    macTlv,
    macTlv,
    macTlv,
  ]);
}

const u32 = (v: Buffer): number | null => (v.length === 4 ? v.readUInt32LE(0) : null);
const port = (v: Buffer): number | null => {
  const n = u32(v);
  return n !== null && n >= 1 && n <= 65535 ? n : null;
};
const text = (v: Buffer): string | null => cleanText(v.toString('utf8').replace(/\0+$/, '')) || null;

/**
 * A findhostd reply, or null for anything else: our own (or another client's) query, a wrong
 * magic, a TLV running past the end, an oversize packet, a malformed IP or MAC. Never throws.
 */
export function parseFinderReply(buf: Buffer): FinderReply | null {
  if (!Buffer.isBuffer(buf) || buf.length < FINDER_MAGIC.length || buf.length > MAX_FINDER_PACKET) return null;
  if (!buf.subarray(0, FINDER_MAGIC.length).equals(FINDER_MAGIC)) return null;
  const reply: FinderReply = {
    packetType: null,
    hostname: null,
    ip: null,
    mac: null,
    serial: null,
    model: null,
    version: null,
    build: null,
    httpPort: null,
    httpsPort: null,
  };
  const seen = new Set<number>();
  let at = FINDER_MAGIC.length;
  while (at < buf.length) {
    if (at + 2 > buf.length) return null;
    const id = buf[at]!;
    const len = buf[at + 1]!;
    if (at + 2 + len > buf.length) return null;
    const value = buf.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    // Several TLVs share an id (the query's 4× 0x7c); the first one counts.
    if (seen.has(id)) continue;
    seen.add(id);
    switch (id) {
      case TAG.packetType:
        reply.packetType = u32(value);
        break;
      case TAG.hostname:
        reply.hostname = text(value);
        break;
      case TAG.ip: {
        if (value.length !== 4) return null;
        const ip = [...value].join('.');
        if (value[0] === 0 || value[0]! >= 224) return null;
        reply.ip = ip;
        break;
      }
      case TAG.mac: {
        const mac = normalizeMac(value.toString('latin1').replace(/\0+$/, ''));
        if (!mac) return null;
        reply.mac = mac;
        break;
      }
      case TAG.build:
        reply.build = u32(value);
        break;
      case TAG.serial:
        reply.serial = text(value);
        break;
      case TAG.version:
        reply.version = text(value);
        break;
      case TAG.model:
        reply.model = text(value);
        break;
      case TAG.httpPort:
        reply.httpPort = port(value); // 0 or garbage: no such service, the rest still counts
        break;
      case TAG.httpsPort:
        reply.httpsPort = port(value);
        break;
    }
  }
  // A query carries none of these; a reply names its box.
  if (!reply.ip && !reply.mac) return null;
  return reply;
}

/** One reply as a sighting; `from` (the sender) stands in when the reply carries no IPv4. */
export function finderSighting(reply: FinderReply, from?: string, via?: string): Sighting | null {
  const address = reply.ip ?? (from && isIPv4(from) ? from : null);
  const key = reply.mac ?? address;
  if (!key) return null;
  const services = [
    ...(reply.httpPort ? [{ type: '_http._tcp', port: reply.httpPort }] : []),
    ...(reply.httpsPort ? [{ type: '_https._tcp', port: reply.httpsPort }] : []),
  ];
  const osVersion = reply.version ? `DSM ${reply.version}${reply.build !== null ? `-${reply.build}` : ''}` : undefined;
  return {
    source: 'synology-finder',
    key,
    ...(reply.hostname ? { hostname: reply.hostname } : {}),
    addresses: address ? [address] : [],
    macs: reply.mac ? [reply.mac] : [],
    ...(reply.serial ? { serial: reply.serial } : {}),
    services,
    facts: {
      vendor: 'synology',
      ...(reply.model ? { model: reply.model } : {}),
      ...(osVersion ? { osVersion } : {}),
    },
    ttl: TTL_SECONDS,
    ...(via ? { via } : {}),
  };
}

const toInt = (ip: string) => ip.split('.').reduce((acc, x) => ((acc << 8) | Number(x)) >>> 0, 0);
const toIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** The directed broadcast of an address/netmask; null for /31 and /32 (no broadcast there). */
export function broadcastOf(address: string, netmask: string): string | null {
  if (!isIPv4(address) || !isIPv4(netmask)) return null;
  const mask = toInt(netmask);
  if (mask >>> 0 >= 0xfffffffe) return null;
  return toIp(((toInt(address) & mask) | ~mask) >>> 0);
}

interface LocalInterface {
  address: string;
  netmask: string;
  mac: string;
  broadcast: string;
}

function localInterfaces(only?: string[]): LocalInterface[] {
  const all = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal);
  const picked = only ? all.filter((i) => only.includes(i.address)) : all;
  return picked.flatMap((i) => {
    const broadcast = broadcastOf(i.address, i.netmask);
    return broadcast ? [{ address: i.address, netmask: i.netmask, mac: i.mac, broadcast }] : [];
  });
}

export interface SynologyFinderOptions {
  /** Local IPv4 addresses to ask on; default every non-internal IPv4 interface. */
  interfaces?: string[];
  /** Local port to bind (tests); findhostd always answers to 9999. */
  port?: number;
  /** Port queries go to (tests). */
  remotePort?: number;
}

export class SynologyFinderSource implements DiscoverySource {
  readonly name = 'synology-finder' as const;
  private socket: Socket | null = null;
  private timers: NodeJS.Timeout[] = [];
  private interfaces: LocalInterface[] = [];
  private onSighting: (s: Sighting) => void = () => undefined;

  constructor(private readonly options: SynologyFinderOptions = {}) {}

  async start(onSighting: (s: Sighting) => void): Promise<void> {
    this.onSighting = onSighting;
    const port = this.options.port ?? FINDER_PORT;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '0.0.0.0', () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `UDP port ${port} is in use (is Synology Assistant running?); the Synology finder is off`
          : `cannot bind UDP port ${port} for the Synology finder: ${String(e)}`,
        { cause: e },
      );
    }
    socket.setBroadcast(true);
    socket.on('error', () => undefined); // an interface that went away; keep listening
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address));
    this.socket = socket;
    this.interfaces = localInterfaces(this.options.interfaces);
    for (const delay of REQUERY_MS) this.timers.push(setTimeout(() => this.refresh(), delay));
    this.timers.push(setInterval(() => this.refresh(), PERIODIC_MS));
  }

  refresh(): void {
    const remotePort = this.options.remotePort ?? FINDER_PORT;
    for (const i of this.interfaces) {
      try {
        this.socket?.send(buildFinderQuery(i.mac), remotePort, i.broadcast, () => undefined);
      } catch {
        /* socket closing */
      }
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const socket = this.socket;
    this.socket = null;
    await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private onMessage(msg: Buffer, from: string) {
    const reply = parseFinderReply(msg);
    if (!reply) return;
    const via = this.interfaces.find((i) => broadcastOf(from, i.netmask) === i.broadcast)?.address;
    const sighting = finderSighting(reply, from, via);
    if (sighting) this.onSighting(sighting);
  }
}
