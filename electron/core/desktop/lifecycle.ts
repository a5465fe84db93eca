// What the desktop shell watches to tell the mount monitor that the network changed: Electron's
// main process has no network-change event, so it compares this fingerprint now and then.
import type { NetworkInterfaceInfo } from 'node:os';

/**
 * What identifies "the network this computer is on": each non-internal interface's addresses.
 * A change (Wi-Fi switched, VPN up, cable out) gives a different fingerprint.
 */
export function networkFingerprint(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  return Object.entries(interfaces)
    .flatMap(([name, list]) =>
      (list ?? []).filter((i) => !i.internal && !i.address.startsWith('fe80:')).map((i) => `${name}=${i.address}`),
    )
    .sort()
    .join(',');
}
