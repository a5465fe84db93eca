// Polls the health of managed NAS devices now and then, so the shell can tell the user about a
// degraded pool or a failing disk while the app sits in the tray. One device at a time; a device
// that does not answer is skipped until the next round (the NAS may simply be asleep).
import type { Device, NasStatus } from '../../../shared/domain';

export interface HealthWatchDeps {
  listDevices: () => Promise<Device[]>;
  status: (deviceId: string) => Promise<NasStatus>;
  onStatus: (status: NasStatus, device: Device) => void;
  intervalMs?: number;
  /** Delay before the first round, so startup is not slowed by SSH handshakes. */
  firstDelayMs?: number;
}

/** Devices Nasdeck can ask for their health: ones with credentials to manage them. */
export const isManaged = (device: Device): boolean =>
  device.access.secrets.length > 0 || (!!device.access.user && !!device.access.identityFile);

export class HealthWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly deps: HealthWatchDeps) {}

  /** One round over every managed device; never throws. */
  check(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.deps.firstDelayMs ?? 60_000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number) {
    this.timer = setTimeout(() => {
      void this.check().then(() => {
        if (!this.stopped) this.schedule(this.deps.intervalMs ?? 15 * 60_000);
      });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const devices = await this.deps.listDevices().catch(() => []);
    for (const device of devices.filter(isManaged)) {
      if (this.stopped && this.timer !== undefined) return;
      const status = await this.deps.status(device.id).catch(() => null);
      if (status) this.deps.onStatus(status, device);
    }
  }
}
