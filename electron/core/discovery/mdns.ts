// mDNS / DNS-SD through multicast-dns (no hand-written DNS packet code). Asks the meta-query and
// the NAS service types directly (not every device answers the meta-query), follows up on
// missing SRV/TXT/A records, honours TTLs and goodbye packets.
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
const MAX_TYPES = 64;
const MAX_INSTANCES = 4096;
const REQUERY_MS = [0, 1000, 3000];
const PERIODIC_MS = 60_000;

type Mdns = ReturnType<typeof makeMdns>;

export interface MdnsOptions {
  /** Local IPv4 addresses to listen and ask on; default: every non-internal IPv4 interface. */
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

function sameSubnet(a: string, b: string, mask: string): boolean {
  const n = (ip: string) => ip.split('.').reduce((acc, x) => (acc << 8) + Number(x), 0) >>> 0;
  const m = n(mask);
  return (n(a) & m) >>> 0 === (n(b) & m) >>> 0;
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
  private sockets: Mdns[] = [];
  private timers: NodeJS.Timeout[] = [];
  private onSighting: (s: Sighting) => void = () => undefined;
  private readonly types: Set<string>;
  private readonly ptr = new Map<string, Timed<string>>(); // instance → service type
  private readonly srv = new Map<string, Timed<{ target: string; port: number }>>();
  private readonly txt = new Map<string, Timed<Record<string, string>>>();
  private readonly addr = new Map<string, Map<string, number>>(); // host → ip → expiresAt
  private readonly via = new Map<string, string>();
  private readonly lastAsked = new Map<string, number>();
  private interfaces: Array<{ address: string; netmask: string }> = [];

  constructor(private readonly options: MdnsOptions = {}) {
    this.types = new Set((options.types ?? NAS_SERVICE_TYPES).map((t) => `${t}.local`));
  }

  async start(onSighting: (s: Sighting) => void): Promise<void> {
    this.onSighting = onSighting;
    const all = localIPv4Interfaces();
    this.interfaces = this.options.interfaces
      ? this.options.interfaces.map(
          (address) => all.find((i) => i.address === address) ?? { address, netmask: '255.255.255.0' },
        )
      : all;
    for (const { address } of this.interfaces) {
      // bind 0.0.0.0: bound to the unicast address a socket never sees 224.0.0.251 traffic.
      const socket = makeMdns({ interface: address, bind: '0.0.0.0', reuseAddr: true, loopback: false });
      socket.on('response', (packet, rinfo) =>
        this.ingest([...packet.answers, ...(packet.additionals ?? [])], rinfo.address),
      );
      socket.on('error', () => undefined); // an interface that went away; the others keep working
      socket.on('warning', () => undefined); // malformed packets are dropped by the decoder
      this.sockets.push(socket);
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
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.destroy(() => resolve()))));
    this.sockets = [];
  }

  private ask(questions: Question[]) {
    for (const socket of this.sockets) socket.query({ questions }, () => undefined);
  }

  /** Handles the records of one response (public so tests can replay captured traffic). */
  ingest(records: Answer[], from: string) {
    const now = Date.now();
    const touched = new Set<string>();
    const followUps: Question[] = [];
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
              this.ptr.delete(target);
              this.srv.delete(target);
              this.txt.delete(target);
            } else if (this.ptr.size < MAX_INSTANCES || this.ptr.has(target)) {
              this.ptr.set(target, { value: name, expiresAt });
              if (!this.srv.has(target)) followUps.push({ name: target, type: 'SRV' }, { name: target, type: 'TXT' });
            }
          }
          for (const host of this.hostsOf(target)) touched.add(host);
          break;
        }
        case 'SRV': {
          const data = rr.data as { target: string; port: number };
          const previous = this.srv.get(name)?.value.target;
          if (ttl === 0) this.srv.delete(name);
          else if (this.srv.size < MAX_INSTANCES || this.srv.has(name)) {
            this.srv.set(name, { value: { target: lower(data.target), port: data.port }, expiresAt });
            if (!this.addr.has(lower(data.target))) followUps.push({ name: lower(data.target), type: 'A' });
          }
          if (previous) touched.add(previous);
          if (ttl > 0) touched.add(lower(data.target));
          break;
        }
        case 'TXT':
          if (ttl === 0) this.txt.delete(name);
          else if (this.txt.size < MAX_INSTANCES || this.txt.has(name))
            this.txt.set(name, { value: txtToRecord(rr.data), expiresAt });
          for (const host of this.hostsOf(name)) touched.add(host);
          break;
        case 'A':
        case 'AAAA': {
          let ips = this.addr.get(name);
          if (!ips) {
            if (this.addr.size >= MAX_INSTANCES) break;
            this.addr.set(name, (ips = new Map()));
          }
          if (ttl === 0) ips.delete(String(rr.data));
          else ips.set(String(rr.data), expiresAt);
          const iface = this.interfaces.find((i) => sameSubnet(i.address, from, i.netmask));
          if (iface) this.via.set(name, iface.address);
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
      this.lastAsked.set(key, now);
      return true;
    });
    if (fresh.length) this.ask(fresh);
  }

  private hostsOf(instance: string): string[] {
    const srv = this.srv.get(instance);
    return srv ? [srv.value.target] : [];
  }

  private sweep() {
    const now = Date.now();
    const touched = new Set<string>();
    for (const map of [this.ptr, this.srv, this.txt] as Array<Map<string, Timed<unknown>>>) {
      for (const [name, t] of map) {
        if (t.expiresAt > now) continue;
        for (const host of this.hostsOf(name)) touched.add(host);
        map.delete(name);
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
    for (const host of touched) this.emit(host);
  }

  private emit(host: string) {
    const now = Date.now();
    const services: SightedService[] = [];
    const txt: Record<string, Record<string, string>> = {};
    let expiresAt = 0;
    for (const [instance, srv] of this.srv) {
      if (srv.value.target !== host) continue;
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
