// Devices seen on the network, live while the Devices page is shown: discovery.start on the way
// in, discovery.list once, then the discovery.* events; discovery.stop on the way out.
// A lost device stays on the list, marked "not reachable since …", until it comes back.
import { SvelteMap } from 'svelte/reactivity';
import type { DiscoveredDevice } from '../../../../shared/domain';
import { call, on, onReconnected } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';
import { addParams, byName, idsOf } from './discovered';

export interface DiscoveredEntry {
  readonly device: DiscoveredDevice;
  /** When it stopped answering (ms since the epoch); null while it is reachable. */
  readonly lostAt: number | null;
}

interface Entry extends DiscoveredEntry {
  /** The change number that last wrote it, so an older list answer cannot overwrite a newer event. */
  readonly seq: number;
}

export interface DiscoveryStoreOptions {
  now?: () => number;
  /** How long to search before saying nothing was found. */
  quietMs?: number;
  maxEntries?: number;
}

export const MAX_DISCOVERED = 500;
const QUIET_MS = 5000;

export class DiscoveryStore {
  // Map order is the order of the last change, so the first lost entry is the one lost longest ago.
  private readonly map = new SvelteMap<string, Entry>();

  /** Sorted by name and then id, so live updates do not make rows jump. */
  readonly entries: DiscoveredEntry[] = $derived([...this.map.values()].sort(byName));
  readonly onlineCount = $derived(this.entries.filter((e) => e.lostAt === null).length);

  /** True once the quiet time has passed since the search started. */
  quiet = $state(false);
  startError = $state<ErrorText | null>(null);
  loadError = $state<ErrorText | null>(null);

  probing = $state(false);
  probeError = $state<ErrorText | null>(null);
  /** The targets of the last probe that finished, for its confirmation. */
  probed = $state<string | null>(null);

  /** The id of the device being added; its Add button waits. */
  adding = $state<string | null>(null);
  addError = $state<{ id: string; name: string; error: ErrorText } | null>(null);

  private seq = 0;
  // Bumped by every start and stop, so answers to an earlier visit are dropped.
  private session = 0;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private readonly quietMs: number;
  private readonly maxEntries: number;

  constructor(options: DiscoveryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.quietMs = options.quietMs ?? QUIET_MS;
    this.maxEntries = options.maxEntries ?? MAX_DISCOVERED;
  }

  /** Starts discovery and follows it; returns the function that stops it (page left). */
  start(): () => void {
    const stops = [
      on('discovery.deviceFound', (d) => this.upsert(d)),
      on('discovery.deviceUpdated', (d) => this.upsert(d)),
      on('discovery.deviceLost', (d) => this.lose(d)),
      onReconnected(() => void this.search()),
    ];
    void this.search();
    return () => {
      for (const stop of stops) stop();
      this.session++;
      clearTimeout(this.quietTimer);
      // Best effort: a failed stop only leaves the app's discovery running a while longer.
      call('discovery.stop', {}).catch(() => undefined);
    };
  }

  /** Starts (or restarts) discovery and loads what it has seen so far. */
  async search(): Promise<void> {
    const session = ++this.session;
    this.quiet = false;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      if (session === this.session) this.quiet = true;
    }, this.quietMs);
    const mark = this.seq;
    const [started, listed] = await Promise.allSettled([call('discovery.start', {}), call('discovery.list', {})]);
    if (session !== this.session) return;
    this.startError = started.status === 'rejected' ? describeError(started.reason) : null;
    this.loadError = listed.status === 'rejected' ? describeError(listed.reason) : null;
    if (listed.status === 'fulfilled') this.reconcile(listed.value, mark);
  }

  /** Probes hosts or ranges (separated by spaces or commas); true when the probe ran. */
  async probe(input: string): Promise<boolean> {
    const targets = input.split(/[\s,]+/).filter(Boolean);
    if (targets.length === 0 || this.probing) return false;
    this.probing = true;
    this.probeError = null;
    this.probed = null;
    const mark = this.seq;
    try {
      // The answer is everything discovery knows after the probe, not only what the probe found.
      this.reconcile(await call('discovery.probe', { targets }), mark);
      this.probed = targets.join(', ');
      return true;
    } catch (err) {
      this.probeError = describeError(err);
      return false;
    } finally {
      this.probing = false;
    }
  }

  /** Saves a discovered device; the saved list then updates from devices.changed. */
  async add(device: DiscoveredDevice): Promise<boolean> {
    const params = addParams(device);
    if (!params || this.adding !== null) return false;
    this.adding = device.id;
    this.addError = null;
    try {
      await call('devices.add', params);
      return true;
    } catch (err) {
      const error = describeError(err);
      this.addError = error ? { id: device.id, name: params.name, error } : null;
      return false;
    } finally {
      this.adding = null;
    }
  }

  /** Found or updated: the device is (again) reachable. */
  upsert(device: DiscoveredDevice): void {
    this.put({ device, lostAt: null, seq: ++this.seq });
  }

  /** Lost: keep it, marked not reachable since now (or since it was first lost). */
  lose(device: DiscoveredDevice): void {
    // Merged into another entry (two sources turned out to be one box): not lost, just gone.
    if (device.mergedInto) {
      this.map.delete(device.id);
      return;
    }
    const current = this.map.get(device.id);
    if (current?.lostAt != null) return;
    this.put({ device, lostAt: this.now(), seq: ++this.seq });
  }

  /** A full list from the app: newer events win; reachable entries missing from it are lost. */
  private reconcile(devices: DiscoveredDevice[], mark: number): void {
    const listed = idsOf(devices);
    for (const device of devices) {
      if ((this.map.get(device.id)?.seq ?? 0) <= mark) this.upsert(device);
    }
    const gone = [...this.map.values()].filter((e) => e.lostAt === null && e.seq <= mark && !listed.has(e.device.id));
    for (const entry of gone) this.lose(entry.device);
  }

  private put(entry: Entry): void {
    const id = entry.device.id;
    this.map.delete(id);
    this.map.set(id, entry);
    if (this.map.size > this.maxEntries) this.evictOne(id);
  }

  /** Drops the entry lost longest ago, else the one that changed longest ago. */
  private evictOne(keep: string): void {
    let victim: string | undefined;
    for (const [id, entry] of this.map) {
      if (id === keep) continue;
      victim ??= id;
      if (entry.lostAt !== null) {
        victim = id;
        break;
      }
    }
    if (victim !== undefined) this.map.delete(victim);
  }
}

export const discoveryStore = new DiscoveryStore();
