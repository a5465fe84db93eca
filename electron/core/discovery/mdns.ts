// mDNS / DNS-SD through multicast-dns (no hand-written DNS packet code). Asks the meta-query and
// the NAS service types directly (not every device answers the meta-query), follows up on
// missing SRV/TXT/A/AAAA records, honours TTLs and goodbye packets. Runs over IPv4 (224.0.0.251)
// and IPv6 (ff02::fb): one socket per family on every interface used.
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer, Question } from 'dns-packet';
import { LIMITS, type DiscoverySource, type Sighting, type SightedService } from './sighting';

export const NAS_SERVICE_TYPES = [
  '_smb._tcp',
  '_afpovertcp._tcp',
  '_nfs._tcp',
  '_adisk._tcp',
  '_device-info._tcp',
  '_http._tcp',
  '_https._tcp',
  '_ssh._tcp',
  '_sftp-ssh._tcp',
  '_qdiscover._tcp',
  '_workstation._tcp',
  '_webdav._tcp',
] as const;

const META = '_services._dns-sd._udp.local';
const MDNS_GROUP_V6 = 'ff02::fb';
const MAX_TYPES = 64;
/** Per record kind; a flood past it evicts the least recently refreshed records (memory stays bounded). */
export const MAX_MDNS_RECORDS = 4096;
const REQUERY_MS = [0, 1000, 3000];
const PERIODIC_MS = 60_000;

type Mdns = ReturnType<typeof makeMdns>;

export interface MdnsOptions {
  /** Local addresses (IPv4 or IPv6) whose interfaces to listen and ask on, over both families;
   * default: every non-internal interface. */
  interfaces?: string[];
  types?: readonly string[];
}

interface Timed<T> {
  value: T;
  expiresAt: number;
}

const lower = (name: string) => name.replace(/\.$/, '').toLowerCase();
const INSTANCE = /^(.+)\.(_[a-z0-9-]+\._(?:tcp|udp))\.local$/i;

export function localIPv4Interfaces(): Array<{ address: string; netmask: string }> {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => ({ address: i.address, netmask: i.netmask }));
}

/** One mDNS socket: an IPv4 address (224.0.0.251 via that address) or an IPv6 interface (ff02::fb, scoped). */
export interface MdnsLink {
  family: 4 | 6;
  /** Interface name (eth0), when known. */
  name?: string;
  /** IPv4: the local address; IPv6: unused. */
  address?: string;
  netmask?: string;
  /** The interface's IPv4 address, told as `via` (Wake-on-LAN sends from there). */
  ipv4?: string;
  /** IPv6 zone of the interface: its name, or its index on Windows ("::%12"). */
  zone?: string;
}

/**
 * The sockets to open: every non-internal IPv4 address, and every non-internal interface with an
 * IPv6 address. `only` (local addresses of either family) picks interfaces: the listed IPv4
 * addresses, IPv6 on the interfaces owning a listed address, and the IPv4 of interfaces picked by
 * an IPv6 address only. An unknown IPv4 address is still tried as given (/24 assumed).
 */
export function mdnsLinks(
  only?: string[],
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
  isBridgePort: (name: string) => boolean = linuxBridgePort,
): MdnsLink[] {
  const all = Object.entries(interfaces).flatMap(([name, list]) =>
    (list ?? [])
      .filter((i) => !i.internal && !(i.family === 'IPv6' && isBridgePort(name)))
      .map((i) => ({ ...i, name })),
  );
  const firstIPv4 = (name: string) => all.find((i) => i.name === name && i.family === 'IPv4');
  only = only?.map((a) => a.replace(/%.*$/, ''));
  const names = only
    ? [...new Set(all.filter((i) => only!.includes(i.address)).map((i) => i.name))]
    : [...new Set(all.map((i) => i.name))];
  const v4: MdnsLink[] = [];
  const listed4 = only?.filter((a) => isIPv4(a));
  for (const address of listed4 ?? all.filter((i) => i.family === 'IPv4').map((i) => i.address)) {
    const own = all.find((i) => i.address === address);
    v4.push({
      family: 4,
      address,
      netmask: own?.netmask ?? '255.255.255.0',
      ipv4: address,
      ...(own ? { name: own.name } : {}),
    });
  }
  if (only) {
    for (const name of names) {
      const ipv4 = firstIPv4(name);
      if (ipv4 && !v4.some((l) => l.name === name))
        v4.push({ family: 4, address: ipv4.address, netmask: ipv4.netmask, ipv4: ipv4.address, name });
    }
  }
  const v6: MdnsLink[] = names
    .filter((name) => all.some((i) => i.name === name && i.family === 'IPv6'))
    .map((name) => {
      const index = all.find((i) => i.name === name && i.family === 'IPv6')!.scopeid;
      const zone = process.platform === 'win32' && index ? String(index) : name;
      return { family: 6, name, zone, ...(firstIPv4(name) ? { ipv4: firstIPv4(name)!.address } : {}) };
    });
  return [...v4, ...v6];
}

/** A port of a Linux bridge (docker/libvirt veths, a lab bridge) has its own IPv6 link-local, but its
 * traffic is the bridge's: asking there too would only send every query twice. */
function linuxBridgePort(name: string): boolean {
  return process.platform === 'linux' && /^[\w.@-]+$/.test(name) && existsSync(`/sys/class/net/${name}/brport`);
}

function sameSubnet(a: string, b: string, mask: string): boolean {
  if (!isIPv4(a) || !isIPv4(b) || !isIPv4(mask)) return false;
  const n = (ip: string) => ip.split('.').reduce((acc, x) => (acc << 8) + Number(x), 0) >>> 0;
  const m = n(mask);
  return (n(a) & m) >>> 0 === (n(b) & m) >>> 0;
}

/** fe80::/10 is only usable with the interface it was seen on: `fe80::1%eth0`. */
function scoped(ip: string, link: MdnsLink | undefined): string {
  const zone = link?.zone ?? link?.name;
  return zone && isIPv6(ip) && /^fe[89ab]/i.test(ip) && !ip.includes('%') ? `${ip}%${zone}` : ip;
}

/** Map.set that also moves the key to the end, so the first key is the least recently refreshed. */
function touch<K, V>(map: Map<K, V>, key: K, value: V): K | undefined {
  map.delete(key);
  map.set(key, value);
  if (map.size <= MAX_MDNS_RECORDS) return undefined;
  const oldest = map.keys().next().value as K;
  map.delete(oldest);
  return oldest;
}

function txtToRecord(data: unknown): Record<string, string> {
  const items = Array.isArray(data) ? data : [data];
  const out: Record<string, string> = {};
  for (const item of items.slice(0, LIMITS.txtKeysPerService)) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : '';
    if (!text) continue;
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key && !(key in out)) out[key] = eq < 0 ? '' : text.slice(eq + 1);
  }
  return out;
}

export class MdnsSource implements DiscoverySource {
  readonly name = 'mdns' as const;
  private sockets: Array<{ socket: Mdns; link: MdnsLink }> = [];
  private timers: NodeJS.Timeout[] = [];
  private onSighting: (s: Sighting) => void = () => undefined;
  private readonly types: Set<string>;
  private readonly ptr = new Map<string, Timed<string>>(); // instance → service type
  private readonly srv = new Map<string, Timed<{ target: string; port: number }>>();
  private readonly instancesOf = new Map<string, Set<string>>(); // host → its SRV instances
  private readonly txt = new Map<string, Timed<Record<string, string>>>();
  private readonly addr = new Map<string, Map<string, number>>(); // host → ip → expiresAt
  private readonly via = new Map<string, string>();
  private readonly lastAsked = new Map<string, number>();
  private links: MdnsLink[] = [];

  constructor(private readonly options: MdnsOptions = {}) {
    this.types = new Set((options.types ?? NAS_SERVICE_TYPES).map((t) => `${t}.local`));
  }

  async start(onSighting: (s: Sighting) => void): Promise<void> {
    this.onSighting = onSighting;
    this.links = mdnsLinks(this.options.interfaces);
    for (const link of this.links) {
      let socket: Mdns;
      try {
        socket =
          link.family === 4
            ? // bind 0.0.0.0: bound to the unicast address a socket never sees 224.0.0.251 traffic.
              makeMdns({ interface: link.address!, bind: '0.0.0.0', reuseAddr: true, loopback: false })
            : makeMdns({
                type: 'udp6',
                ip: MDNS_GROUP_V6,
                // "::%eth0" scopes the group membership and IPV6_MULTICAST_IF to that interface.
                interface: `::%${link.zone ?? link.name}`,
                bind: '::',
                // v6-only, or the IPv4 packets of the other socket would arrive here a second time, mapped.
                socket: createSocket({ type: 'udp6', reuseAddr: true, ipv6Only: true }),
                reuseAddr: true,
                loopback: false,
              });
      } catch {
        continue; // an interface that cannot do multicast; the others keep working
      }
      socket.on('response', (packet, rinfo) =>
        this.ingest([...packet.answers, ...(packet.additionals ?? [])], rinfo.address, link),
      );
      socket.on('error', () => undefined); // an interface that went away; the others keep working
      socket.on('warning', () => undefined); // malformed packets are dropped by the decoder
      this.sockets.push({ socket, link });
    }
    for (const delay of REQUERY_MS) this.timers.push(setTimeout(() => this.refresh(), delay));
    this.timers.push(setInterval(() => this.refresh(), PERIODIC_MS));
    this.timers.push(setInterval(() => this.sweep(), 1000));
  }

  refresh(): void {
    const questions: Question[] = [
      { name: META, type: 'PTR' },
      ...[...this.types].map((name) => ({ name, type: 'PTR' as const })),
    ];
    this.ask(questions);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await Promise.all(
      this.sockets.map(({ socket }) => new Promise<void>((resolve) => socket.destroy(() => resolve()))),
    );
    this.sockets = [];
  }

  private ask(questions: Question[]) {
    for (const { socket } of this.sockets) socket.query({ questions }, () => undefined);
  }

  /** Handles the records of one response (public so tests can replay captured traffic). */
  ingest(records: Answer[], from: string, link?: MdnsLink) {
    const now = Date.now();
    const touched = new Set<string>();
    const followUps: Question[] = [];
    const hostOfEvicted = (instance: string | undefined) => {
      if (instance) for (const host of this.hostsOf(instance)) touched.add(host);
    };
    for (const rr of records) {
      const name = lower(rr.name);
      const ttl = 'ttl' in rr && typeof rr.ttl === 'number' ? rr.ttl : 120;
      const expiresAt = now + ttl * 1000;
      switch (rr.type) {
        case 'PTR': {
          const target = lower(String(rr.data));
          if (name === META) {
            if (
              ttl > 0 &&
              !this.types.has(target) &&
              this.types.size < MAX_TYPES &&
              /^_[a-z0-9-]+\._(tcp|udp)\.local$/.test(target)
            ) {
              this.types.add(target);
              followUps.push({ name: target, type: 'PTR' });
            }
          } else if (INSTANCE.test(target)) {
            if (ttl === 0) {
              for (const host of this.hostsOf(target)) touched.add(host);
              this.ptr.delete(target);
              this.dropSrv(target);
              this.txt.delete(target);
            } else {
              touch(this.ptr, target, { value: name, expiresAt });
              if (!this.srv.has(target)) followUps.push({ name: target, type: 'SRV' }, { name: target, type: 'TXT' });
            }
          }
          for (const host of this.hostsOf(target)) touched.add(host);
          break;
        }
        case 'SRV': {
          const data = rr.data as { target: string; port: number };
          const previous = this.srv.get(name)?.value.target;
          if (ttl === 0) this.dropSrv(name);
          else {
            if (this.srv.size >= MAX_MDNS_RECORDS && !this.srv.has(name)) {
              const evicted = this.srv.keys().next().value!;
              hostOfEvicted(evicted);
              this.dropSrv(evicted);
            }
            this.dropSrv(name);
            touch(this.srv, name, { value: { target: lower(data.target), port: data.port }, expiresAt });
            const instances = this.instancesOf.get(lower(data.target)) ?? new Set<string>();
            this.instancesOf.set(lower(data.target), instances.add(name));
            const host = lower(data.target);
            if (!this.addr.has(host)) followUps.push({ name: host, type: 'A' }, { name: host, type: 'AAAA' });
          }
          if (previous) touched.add(previous);
          if (ttl > 0) touched.add(lower(data.target));
          break;
        }
        case 'TXT':
          if (ttl === 0) this.txt.delete(name);
          else touch(this.txt, name, { value: txtToRecord(rr.data), expiresAt });
          for (const host of this.hostsOf(name)) touched.add(host);
          break;
        case 'A':
        case 'AAAA': {
          let ips = this.addr.get(name);
          if (!ips) {
            ips = new Map();
            const evicted = touch(this.addr, name, ips);
            if (evicted) this.via.delete(evicted);
          }
          const ip = scoped(String(rr.data), link);
          if (ttl === 0) ips.delete(ip);
          else if (ips.has(ip) || ips.size < LIMITS.addressesPerDevice) ips.set(ip, expiresAt);
          const via =
            link?.ipv4 ?? this.links.find((l) => l.family === 4 && sameSubnet(l.address!, from, l.netmask!))?.address;
          if (via) this.via.set(name, via);
          touched.add(name);
          break;
        }
      }
    }
    for (const host of touched) this.emit(host);
    this.followUp(followUps);
  }

  /** Asks for what is still missing, at most once a second per name (RFC 6762 §6 rate limits answers). */
  private followUp(questions: Question[]) {
    const now = Date.now();
    const fresh = questions.filter((q) => {
      const key = `${q.name}|${q.type}`;
      if ((this.lastAsked.get(key) ?? 0) > now - 1000) return false;
      touch(this.lastAsked, key, now);
      return true;
    });
    if (fresh.length) this.ask(fresh);
  }

  private dropSrv(instance: string) {
    const host = this.srv.get(instance)?.value.target;
    this.srv.delete(instance);
    const instances = host ? this.instancesOf.get(host) : undefined;
    if (instances?.delete(instance) && instances.size === 0) this.instancesOf.delete(host!);
  }

  private hostsOf(instance: string): string[] {
    const srv = this.srv.get(instance);
    return srv ? [srv.value.target] : [];
  }

  /** Drops records whose TTL ran out (public so tests can drive it); a host with none left is lost. */
  sweep(now = Date.now()) {
    const touched = new Set<string>();
    for (const map of [this.ptr, this.srv, this.txt] as Array<Map<string, Timed<unknown>>>) {
      for (const [name, t] of map) {
        if (t.expiresAt > now) continue;
        for (const host of this.hostsOf(name)) touched.add(host);
        if (map === this.srv) this.dropSrv(name);
        else map.delete(name);
      }
    }
    for (const [host, ips] of this.addr) {
      for (const [ip, exp] of ips) {
        if (exp <= now) {
          ips.delete(ip);
          touched.add(host);
        }
      }
    }
    for (const [key, at] of this.lastAsked) if (at <= now - 1000) this.lastAsked.delete(key);
    for (const host of touched) this.emit(host, now);
  }

  /** How many records are held (tests check a flood stays bounded). */
  get recordCount(): number {
    return this.ptr.size + this.srv.size + this.txt.size + this.addr.size + this.lastAsked.size;
  }

  private emit(host: string, now = Date.now()) {
    const services: SightedService[] = [];
    const txt: Record<string, Record<string, string>> = {};
    let expiresAt = 0;
    for (const instance of this.instancesOf.get(host) ?? []) {
      const srv = this.srv.get(instance);
      if (!srv) continue;
      const m = INSTANCE.exec(instance);
      if (!m) continue;
      const type = m[2]!.toLowerCase();
      services.push({ type, port: srv.value.port, instance: m[1]! });
      const record = this.txt.get(instance)?.value;
      if (record) txt[type] = record;
      expiresAt = Math.max(expiresAt, srv.expiresAt);
    }
    const ips = this.addr.get(host) ?? new Map<string, number>();
    const addresses = [...ips.keys()];
    for (const exp of ips.values()) expiresAt = Math.max(expiresAt, exp);
    const alive = services.length > 0 && expiresAt > now;
    if (!alive) {
      this.onSighting({ source: 'mdns', key: host, addresses: [], services: [], ttl: 0 });
      if (services.length === 0) {
        this.addr.delete(host);
        this.via.delete(host);
      }
      return;
    }
    const via = this.via.get(host);
    this.onSighting({
      source: 'mdns',
      key: host,
      hostname: host,
      addresses,
      services,
      txt,
      ttl: Math.max(1, Math.round((expiresAt - now) / 1000)),
      ...(via ? { via } : {}),
    });
  }
}
