// mDNS query from inside a namespace (run as `ip netns exec NS node --import tsx mdns-query.ts '<json>'`).
// Input: { iface: "<our IPv4>", questions: [{name, type}], waitMs, expectA?: ["host.local", ...] }.
// Prints one JSON line: { records: [{from, section, type, name, data}], elapsedMs }.
import makeMdns from 'multicast-dns';
import type { Question } from 'dns-packet';

interface Input {
  iface: string;
  questions: { name: string; type: 'A' | 'PTR' | 'SRV' | 'TXT' | 'ANY' }[];
  waitMs: number;
  expectA?: string[];
}
const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const t0 = Date.now();
// bind 0.0.0.0 or multicast traffic is never seen; interface pins IP_MULTICAST_IF (lab.md §7 pitfall a)
const mdns = makeMdns({ interface: input.iface, bind: '0.0.0.0', reuseAddr: true, loopback: false });
const records: { from: string; section: string; type: string; name: string; data: unknown }[] = [];
const seen = new Set<string>();
const resolved = new Set<string>();

function show(data: unknown): unknown {
  if (Buffer.isBuffer(data)) return data.toString();
  if (Array.isArray(data)) return data.map((d) => (Buffer.isBuffer(d) ? d.toString() : d));
  return data;
}

function finish(): void {
  clearInterval(timer);
  mdns.destroy();
  console.log(JSON.stringify({ records, elapsedMs: Date.now() - t0 }));
  process.exit(0);
}

mdns.on('response', (res, rinfo) => {
  for (const [section, list] of [
    ['answer', res.answers],
    ['additional', res.additionals],
  ] as const) {
    for (const a of list ?? []) {
      const data = show((a as { data?: unknown }).data);
      const key = `${rinfo.address} ${a.type} ${a.name} ${JSON.stringify(data)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push({ from: rinfo.address, section, type: a.type, name: a.name, data });
      if (a.type === 'A') resolved.add(a.name.toLowerCase());
    }
  }
  if (input.expectA && input.expectA.every((n) => resolved.has(n.toLowerCase()))) finish();
});
mdns.on('error', (e: Error) => {
  console.error(`mdns error: ${e.message}`);
  process.exit(2);
});

const ask = () => {
  // only ask again for what is still missing; a responder may stay silent on repeats within 1 s
  const qs = input.expectA
    ? input.questions.filter((q) => q.type !== 'A' || !resolved.has(q.name.toLowerCase()))
    : input.questions;
  if (qs.length) mdns.query(qs as Question[]);
};
ask();
const timer = setInterval(ask, 1100);
setTimeout(finish, input.waitMs);
