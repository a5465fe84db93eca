// Human output by default, one JSON document with --json; errors the same way on stderr.
import type { Device, DiscoveredDevice } from '../../shared/domain';
import { errorWords, type WireError } from '../../shared/errors';

/** Strip terminal control sequences from untrusted text (device names come from the network). */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function table(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows].map((r) => r.map(printable));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return (
    cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n'
  );
}

export const address = (d: Pick<Device, 'host' | 'port'>) =>
  d.port === undefined ? d.host : d.host.includes(':') ? `[${d.host}]:${d.port}` : `${d.host}:${d.port}`;

export function deviceTable(devices: Device[]): string {
  if (devices.length === 0) return 'No devices yet. Add one with `nasdeck device add HOST`.\n';
  return table(
    ['NAME', 'ID', 'ADDRESS', 'VENDOR', 'MODEL'],
    devices.map((d) => [d.name, d.id, address(d), d.vendor, d.model ?? '-']),
  );
}

export function deviceDetails(d: Device): string {
  const lines: Array<[string, string]> = [
    ['Name', d.name],
    ['ID', d.id],
    ['Address', address(d)],
    ...(d.url ? ([['URL', d.url]] as Array<[string, string]>) : []),
    ['Vendor', d.vendor],
    ['Model', d.model ?? '-'],
    ['OS version', d.osVersion ?? '-'],
    ['Addresses', d.addresses.join(', ') || '-'],
    ['Services', d.services.map((s) => `${s.type}:${s.port}`).join(', ') || '-'],
    ['MACs', d.macs.join(', ') || '-'],
    ['User', d.access.user ?? '-'],
    ['SSH port', String(d.access.sshPort ?? 22)],
    ['Host key', d.access.hostKeySha256 ?? 'not pinned yet'],
    ['Keychain', d.access.secrets.join(', ') || 'nothing stored'],
    ['Added', d.addedAt],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${printable(v)}`).join('\n') + '\n';
}

export function formatError(error: WireError, json: boolean): string {
  if (json) return `${JSON.stringify({ error })}\n`;
  const words = errorWords[error.code];
  const head = words && words.title !== error.message ? `${words.title}: ${error.message}` : error.message;
  // The error's own fix (what to install, what to run) beats the generic words for its code.
  const fix = typeof error.details?.fix === 'string' ? error.details.fix : words?.fix;
  return `error: ${printable(head)}\n${fix ? `  ${printable(fix)}\n` : ''}`;
}

const vendorNames: Record<string, string> = {
  synology: 'Synology',
  truenas: 'TrueNAS',
  qnap: 'QNAP',
  unraid: 'Unraid',
  omv: 'OpenMediaVault',
  linux: 'Linux',
  windows: 'Windows',
  unknown: '?',
};

export function discoveredLine(d: DiscoveredDevice): string {
  const model = [vendorNames[d.vendor] ?? d.vendor, d.model, d.osVersion].filter(Boolean).join(' ');
  return printable(`${d.name}  ${d.addresses.join(',') || '-'}  ${model}  [${d.sources.join(',')}]`);
}

export function discoveredTable(devices: DiscoveredDevice[]): string {
  if (devices.length === 0)
    return 'No NAS found. Try a longer --timeout, or --probe ADDRESS for a device that does not announce itself.\n';
  return table(
    ['NAME', 'VENDOR', 'MODEL', 'OS', 'ADDRESSES', 'SERVICES'],
    devices.map((d) => [
      d.name,
      vendorNames[d.vendor] ?? d.vendor,
      d.model ?? '-',
      d.osVersion ?? '-',
      d.addresses.join(', ') || '-',
      [...new Set(d.services.map((s) => s.type.replace(/^_|\._tcp$/g, '')))].join(' ') || '-',
    ]),
  );
}
