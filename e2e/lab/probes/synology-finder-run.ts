// Runs Nasdeck's Synology finder inside a namespace (the lab client), where its broadcasts stay on
// the lab bridge. Usage: ip netns exec NS node --import tsx synology-finder-run.ts '<json>'
// Input: { iface: "<our IPv4>", waitMs, mode: "finder" | "discovery" }.
//  - finder: the SynologyFinderSource alone; prints { sightings, elapsedMs }.
//  - discovery: Discovery with mDNS + the finder (as index.ts would wire it); prints { devices, elapsedMs }.
import { EventBus } from '../../../electron/core/events';
import { Discovery } from '../../../electron/core/discovery/index';
import { MdnsSource } from '../../../electron/core/discovery/mdns';
import type { Sighting } from '../../../electron/core/discovery/sighting';
import { SynologyFinderSource } from '../../../electron/core/discovery/synology-finder';

const input = JSON.parse(process.argv[2] ?? '{}') as { iface: string; waitMs: number; mode: 'finder' | 'discovery' };
const t0 = Date.now();
const interfaces = [input.iface];

if (input.mode === 'discovery') {
  const discovery = new Discovery(new EventBus(), {
    sources: () => [new MdnsSource({ interfaces }), new SynologyFinderSource({ interfaces })],
  });
  await discovery.start();
  await new Promise((r) => setTimeout(r, input.waitMs));
  const devices = discovery.list();
  await discovery.stop();
  console.log(JSON.stringify({ devices, elapsedMs: Date.now() - t0 }));
} else {
  const sightings: Array<Sighting & { ms: number }> = [];
  const finder = new SynologyFinderSource({ interfaces });
  await finder.start((s) => sightings.push({ ...s, ms: Date.now() - t0 }));
  await new Promise((r) => setTimeout(r, input.waitMs));
  await finder.stop();
  console.log(JSON.stringify({ sightings, elapsedMs: Date.now() - t0 }));
}
