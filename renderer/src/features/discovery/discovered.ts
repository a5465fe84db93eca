// Pure facts about a discovered device: what to call it, how to add it, whether it is saved.
import type { Device, DiscoveredDevice } from '../../../../shared/domain';

/** What the list calls a device: its name, else its host name, address or id. */
export const displayName = (d: DiscoveredDevice): string =>
  d.name.trim() || d.hostname?.trim() || d.addresses[0] || d.id;

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
/** By name, then id: stable, so live updates do not make rows jump. */
export const byName = (a: { device: DiscoveredDevice }, b: { device: DiscoveredDevice }) =>
  collator.compare(displayName(a.device), displayName(b.device)) ||
  (a.device.id < b.device.id ? -1 : a.device.id > b.device.id ? 1 : 0);

/** The devices.add parameters for a discovered device, or null when it has no address. */
export function addParams(d: DiscoveredDevice): { host: string; name: string } | null {
  const host = d.addresses[0] ?? d.hostname?.trim();
  if (!host) return null;
  return { host, name: displayName(d).slice(0, 64) };
}

/** The ids of a list, to look them up. */
export const idsOf = (devices: readonly DiscoveredDevice[]): ReadonlySet<string> => new Set(devices.map((d) => d.id));

const hostKey = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');

/** Every host and address the saved devices are known by, for `isSaved`. */
export function savedHosts(devices: readonly Device[]): Set<string> {
  return new Set(devices.flatMap((d) => [d.host, ...d.addresses].map(hostKey)));
}

/** True when a saved device already has one of this device's addresses or its host name. */
export function isSaved(d: DiscoveredDevice, saved: ReadonlySet<string>): boolean {
  return [...d.addresses, ...(d.hostname ? [d.hostname] : [])].some((h) => saved.has(hostKey(h)));
}
