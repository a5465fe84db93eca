// One Nasdeck discovery measurement, run inside the lab's client namespace by e2e/bench/discovery.ts:
//   ip netns exec <client ns> node --import tsx e2e/bench/discovery-runner.ts '<json>'
// Input: { iface: "<client IPv4>", expect: ["host.local", ...], timeoutMs }.
// The clock starts right before Discovery.start() (which sends the first queries), so Node's own
// start-up is not counted. Prints one JSON line (see RunnerResult).
import { performance } from 'node:perf_hooks';
import type { DiscoveredDevice } from '../../shared/domain';
import { Discovery } from '../../electron/core/discovery/index';
import { EventBus } from '../../electron/core/events';

interface Input {
  iface: string;
  expect: string[];
  timeoutMs: number;
}

export interface RunnerResult {
  /** First device in the list (any vendor). */
  firstMs: number | null;
  /** Every expected host present with ≥ 1 address (vendor not yet required). */
  allAddressedMs: number | null;
  /** Every expected host present with ≥ 1 address and its vendor identified: the benchmark's figure. */
  completeMs: number | null;
  /** Per host: when it became complete. */
  perHostMs: Record<string, number>;
  /** Hosts still missing or unidentified at the timeout. */
  missing: string[];
  vendors: Record<string, string>;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const expected = new Set(input.expect.map((h) => h.toLowerCase()));
const events = new EventBus();
const discovery = new Discovery(events, { interfaces: [input.iface] });
const result: RunnerResult = {
  firstMs: null,
  allAddressedMs: null,
  completeMs: null,
  perHostMs: {},
  missing: [],
  vendors: {},
};

let t0 = 0;
let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (done = resolve));

const ready = (d: DiscoveredDevice) => d.addresses.length > 0;
function check() {
  const ms = performance.now() - t0;
  const list = discovery.list();
  if (list.length && result.firstMs === null) result.firstMs = ms;
  const byHost = new Map(list.filter((d) => d.hostname).map((d) => [d.hostname!.toLowerCase(), d]));
  for (const [host, d] of byHost) {
    if (expected.has(host) && ready(d) && d.vendor !== 'unknown' && result.perHostMs[host] === undefined)
      result.perHostMs[host] = Math.round(ms * 10) / 10;
  }
  const hosts = [...expected].map((h) => byHost.get(h));
  if (result.allAddressedMs === null && hosts.every((d) => d && ready(d))) result.allAddressedMs = ms;
  if (result.completeMs === null && hosts.every((d) => d && ready(d) && d.vendor !== 'unknown')) {
    result.completeMs = ms;
    done();
  }
}
events.onAny((event) => {
  if (event.startsWith('discovery.')) check();
});

const timer = setTimeout(done, input.timeoutMs);
t0 = performance.now();
await discovery.start();
check();
await finished;
clearTimeout(timer);
const final = new Map(discovery.list().map((d) => [d.hostname?.toLowerCase() ?? d.id, d]));
for (const host of expected) {
  const d = final.get(host);
  result.vendors[host] = d?.vendor ?? 'absent';
  if (!d || !ready(d) || d.vendor === 'unknown') result.missing.push(host);
}
await discovery.stop();
for (const key of ['firstMs', 'allAddressedMs', 'completeMs'] as const) {
  const v = result[key];
  if (v !== null) result[key] = Math.round(v * 10) / 10;
}
console.log(JSON.stringify(result));
process.exit(0);
