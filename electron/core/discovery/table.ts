// The live device table: sightings from every source merge into one device, keyed by the
// strongest identity known (serial, MAC, mDNS host name, else address). Sightings expire with
// their TTL; a device with none left is lost. Bounded, so a flood cannot grow it without end.
import { isIP } from 'node:net';
import type { DiscoveredDevice, ServiceEndpoint } from '../../../shared/domain';
import { fingerprint, type Evidence } from './fingerprint';
import { cleanText, LIMITS, normalizeMac, type Sighting } from './sighting';

export type TableChange = 'found' | 'updated' | 'lost';

interface Entry {
  id: string;
  sightings: Map<string, { sighting: Sighting; expiresAt: number }>;
  firstSeen: number;
  lastSeen: number;
  snapshot: DiscoveredDevice | null;
  signature: string;
}

export interface DeviceTableOptions {
  onChange?: (change: TableChange, device: DiscoveredDevice) => void;
  now?: () => number;
  maxDevices?: number;
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

function identities(s: Sighting): string[] {
  const ids = [`src:${s.source}|${s.key}`];
  if (s.serial) ids.push(`serial:${s.serial.toLowerCase()}`);
  for (const mac of s.macs ?? []) ids.push(`mac:${mac}`);
  if (s.hostname) ids.push(`host:${s.hostname.toLowerCase()}`);
  for (const a of s.addresses) ids.push(`addr:${a}`);
  return ids;
}

function sanitize(s: Sighting): Sighting {
  const txt: Record<string, Record<string, string>> = {};
  for (const [type, record] of Object.entries(s.txt ?? {}).slice(0, LIMITS.servicesPerDevice)) {
    txt[cleanText(type, 64)] = Object.fromEntries(
      Object.entries(record)
        .slice(0, LIMITS.txtKeysPerService)
        .map(([k, v]) => [cleanText(k, 64).toLowerCase(), cleanText(v)]),
    );
  }
  const facts = s.facts
    ? Object.fromEntries(
        Object.entries(s.facts).flatMap(([k, v]) => (typeof v === 'string' ? [[k, cleanText(v)]] : [])),
      )
    : undefined;
  return {
    ...s,
    key: cleanText(s.key),
    hostname: s.hostname ? cleanText(s.hostname, 253) || undefined : undefined,
    addresses: s.addresses.filter((a) => isIP(a)).slice(0, LIMITS.addressesPerDevice),
    // Synology lists its MACs in TXT mac_address, several separated by "|".
    macs: unique(
      [...(s.macs ?? []), ...(s.txt?.['_http._tcp']?.mac_address ?? '').split('|')]
        .map(normalizeMac)
        .filter((m): m is string => !!m),
    ).slice(0, LIMITS.macsPerDevice),
    serial: s.serial ? cleanText(s.serial, 64) || undefined : undefined,
    services: s.services
      .filter((x) => Number.isInteger(x.port) && x.port >= 0 && x.port <= 65535)
      .slice(0, LIMITS.servicesPerDevice)
      .map((x) => ({
        type: cleanText(x.type, 64),
        port: x.port,
        ...(x.instance ? { instance: cleanText(x.instance, 63) } : {}),
      })),
    txt,
    ...(facts ? { facts } : {}),
  };
}

export class DeviceTable {
  private readonly entries = new Map<string, Entry>();
  private readonly index = new Map<string, string>();
  private readonly now: () => number;
  private readonly maxDevices: number;
  private nextId = 1;

  constructor(private readonly options: DeviceTableOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxDevices = options.maxDevices ?? LIMITS.devices;
  }

  get size() {
    return this.entries.size;
  }

  list(): DiscoveredDevice[] {
    return [...this.entries.values()].flatMap((e) => (e.snapshot ? [e.snapshot] : []));
  }

  get(id: string): DiscoveredDevice | undefined {
    return this.entries.get(id)?.snapshot ?? undefined;
  }

  /** The local address a device was last seen through (for Wake-on-LAN). */
  seenVia(id: string): string | undefined {
    const entry = this.entries.get(id);
    return entry ? [...entry.sightings.values()].map((x) => x.sighting.via).find(Boolean) : undefined;
  }

  add(raw: Sighting): void {
    const s = sanitize(raw);
    const sourceKey = `${s.source}|${s.key}`;
    if (s.ttl <= 0) {
      const id = this.index.get(`src:${sourceKey}`);
      const entry = id ? this.entries.get(id) : undefined;
      if (entry?.sightings.delete(sourceKey)) this.refresh(entry);
      return;
    }
    const now = this.now();
    const matches = unique(identities(s).flatMap((i) => this.index.get(i) ?? []));
    if (s.enrichOnly && matches.length === 0) return; // the device it describes is gone
    let entry = matches.length ? this.entries.get(matches[0]!) : undefined;
    if (!entry) {
      entry = { id: this.newId(s), sightings: new Map(), firstSeen: now, lastSeen: now, snapshot: null, signature: '' };
      this.entries.set(entry.id, entry);
      this.evictIfFull(entry.id);
    }
    // One box seen by two sources that only now turn out to be the same: fold the later into the first.
    for (const otherId of matches.slice(1)) {
      const other = this.entries.get(otherId);
      if (!other || other === entry) continue;
      for (const [k, v] of other.sightings) entry.sightings.set(k, v);
      entry.firstSeen = Math.min(entry.firstSeen, other.firstSeen);
      this.entries.delete(otherId);
      if (other.snapshot) this.options.onChange?.('lost', { ...other.snapshot, mergedInto: entry.id });
    }
    entry.sightings.set(sourceKey, { sighting: s, expiresAt: now + s.ttl * 1000 });
    entry.lastSeen = now;
    this.refresh(entry);
  }

  /** Drops expired sightings; call on a timer. */
  expire(): void {
    const now = this.now();
    for (const entry of [...this.entries.values()]) {
      let changed = false;
      for (const [k, v] of entry.sightings) {
        if (v.expiresAt <= now) {
          entry.sightings.delete(k);
          changed = true;
        }
      }
      if (changed) this.refresh(entry);
    }
  }

  clear(): void {
    this.entries.clear();
    this.index.clear();
  }

  private newId(s: Sighting): string {
    const strongest = s.serial
      ? `sn-${s.serial}`
      : s.macs?.[0]
        ? `mac-${s.macs[0].replace(/:/g, '')}`
        : (s.hostname ?? s.addresses[0] ?? `device-${this.nextId}`);
    let id = strongest
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .slice(0, 64);
    while (this.entries.has(id)) id = `${id}-${this.nextId++}`;
    return id;
  }

  private evictIfFull(keep: string) {
    while (this.entries.size > this.maxDevices) {
      let oldest: Entry | undefined;
      for (const e of this.entries.values()) if (e.id !== keep && (!oldest || e.lastSeen < oldest.lastSeen)) oldest = e;
      if (!oldest) return;
      oldest.sightings.clear();
      this.refresh(oldest);
    }
  }

  private refresh(entry: Entry) {
    for (const [k, id] of this.index) if (id === entry.id) this.index.delete(k);
    if ([...entry.sightings.values()].every((x) => x.sighting.enrichOnly)) entry.sightings.clear();
    if (entry.sightings.size === 0) {
      this.entries.delete(entry.id);
      if (entry.snapshot) this.options.onChange?.('lost', entry.snapshot);
      return;
    }
    for (const { sighting } of entry.sightings.values())
      for (const i of identities(sighting)) this.index.set(i, entry.id);
    const snapshot = this.snapshot(entry);
    const { lastSeen: _lastSeen, ...rest } = snapshot;
    const signature = JSON.stringify(rest);
    const before = entry.snapshot;
    entry.snapshot = snapshot;
    if (signature !== entry.signature) {
      entry.signature = signature;
      this.options.onChange?.(before ? 'updated' : 'found', snapshot);
    }
  }

  private snapshot(entry: Entry): DiscoveredDevice {
    const sightings = [...entry.sightings.values()].map((x) => x.sighting);
    const services = new Map<string, ServiceEndpoint>();
    const txt: Evidence['txt'] = {};
    const facts: Evidence['facts'] = {};
    for (const s of sightings) {
      for (const svc of s.services) services.set(`${svc.type}:${svc.port}`, { type: svc.type, port: svc.port });
      for (const [type, record] of Object.entries(s.txt ?? {})) txt[type] = { ...txt[type], ...record };
      Object.assign(facts, s.facts);
    }
    // The mDNS name (host.local) is the one other tools resolve; a WS-Discovery NetBIOS name is second best.
    const hostname =
      sightings.find((s) => s.source === 'mdns' && s.hostname)?.hostname ??
      sightings.map((s) => s.hostname).find(Boolean) ??
      null;
    const macs = unique(sightings.flatMap((s) => s.macs ?? [])).slice(0, LIMITS.macsPerDevice);
    const serial = sightings.map((s) => s.serial).find(Boolean) ?? txt['_http._tcp']?.serial ?? null;
    const evidence: Evidence = {
      serviceTypes: new Set([...services.values()].map((s) => s.type)),
      txt,
      facts,
      ...(hostname ? { hostname } : {}),
    };
    const fp = fingerprint(evidence);
    const addresses = unique(sightings.flatMap((s) => s.addresses)).sort(
      (a, b) => isIP(a) - isIP(b) || a.localeCompare(b),
    );
    const instance = sightings.flatMap((s) => s.services.map((x) => x.instance)).find(Boolean);
    return {
      id: entry.id,
      name: (hostname?.replace(/\.local\.?$/i, '') || instance || addresses[0]) ?? entry.id,
      hostname,
      addresses: addresses.slice(0, LIMITS.addressesPerDevice),
      vendor: fp.vendor,
      model: fp.model,
      osVersion: fp.osVersion,
      serial,
      services: [...services.values()]
        .sort((a, b) => a.type.localeCompare(b.type) || a.port - b.port)
        .slice(0, LIMITS.servicesPerDevice),
      macs,
      sources: unique(sightings.map((s) => s.source)).sort(),
      firstSeen: new Date(entry.firstSeen).toISOString(),
      lastSeen: new Date(entry.lastSeen).toISOString(),
    };
  }
}
