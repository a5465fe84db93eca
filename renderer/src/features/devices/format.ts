// How device fields read on screen.
import type { Device, ServiceEndpoint, Vendor } from '../../../../shared/domain';

const vendorNames: Record<Vendor, string> = {
  unknown: 'Not identified yet',
  linux: 'Linux',
  truenas: 'TrueNAS',
  synology: 'Synology',
  qnap: 'QNAP',
  unraid: 'Unraid',
  omv: 'OpenMediaVault',
  windows: 'Windows',
};

export const vendorName = (vendor: Vendor): string => vendorNames[vendor] ?? vendor;

/** The short form for a badge, where "Not identified yet" does not fit. */
export const vendorShortName = (vendor: Vendor): string => (vendor === 'unknown' ? 'Unknown' : vendorName(vendor));

/** host, host:port, or [v6]:port. */
export function formatAddress(device: Pick<Device, 'host' | 'port'>): string {
  if (device.port === undefined) return device.host;
  const host = device.host.includes(':') ? `[${device.host}]` : device.host;
  return `${host}:${device.port}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** HH:MM in local time. */
export const formatTime = (ms: number): string => timeFormat.format(ms);

/** Short service names, each once: `_smb._tcp` → smb, `ssh` → ssh. */
export function serviceNames(services: readonly ServiceEndpoint[]): string[] {
  return [...new Set(services.map((s) => s.type.replace(/^_/, '').replace(/\._(tcp|udp)$/i, '')).filter(Boolean))];
}
