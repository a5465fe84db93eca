// Discovery: every source behind one interface, merged into one live device table whose
// changes go out as discovery.* events. The CLI scans for a while; the app keeps it running.
import type { DiscoveredDevice } from '../../../shared/domain';
import type { EventBus } from '../events';
import { isIP, isIPv4 } from 'node:net';
import { MdnsSource, mdnsLinks } from './mdns';
import { fingerprintHttp, HTTP_FINGERPRINT_PORTS } from './http-fingerprint';
import { probePort, ProbeSource } from './probe';
import { SynologyFinderSource } from './synology-finder';
import type { DiscoverySource } from './sighting';
import { DeviceTable } from './table';
import { WsdSource } from './wsd';

export interface DiscoveryOptions {
  /** Local addresses (IPv4 or IPv6) whose interfaces to discover on; default every non-internal interface. */
  interfaces?: string[];
  /** Replaces the default sources (tests). */
  sources?: () => DiscoverySource[];
  /** Told about every device seen, so saved devices learn MACs and addresses. */
  onSeen?: (device: DiscoveredDevice) => void;
  /** Web UI ports whose unauthenticated vendor API is read (tests use a local server's port). */
  httpPorts?: Readonly<Record<number, 'http' | 'https'>>;
  /** Ports a probe tries instead of the management ports (tests). */
  probePorts?: number[];
}

/** At most this many web API reads at once, so a flood of found hosts cannot fan out without end. */
const MAX_HTTP_READS = 8;
/** Web UI ports tried per host (a box may list many). */
const MAX_HTTP_PORTS_PER_HOST = 3;

/** NASDECK_DISCOVERY_INTERFACES=10.0.0.5,192.168.1.9,fd00::5 limits discovery to the interfaces of
 * those local addresses (many NICs or a VPN; tests keep multicast on their own interfaces). */
export function interfacesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const list = env.NASDECK_DISCOVERY_INTERFACES?.split(',')
    .map((s) => s.trim())
    .filter((s) => isIP(s.replace(/%[\w.-]+$/, '')) !== 0);
  return list?.length ? list : undefined;
}

export class Discovery {
  readonly table: DeviceTable;
  private running: DiscoverySource[] = [];
  private expiry: NodeJS.Timeout | undefined;
  private probes = new Set<ProbeSource>();

  constructor(
    private readonly events: EventBus,
    private readonly options: DiscoveryOptions = {},
  ) {
    this.table = new DeviceTable({
      onChange: (change, device) => {
        const event =
          change === 'found'
            ? 'discovery.deviceFound'
            : change === 'updated'
              ? 'discovery.deviceUpdated'
              : 'discovery.deviceLost';
        this.events.emit(event, device);
        if (change === 'lost') {
          for (const asked of [this.bannersAsked, this.webAsked])
            for (const key of asked) if (device.addresses.some((a) => key.startsWith(`${a}:`))) asked.delete(key);
        } else {
          this.options.onSeen?.(device);
          this.readSshBanner(device);
          this.readWebApi(device);
        }
      },
    });
  }

  get isRunning() {
    return this.running.length > 0;
  }

  private defaultSources(): DiscoverySource[] {
    const interfaces = this.options.interfaces ?? interfacesFromEnv();
    // WS-Discovery and the Synology finder are IPv4 only: the IPv4 addresses of the chosen interfaces.
    const ipv4 = interfaces && mdnsLinks(interfaces).flatMap((l) => (l.family === 4 ? [l.address!] : []));
    return [
      new MdnsSource(interfaces ? { interfaces } : {}),
      new WsdSource(ipv4 ? { interfaces: ipv4 } : {}),
      new SynologyFinderSource(ipv4 ? { interfaces: ipv4 } : {}),
    ];
  }

  /** Starts the passive sources (idempotent); a refresh if they already run. */
  async start(): Promise<void> {
    if (this.running.length) {
      for (const s of this.running) s.refresh?.();
      return;
    }
    const sources = this.options.sources?.() ?? this.defaultSources();
    const started: DiscoverySource[] = [];
    for (const source of sources) {
      try {
        await source.start((s) => this.table.add(s));
        started.push(source);
      } catch {
        // One source that cannot start (its port taken by a vendor finder) must not stop the others.
      }
    }
    this.running = started;
    this.expiry = setInterval(() => this.table.expire(), 1000);
  }

  /** Probes hosts or CIDR ranges once; resolves when every port has answered or timed out, and
   * the web API reads of the hosts found are done (each has its own short timeout). */
  async probe(targets: string[], onProgress?: (done: number, total: number) => void): Promise<void> {
    const source = new ProbeSource({
      targets,
      ...(this.options.probePorts ? { ports: this.options.probePorts } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    this.probes.add(source);
    try {
      await source.start((s) => this.table.add(s));
      while (this.webReads.size) await Promise.allSettled([...this.webReads]);
    } finally {
      this.probes.delete(source);
    }
  }

  private get enriching() {
    return this.isRunning || this.probes.size > 0;
  }

  private readonly webAsked = new Set<string>();
  private readonly webReads = new Set<Promise<void>>();
  private webQueue: Array<() => Promise<void>> = [];
  private webAbort = new AbortController();
  /**
   * A host with a web UI port and no vendor model yet: read the vendor's unauthenticated API there
   * (DSM query.cgi, TrueNAS /api/versions, QTS authLogin.cgi), once per address and port, at most
   * MAX_HTTP_READS at a time. Never sends credentials.
   */
  private readWebApi(device: DiscoveredDevice) {
    if (!this.enriching || (device.model && !['unknown', 'linux'].includes(device.vendor))) return;
    const ports = this.options.httpPorts ?? HTTP_FINGERPRINT_PORTS;
    const address = device.addresses.find((a) => isIPv4(a)) ?? device.addresses.find((a) => !a.includes('%'));
    if (!address || this.webAsked.size > 4096) return;
    const candidates = [...new Set(device.services.map((s) => s.port))]
      .filter((p) => ports[p] && !this.webAsked.has(`${address}:${p}`))
      .slice(0, MAX_HTTP_PORTS_PER_HOST);
    for (const port of candidates) {
      this.webAsked.add(`${address}:${port}`);
      this.webQueue.push(async () => {
        const found = await fingerprintHttp(address, port, ports[port], { signal: this.webAbort.signal });
        if (!found || !this.enriching) return;
        this.table.add({
          source: 'probe',
          key: `${address}:${port}/web`,
          addresses: [address],
          services: [],
          facts: {
            httpVendor: found.vendor,
            ...(found.model ? { httpModel: found.model } : {}),
            ...(found.osVersion ? { httpOsVersion: found.osVersion } : {}),
          },
          enrichOnly: true,
          ttl: 600,
        });
      });
    }
    this.pumpWebReads();
  }

  private pumpWebReads() {
    while (this.webReads.size < MAX_HTTP_READS && this.webQueue.length) {
      const job = this.webQueue.shift()!;
      const running: Promise<void> = job()
        .catch(() => undefined)
        .finally(() => {
          this.webReads.delete(running);
          this.pumpWebReads();
        });
      this.webReads.add(running);
    }
  }

  /** An SSH service with no banner yet: one unauthenticated connect reads it (names Debian, OMV…). */
  private readonly bannersAsked = new Set<string>();
  private readSshBanner(device: DiscoveredDevice) {
    if (!this.enriching || !['unknown', 'linux'].includes(device.vendor)) return;
    const ssh = device.services.find((s) => s.type === '_ssh._tcp' || s.type === '_sftp-ssh._tcp');
    const address = device.addresses.find((a) => isIPv4(a));
    if (!ssh || !address || this.bannersAsked.has(`${address}:${ssh.port}`) || this.bannersAsked.size > 4096) return;
    this.bannersAsked.add(`${address}:${ssh.port}`);
    void probePort(address, ssh.port, 1500, true).then((banner) => {
      if (banner && this.enriching) {
        this.table.add({
          source: 'probe',
          key: `${address}:${ssh.port}`,
          addresses: [address],
          services: [],
          facts: { sshBanner: banner },
          enrichOnly: true,
          ttl: 600,
        });
      }
    });
  }

  list(): DiscoveredDevice[] {
    return this.table.list();
  }

  async stop(): Promise<void> {
    clearInterval(this.expiry);
    this.expiry = undefined;
    this.bannersAsked.clear();
    this.webAsked.clear();
    this.webQueue = [];
    this.webAbort.abort(); // reads in flight end now, so a CLI run exits at once
    this.webAbort = new AbortController();
    const sources = [...this.running, ...this.probes];
    this.running = [];
    await Promise.all(sources.map((s) => s.stop().catch(() => undefined)));
  }
}
