// What one discovery source saw of one host at one moment. The device table merges sightings
// from every source into one device; fingerprint rules turn the merged evidence into a vendor.

export type DiscoverySourceName = 'mdns' | 'wsd' | 'synology-finder' | 'probe';

export interface SightedService {
  /** DNS-SD type like `_smb._tcp`, or a port probe's name like `ssh`. */
  type: string;
  port: number;
  /** The DNS-SD instance name, when there is one. */
  instance?: string;
}

export interface Sighting {
  source: DiscoverySourceName;
  /** Stable within the source: an mDNS host name, a WS-Discovery endpoint, a probed address. */
  key: string;
  hostname?: string;
  addresses: string[];
  macs?: string[];
  serial?: string;
  services: SightedService[];
  /** TXT records per service type, keys lower-cased. */
  txt?: Record<string, Record<string, string>>;
  /** Facts a source read directly (Synology finder, banners). */
  facts?: {
    vendor?: string;
    model?: string;
    osVersion?: string;
    sshBanner?: string;
    wsdTypes?: string;
    /** What an unauthenticated web API read said (http-fingerprint.ts); kept apart so it never
     * overwrites the more precise TXT or finder values. */
    httpVendor?: string;
    httpModel?: string;
    httpOsVersion?: string;
  };
  /** Adds facts to a device others see (an SSH banner read after mDNS found it); never keeps it alive alone. */
  enrichOnly?: boolean;
  /** Seconds this sighting stays valid; 0 is a goodbye. */
  ttl: number;
  /** The local interface address it arrived on (for Wake-on-LAN). */
  via?: string;
}

export interface DiscoverySource {
  readonly name: DiscoverySourceName;
  start(onSighting: (s: Sighting) => void): Promise<void>;
  /** Ask again now (the user pressed refresh, or the network changed). */
  refresh?(): void;
  stop(): Promise<void>;
}

/** Limits against floods and hostile packets. */
export const LIMITS = {
  devices: 512,
  servicesPerDevice: 48,
  addressesPerDevice: 16,
  macsPerDevice: 8,
  txtKeysPerService: 32,
  textLength: 255,
} as const;

/** Untrusted text from the network: no control characters, bounded length. */
export function cleanText(value: string, max: number = LIMITS.textLength): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim()
    .slice(0, max);
}

const MAC =
  /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;

/** `00-11-32-AA-BB-CC`, `001132aabbcc` … → `00:11:32:aa:bb:cc`; null for anything else. */
export function normalizeMac(value: string): string | null {
  const m = MAC.exec(value.trim());
  if (!m) return null;
  const mac = m.slice(1).join(':').toLowerCase();
  return mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff' ? null : mac;
}
