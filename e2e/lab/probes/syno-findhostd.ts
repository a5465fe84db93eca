// A Synology findhostd stand-in for the lab (UDP 9999; vendor-apis.md §A.9): answers a finder query
// (packet type 1, client MAC not a Synology OUI) the way DSM does, with two packets, one to the
// subnet broadcast and one unicast, both to port 9999 of the querier. Written independently of
// electron/core/discovery/synology-finder.ts so the lab tests the finder against the protocol.
// Started by lab.ts inside a synology-persona NAS (`up({ synologyFinder: true })`) as
//   node --import <tsx> syno-findhostd.ts '<json>'
// with { hostname, ip, netmask, mac, model, serial, version, build, http, https, platform }.
import { createSocket } from 'node:dgram';

interface Config {
  hostname: string;
  ip: string;
  netmask: string;
  mac: string;
  model: string;
  serial: string;
  version: string;
  build: number;
  http: number;
  https: number;
  platform: string;
}

const PORT = 9999;
const MAGIC = Buffer.from([0x12, 0x34, 0x56, 0x78, 0x53, 0x59, 0x4e, 0x4f]);
const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;

const tlv = (id: number, value: Buffer) => Buffer.concat([Buffer.from([id, value.length]), value]);
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const ipBytes = (ip: string) => Buffer.from(ip.split('.').map(Number));
const ipInt = (ip: string) => ipBytes(ip).readUInt32BE(0);
const broadcast = (() => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(((ipInt(cfg.ip) & ipInt(cfg.netmask)) | ~ipInt(cfg.netmask)) >>> 0);
  return [...b].join('.');
})();

const reply = Buffer.concat([
  MAGIC,
  tlv(0x01, le32(1)),
  tlv(0x11, Buffer.from(cfg.hostname)),
  tlv(0x12, ipBytes(cfg.ip)),
  tlv(0x13, ipBytes(cfg.netmask)),
  tlv(0x19, Buffer.from(cfg.mac.toUpperCase())),
  tlv(0x49, le32(cfg.build)),
  tlv(0x70, Buffer.from(cfg.platform)),
  tlv(0x73, Buffer.from(cfg.serial)),
  tlv(0x75, le32(cfg.http)),
  tlv(0x76, le32(cfg.https)),
  tlv(0x77, Buffer.from(cfg.version)),
  tlv(0x78, Buffer.from(cfg.model)),
]);

/** The TLVs of a packet (first of each id), or null if it is not a well-formed finder packet. */
function tlvs(msg: Buffer): Map<number, Buffer> | null {
  if (msg.length < MAGIC.length || !msg.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const out = new Map<number, Buffer>();
  for (let at = MAGIC.length; at < msg.length;) {
    if (at + 2 > msg.length) return null;
    const len = msg[at + 1]!;
    if (at + 2 + len > msg.length) return null;
    if (!out.has(msg[at]!)) out.set(msg[at]!, msg.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

const sock = createSocket('udp4');
sock.on('error', (e) => {
  console.error(`syno-findhostd: ${e.message}`);
  process.exit(1);
});
sock.on('message', (msg, rinfo) => {
  if (rinfo.address === cfg.ip) return;
  const t = tlvs(msg);
  const type = t?.get(0x01);
  const clientMac = t?.get(0x7c)?.toString('latin1').toLowerCase();
  // A query is type 1 and names the client's MAC; replies (ours included) carry no 0x7c.
  if (!t || type?.length !== 4 || type.readUInt32LE(0) !== 1 || !clientMac) return;
  if (clientMac.startsWith('00:11:32') || clientMac.startsWith('90:09:d0')) {
    console.log(`ignored a query from ${rinfo.address} with a Synology client MAC`);
    return;
  }
  console.log(`query from ${rinfo.address}:${rinfo.port} (client ${clientMac}); answering`);
  sock.send(reply, PORT, broadcast);
  sock.send(reply, PORT, rinfo.address);
});
sock.bind(PORT, '0.0.0.0', () => {
  sock.setBroadcast(true);
  console.log(`syno-findhostd: ${cfg.hostname} ${cfg.ip} ${cfg.model} listening on udp ${PORT}`);
});
process.on('SIGTERM', () => process.exit(0));
