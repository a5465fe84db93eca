// WS-Discovery Probe from inside a namespace: one SOAP Probe to 239.255.255.250:3702, collect ProbeMatches.
// Usage: ip netns exec NS node --import tsx wsd-probe.ts <our IPv4> <waitMs>
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';

const iface = process.argv[2] ?? '0.0.0.0';
const waitMs = Number(process.argv[3] ?? 3000);
const t0 = Date.now();
const probe = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">
<soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID></soap:Header>
<soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap:Body></soap:Envelope>`;

const matches: { from: string; endpoint: string; types: string; ms: number }[] = [];
const seen = new Set<string>();
const sock = createSocket({ type: 'udp4', reuseAddr: true });
sock.on('message', (msg, rinfo) => {
  const text = msg.toString();
  if (!/ProbeMatches/.test(text)) return;
  const endpoint = /<wsa:Address>([^<]+)<\/wsa:Address>/.exec(text)?.[1] ?? '';
  const types = /<wsd:Types>([^<]+)<\/wsd:Types>/.exec(text)?.[1] ?? '';
  const key = `${rinfo.address} ${endpoint}`;
  if (seen.has(key)) return;
  seen.add(key);
  matches.push({ from: rinfo.address, endpoint, types, ms: Date.now() - t0 });
});
sock.bind(0, iface, () => {
  sock.setMulticastInterface(iface);
  const send = () => sock.send(probe, 3702, '239.255.255.250');
  send();
  setTimeout(send, 500);
  setTimeout(() => {
    console.log(JSON.stringify({ matches }));
    sock.close();
  }, waitMs);
});
