// Saved mounts with their live state (mounts.list, then mounts.changed), and the actions on them.
import type { CommandParams } from '../../../../shared/api';
import type { Device, Mount, Share } from '../../../../shared/domain';
import { call, on, onReconnected } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';

/** The mount URL of a NAS share: SMB by share name, NFS by its exported folder. */
export function shareUrl(device: Pick<Device, 'host'>, share: Pick<Share, 'protocol' | 'name' | 'path'>): string {
  const host = device.host.includes(':') && !device.host.startsWith('[') ? `[${device.host}]` : device.host;
  return share.protocol === 'smb'
    ? `smb://${host}/${encodeURIComponent(share.name)}`
    : `nfs://${host}${share.path.startsWith('/') ? share.path : `/${share.path}`}`;
}

export class MountsStore {
  mounts = $state<Mount[]>([]);
  loaded = $state(false);
  loadError = $state<ErrorText | null>(null);
  /** The mount an action runs on now (its id), or "add". */
  busy = $state<string | null>(null);
  actionError = $state<{ lead: string; error: ErrorText } | null>(null);
  done = $state('');

  start(): () => void {
    const stops = [
      on('mounts.changed', ({ mounts }) => {
        this.mounts = mounts;
        this.loaded = true;
      }),
      onReconnected(() => void this.load()),
    ];
    void this.load();
    return () => stops.forEach((stop) => stop());
  }

  async load(): Promise<void> {
    try {
      this.mounts = await call('mounts.list', {});
      this.loaded = true;
      this.loadError = null;
    } catch (err) {
      this.loadError = describeError(err);
    }
  }

  private async act(key: string, lead: string, done: string, run: () => Promise<unknown>): Promise<boolean> {
    this.busy = key;
    this.actionError = null;
    this.done = '';
    try {
      await run();
      this.done = done;
      return true;
    } catch (err) {
      const error = describeError(err);
      this.actionError = error ? { lead, error } : null;
      return false;
    } finally {
      this.busy = null;
    }
  }

  private async refreshAfter(ok: boolean) {
    if (ok) await this.load();
    return ok;
  }

  up = (m: Mount) =>
    this.act(m.id, `Could not mount ${m.name}:`, `${m.name} is mounted at ${m.mountPoint}.`, () =>
      call('mounts.up', { mount: m.id }),
    ).then((ok) => this.refreshAfter(ok));

  down = (m: Mount) =>
    this.act(m.id, `Could not unmount ${m.name}:`, `${m.name} is unmounted.`, () =>
      call('mounts.down', { mount: m.id }),
    ).then((ok) => this.refreshAfter(ok));

  open = (m: Mount) =>
    this.act(m.id, `Could not open ${m.name}:`, `${m.name} is open in the file manager.`, () =>
      call('mounts.open', { mount: m.id }),
    );

  remove = (m: Mount) =>
    this.act(m.id, `Could not remove ${m.name}:`, `${m.name} is removed.`, () =>
      call('mounts.remove', { mount: m.id }),
    ).then((ok) => this.refreshAfter(ok));

  add = (params: CommandParams<'mounts.add'>) =>
    this.act('add', 'Could not add the mount:', `Mount added.`, () => call('mounts.add', params)).then((ok) =>
      this.refreshAfter(ok),
    );
}

export const mountsStore = new MountsStore();

/** The saved devices and, for the one picked, its shares: what "add from a device" offers. */
export class SharePicker {
  devices = $state<Device[]>([]);
  shares = $state<Share[] | null>(null);
  error = $state<ErrorText | null>(null);
  loading = $state(false);

  async loadDevices(): Promise<void> {
    try {
      this.devices = await call('devices.list', {});
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async pick(deviceId: string): Promise<void> {
    this.shares = null;
    this.error = null;
    if (!deviceId) return;
    this.loading = true;
    try {
      this.shares = await call('shares.list', { device: deviceId });
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loading = false;
    }
  }
}
