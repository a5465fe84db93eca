// Discovery: every source behind one interface, merged into one live device table whose
// changes go out as discovery.* events. The CLI scans for a while; the app keeps it running.
import type { DiscoveredDevice } from '../../../shared/domain';
import type { EventBus } from '../events';
import { MdnsSource } from './mdns';
import { isIPv4 } from 'node:net';
import { probePort, ProbeSource } from './probe';
import { SynologyFinderSource } from './synology-finder';
import type { DiscoverySource } from './sighting';
import { DeviceTable } from './table';
import { WsdSource } from './wsd';

export interface DiscoveryOptions {
  /** Local IPv4 addresses to discover on; default every non-internal interface. */
  interfaces?: string[];
  /** Replaces the default sources (tests). */
  sources?: () => DiscoverySource[];
  /** Told about every device seen, so saved devices learn MACs and addresses. */
  onSeen?: (device: DiscoveredDevice) => void;
}

/** NASDECK_DISCOVERY_INTERFACES=10.0.0.5,192.168.1.9 limits discovery to those local addresses
 * (many NICs or a VPN; tests keep multicast on their own interfaces). */
export function interfacesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const list = env.NASDECK_DISCOVERY_INTERFACES?.split(',')
    .map((s) => s.trim())
    .filter((s) => isIPv4(s));
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
          for (const key of this.bannersAsked)
            if (device.addresses.some((a) => key.startsWith(`${a}:`))) this.bannersAsked.delete(key);
        } else {
          this.options.onSeen?.(device);
          this.readSshBanner(device);
        }
      },
    });
  }

  get isRunning() {
    return this.running.length > 0;
  }

  private defaultSources(): DiscoverySource[] {
    const interfaces = this.options.interfaces ?? interfacesFromEnv();
    const opts = interfaces ? { interfaces } : {};
    return [new MdnsSource(opts), new WsdSource(opts), new SynologyFinderSource(opts)];
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

  /** Probes hosts or CIDR ranges once; resolves when every port has answered or timed out. */
  async probe(targets: string[], onProgress?: (done: number, total: number) => void): Promise<void> {
    const source = new ProbeSource({ targets, ...(onProgress ? { onProgress } : {}) });
    this.probes.add(source);
    try {
      await source.start((s) => this.table.add(s));
    } finally {
      this.probes.delete(source);
    }
  }

  /** An SSH service with no banner yet: one unauthenticated connect reads it (names Debian, OMV…). */
  private readonly bannersAsked = new Set<string>();
  private readSshBanner(device: DiscoveredDevice) {
    if (!this.isRunning || !['unknown', 'linux'].includes(device.vendor)) return;
    const ssh = device.services.find((s) => s.type === '_ssh._tcp' || s.type === '_sftp-ssh._tcp');
    const address = device.addresses.find((a) => isIPv4(a));
    if (!ssh || !address || this.bannersAsked.has(`${address}:${ssh.port}`) || this.bannersAsked.size > 4096) return;
    this.bannersAsked.add(`${address}:${ssh.port}`);
    void probePort(address, ssh.port, 1500, true).then((banner) => {
      if (banner && this.isRunning) {
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
    const sources = [...this.running, ...this.probes];
    this.running = [];
    await Promise.all(sources.map((s) => s.stop().catch(() => undefined)));
  }
}
