// The health of every saved NAS for the Devices list: nas.status per device, when it last
// answered, and why it does not now. Checked when the list is shown and every minute after.
import { SvelteMap } from 'svelte/reactivity';
import type { Device, HealthState } from '../../../../shared/domain';
import { call } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';

export interface FleetEntry {
  health: HealthState;
  /** Summed over the pools; null until the first answer. */
  usedBytes: number | null;
  sizeBytes: number | null;
  reachable: boolean | null;
  /** ms since the epoch of the last answer; null when it never answered in this session. */
  lastSeen: number | null;
  checking: boolean;
  error: ErrorText | null;
}

const REFRESH_MS = 60_000;
const blank = (): FleetEntry => ({
  health: 'unknown',
  usedBytes: null,
  sizeBytes: null,
  reachable: null,
  lastSeen: null,
  checking: false,
  error: null,
});

export class FleetStore {
  private readonly map = new SvelteMap<string, FleetEntry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly refreshMs = REFRESH_MS,
  ) {}

  entry(id: string): FleetEntry {
    return this.map.get(id) ?? blank();
  }

  /** Checks each device now and then every refresh interval; returns the stop. */
  follow(devices: () => readonly Device[]): () => void {
    const timer = setInterval(() => void this.checkAll(devices()), this.refreshMs);
    return () => clearInterval(timer);
  }

  checkAll(devices: readonly Device[]): Promise<void[]> {
    return Promise.all(devices.map((d) => this.check(d.id)));
  }

  /** Checks devices that have no entry yet (just added, or the list just loaded). */
  checkNew(devices: readonly Device[]): void {
    for (const d of devices) if (!this.map.has(d.id)) void this.check(d.id);
  }

  async check(id: string): Promise<void> {
    const before = this.entry(id);
    if (before.checking) return;
    this.map.set(id, { ...before, checking: true });
    try {
      const status = await call('nas.status', { device: id });
      this.map.set(id, {
        health: status.health,
        usedBytes: status.pools.reduce((n, p) => n + p.usedBytes, 0),
        sizeBytes: status.pools.reduce((n, p) => n + p.sizeBytes, 0),
        reachable: true,
        lastSeen: this.now(),
        checking: false,
        error: null,
      });
    } catch (err) {
      const error = describeError(err);
      // Sign-in or host-key problems mean the NAS answered: it is there, but we cannot manage it.
      const answered =
        error !== null &&
        [
          'AUTH_FAILED',
          'HOST_KEY_UNKNOWN',
          'HOST_KEY_CHANGED',
          'CERT_MISMATCH',
          'PERMISSION_DENIED',
          'NOT_SUPPORTED',
        ].includes(error.code);
      this.map.set(id, {
        ...before,
        health: answered ? before.health : 'unknown',
        reachable: answered,
        lastSeen: answered ? this.now() : before.lastSeen,
        checking: false,
        error,
      });
    }
  }
}

export const fleetStore = new FleetStore();
