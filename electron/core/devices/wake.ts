// Wake-on-LAN: the magic packet (6×0xFF, then the MAC 16 times) to UDP port 9 on the subnet
// broadcast of every interface the device could be on (the one it was seen on first).
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';

export function magicPacket(mac: string): Buffer {
  const bytes = Buffer.from(mac.replace(/[:-]/g, ''), 'hex');
  if (bytes.length !== 6) throw new Error(`not a MAC address: ${mac}`);
  return Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => bytes)]);
}

export function subnetBroadcast(address: string, netmask: string): string {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  return a.map((x, i) => (x | (~m[i]! & 255)) >>> 0).join('.');
}

/** Broadcast addresses to try: the interface the device was seen through first, then every other. */
export function wakeTargets(seenVia?: string): string[] {
  const ifaces = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal);
  ifaces.sort((x, y) => Number(y.address === seenVia) - Number(x.address === seenVia));
  return [...new Set(ifaces.map((i) => subnetBroadcast(i.address, i.netmask)))];
}

export async function sendWake(macs: string[], targets: string[], port = 9): Promise<string[]> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
  socket.setBroadcast(true);
  const sent: string[] = [];
  try {
    for (const target of targets) {
      for (const mac of macs) {
        await new Promise<void>((resolve, reject) =>
          socket.send(magicPacket(mac), port, target, (err) => (err ? reject(err) : resolve())),
        );
      }
      sent.push(target);
    }
  } finally {
    socket.close();
  }
  return sent;
}
