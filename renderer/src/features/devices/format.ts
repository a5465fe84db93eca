// How device fields read on screen.
import type { Device, Vendor } from '../../../../shared/domain';

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
