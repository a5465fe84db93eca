// The device list as the app knows it: loaded once, then kept current by `devices.changed`.
import type { CommandParams } from '../../../../shared/api';
import type { Device } from '../../../../shared/domain';
import { call, on, onReconnected } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';

export class DevicesStore {
  devices = $state<Device[]>([]);
  loaded = $state(false);
  loadError = $state<ErrorText | null>(null);

  adding = $state(false);
  addError = $state<ErrorText | null>(null);
  /** The last device added here, for the "Added …" confirmation. */
  added = $state<Device | null>(null);

  /** The device whose removal waits for the user's confirmation. */
  confirming = $state<Device | null>(null);
  removing = $state(false);
  removeError = $state<{ device: Device; error: ErrorText } | null>(null);

  // Bumped by every pushed list, so a slower devices.list answer cannot overwrite a newer push.
  private revision = 0;

  /** Loads the list and follows changes; returns the function that stops following. */
  start(): () => void {
    const stopEvents = on('devices.changed', ({ devices }) => {
      this.revision++;
      this.devices = devices;
      this.loaded = true;
      this.loadError = null;
    });
    const stopReconnect = onReconnected(() => void this.load());
    void this.load();
    return () => {
      stopEvents();
      stopReconnect();
    };
  }

  async load(): Promise<void> {
    const revision = this.revision;
    try {
      const devices = await call('devices.list', {});
      if (revision !== this.revision) return;
      this.devices = devices;
      this.loaded = true;
      this.loadError = null;
    } catch (err) {
      this.loadError = describeError(err);
    }
  }

  /** Adds a NAS by address; true when it was added. */
  add(address: string, name: string): Promise<boolean> {
    const trimmedName = name.trim();
    const host = address.trim();
    return this.addWith(trimmedName ? { host, name: trimmedName } : { host });
  }

  /** Adds a NAS with sign-in details (user, password, confirmed fingerprints…). */
  async addWith(params: CommandParams<'devices.add'>): Promise<boolean> {
    this.adding = true;
    this.addError = null;
    this.added = null;
    try {
      const device = await call('devices.add', params);
      // The list itself updates from the devices.changed push, the one source of truth.
      this.added = device;
      return true;
    } catch (err) {
      this.addError = describeError(err);
      return false;
    } finally {
      this.adding = false;
    }
  }

  askToRemove(device: Device): void {
    this.removeError = null;
    this.confirming = device;
  }

  cancelRemove(): void {
    if (!this.removing) this.confirming = null;
  }

  async confirmRemove(): Promise<void> {
    const device = this.confirming;
    if (!device || this.removing) return;
    this.removing = true;
    try {
      await call('devices.remove', { device: device.id });
      this.devices = this.devices.filter((d) => d.id !== device.id);
      if (this.added?.id === device.id) this.added = null;
    } catch (err) {
      const error = describeError(err);
      this.removeError = error ? { device, error } : null;
    } finally {
      this.removing = false;
      this.confirming = null;
    }
  }
}

export const devicesStore = new DevicesStore();
