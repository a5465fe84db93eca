// Floods the lab bridge with well-formed mDNS announcements of fake service instances, from inside
// a NAS namespace (never the root one): `node --import <tsx> mdns-flood.ts '<json>'` with
// { iface: "<the NAS's IPv4>", count, perPacket? }. Packets are encoded by dns-packet (the library
// multicast-dns uses), each instance a PTR + SRV + TXT + A for its own host `flood<i>.local`.
// Prints { sent, packets } when done.
import { createSocket } from 'node:dgram';
import packet from 'dns-packet';

const input = JSON.parse(process.argv[2] ?? '{}') as { iface: string; count: number; perPacket?: number };
const perPacket = input.perPacket ?? 10;
const socket = createSocket({ type: 'udp4', reuseAddr: true });

await new Promise<void>((resolve) => socket.bind(0, input.iface, resolve));
socket.setMulticastInterface(input.iface);
let sent = 0;
let packets = 0;
while (sent < input.count) {
  const answers: packet.Answer[] = [];
  for (let k = 0; k < perPacket && sent < input.count; k++, sent++) {
    const instance = `flood${sent}._smb._tcp.local`;
    const host = `flood${sent}.local`;
    answers.push(
      { name: '_smb._tcp.local', type: 'PTR', ttl: 120, data: instance },
      { name: instance, type: 'SRV', ttl: 120, data: { target: host, port: 445 } },
      { name: instance, type: 'TXT', ttl: 120, data: [`n=${sent}`] },
      { name: host, type: 'A', ttl: 120, data: `198.18.${(sent >> 8) & 255}.${sent & 255}` },
    );
  }
  const buf = packet.encode({ type: 'response', flags: packet.AUTHORITATIVE_ANSWER, answers });
  // wait for each send so the socket buffer never drops the flood on our side
  await new Promise<void>((resolve) => socket.send(buf, 5353, '224.0.0.251', () => resolve()));
  packets++;
}
socket.close();
console.log(JSON.stringify({ sent, packets }));
