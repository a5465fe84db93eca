// WS-Discovery (UDP 3702, SOAP-over-UDP): Probe and Hello/Bye for Samba hosts running wsdd and
// Windows-facing NAS; then Resolve and a metadata Get for the computer name. XML goes through
// fast-xml-parser; nothing here builds XML from network input.
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { XMLParser } from 'fast-xml-parser';
import { localIPv4Interfaces } from './mdns';
import type { DiscoverySource, Sighting } from './sighting';

export const WSD_GROUP = '239.255.255.250';
export const WSD_PORT = 3702;
const TTL_SECONDS = 600;
const MAX_ENDPOINTS = 1024;

const NS =
  'xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof"';
const ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';

function envelope(action: string, to: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope ${NS}><soap:Header>` +
    `<wsa:To>${to}</wsa:To><wsa:Action>${action}</wsa:Action><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    `</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

export const probeMessage = () =>
  envelope(
    `${ACTION}/Probe`,
    'urn:schemas-xmlsoap-org:ws:2005:04:discovery',
    '<wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe>',
  );

/** Only a urn:uuid endpoint is ever echoed back into a message. */
const resolveMessage = (endpoint: string) =>
  envelope(
    `${ACTION}/Resolve`,
    'urn:schemas-xmlsoap-org:ws:2005:04:discovery',
    `<wsd:Resolve><wsa:EndpointReference><wsa:Address>${endpoint}</wsa:Address></wsa:EndpointReference></wsd:Resolve>`,
  );

const getMessage = (endpoint: string) => envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Get', endpoint, '');

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
});

export interface WsdMessage {
  kind: 'match' | 'hello' | 'bye';
  endpoint: string;
  types: string;
  xaddrs: string[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Parses ProbeMatches, ResolveMatches, Hello and Bye; null for anything else or malformed XML. */
export function parseWsdMessage(xml: string): WsdMessage[] | null {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return null;
  }
  const body = (doc?.Envelope as Record<string, unknown> | undefined)?.Body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return null;
  const items: Array<[WsdMessage['kind'], unknown]> = [];
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  for (const m of list((body.ProbeMatches as Record<string, unknown> | undefined)?.ProbeMatch))
    items.push(['match', m]);
  for (const m of list((body.ResolveMatches as Record<string, unknown> | undefined)?.ResolveMatch))
    items.push(['match', m]);
  for (const m of list(body.Hello)) items.push(['hello', m]);
  for (const m of list(body.Bye)) items.push(['bye', m]);
  const out: WsdMessage[] = [];
  for (const [kind, raw] of items.slice(0, 16)) {
    if (!raw || typeof raw !== 'object') continue;
    const m = raw as Record<string, unknown>;
    const endpoint = text((m.EndpointReference as Record<string, unknown> | undefined)?.Address).trim();
    if (!/^urn:uuid:[0-9a-f-]{36}$/i.test(endpoint)) continue;
    out.push({
      kind,
      endpoint: endpoint.toLowerCase(),
      types: text(m.Types).trim().slice(0, 255),
      xaddrs: text(m.XAddrs)
        .trim()
        .split(/\s+/)
        .filter((x) => /^https?:\/\//.test(x))
        .slice(0, 4),
    });
  }
  return out;
}

/** The computer name from a metadata Get response: pub:Computer is "NAME/Workgroup:WG" or "NAME/Domain:D". */
export function parseComputerName(xml: string): string | null {
  const m = /<(?:\w+:)?Computer>([^<]{1,255})<\/(?:\w+:)?Computer>/.exec(xml);
  if (!m) return null;
  const name = m[1]!.split('/')[0]!.trim();
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name) ? name : null;
}

export interface WsdOptions {
  interfaces?: string[];
  fetchTimeoutMs?: number;
}

export class WsdSource implements DiscoverySource {
  readonly name = 'wsd' as const;
  private socket: Socket | null = null;
  private timers: NodeJS.Timeout[] = [];
  private onSighting: (s: Sighting) => void = () => undefined;
  private readonly known = new Map<string, { address: string; types: string; name?: string; asked: boolean }>();

  constructor(private readonly options: WsdOptions = {}) {}

  async start(onSighting: (s: Sighting) => void): Promise<void> {
    this.onSighting = onSighting;
    const interfaces = this.options.interfaces ?? localIPv4Interfaces().map((i) => i.address);
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg.toString('utf8'), rinfo.address));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(WSD_PORT, () => resolve());
    });
    for (const address of interfaces) {
      try {
        socket.addMembership(WSD_GROUP, address);
      } catch {
        /* an interface without multicast */
      }
    }
    this.interfaces = interfaces;
    this.refresh();
    this.timers.push(
      setTimeout(() => this.refresh(), 1000),
      setInterval(() => this.refresh(), 120_000),
    );
  }

  private interfaces: string[] = [];

  refresh(): void {
    const message = Buffer.from(probeMessage());
    for (const address of this.interfaces) {
      try {
        this.socket?.setMulticastInterface(address);
        this.socket?.send(message, WSD_PORT, WSD_GROUP);
      } catch {
        /* interface gone */
      }
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    this.socket = null;
  }

  private onMessage(xml: string, from: string) {
    if (xml.length > 64 * 1024) return;
    for (const m of parseWsdMessage(xml) ?? []) {
      if (m.kind === 'bye') {
        this.known.delete(m.endpoint);
        this.onSighting({ source: 'wsd', key: m.endpoint, addresses: [], services: [], ttl: 0 });
        continue;
      }
      if (!this.known.has(m.endpoint) && this.known.size >= MAX_ENDPOINTS) continue;
      const entry = this.known.get(m.endpoint) ?? { address: from, types: m.types, asked: false };
      entry.address = from;
      if (m.types) entry.types = m.types;
      this.known.set(m.endpoint, entry);
      this.emit(m.endpoint);
      if (m.xaddrs.length) void this.fetchName(m.endpoint, m.xaddrs[0]!, from);
      else if (!entry.asked) {
        entry.asked = true; // wsdd's ProbeMatch carries no XAddrs: Resolve gives them
        this.socket?.send(Buffer.from(resolveMessage(m.endpoint)), WSD_PORT, from);
      }
    }
  }

  private async fetchName(endpoint: string, xaddr: string, from: string) {
    const entry = this.known.get(endpoint);
    if (!entry || entry.name) return;
    // Only ask the host that answered, never a third party named in a packet.
    let url: URL;
    try {
      url = new URL(xaddr);
    } catch {
      return;
    }
    if (url.hostname !== from) return;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/soap+xml' },
        body: getMessage(endpoint),
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 2000),
      });
      const name = parseComputerName((await res.text()).slice(0, 64 * 1024));
      if (name) {
        entry.name = name;
        this.emit(endpoint);
      }
    } catch {
      /* metadata is optional */
    }
  }

  private emit(endpoint: string) {
    const entry = this.known.get(endpoint);
    if (!entry) return;
    this.onSighting({
      source: 'wsd',
      key: endpoint,
      addresses: [entry.address],
      services: [],
      facts: { wsdTypes: entry.types },
      ...(entry.name ? { hostname: entry.name.toLowerCase() } : {}),
      ttl: TTL_SECONDS,
    });
  }
}
