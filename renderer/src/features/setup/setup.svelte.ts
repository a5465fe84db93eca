// The setup assistant's live state: the flow (setup-flow.ts) saved after every step so it resumes,
// and the calls each step makes. Provisioning (create a share, then mount it) is rolled back by
// deleting the new share when the mount fails.
import type { CommandParams } from '../../../../shared/api';
import type { Device, Settings, Share } from '../../../../shared/domain';
import { call } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';
import { addParamsOf, type SignInForm } from '../devices/sign-in';
import { shareUrl } from '../mounts/mounts.svelte';
import { initialState, parseState, transition, type SetupEvent, type SetupState } from './setup-flow';

const STORAGE_KEY = 'nasdeck.setup';

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): KeyValue | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export interface ShareChoice {
  share: Share;
  at: string;
}

export class SetupAssistant {
  state = $state<SetupState>(initialState());
  busy = $state<string | null>(null);
  error = $state<{ lead: string; error: ErrorText } | null>(null);
  /** The sign-in error, kept apart: it may be a fingerprint to confirm, not a failure. */
  signInError = $state<ErrorText | null>(null);
  device = $state<Device | null>(null);
  savedDevices = $state<Device[]>([]);
  shares = $state<Share[] | null>(null);
  woke = $state('');

  constructor(private readonly storage: KeyValue | null = defaultStorage()) {
    this.state = parseState(this.storage?.getItem(STORAGE_KEY) ?? null);
  }

  dispatch(event: SetupEvent): void {
    this.state = transition(this.state, event);
    this.error = null;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.state));
    } catch {
      // Private mode or a full disk: the assistant still works, it just does not resume.
    }
  }

  private async run<T>(label: string, lead: string, fn: () => Promise<T>): Promise<T | null> {
    this.busy = label;
    this.error = null;
    try {
      return await fn();
    } catch (err) {
      const error = describeError(err);
      this.error = error ? { lead, error } : null;
      return null;
    } finally {
      this.busy = null;
    }
  }

  async loadSavedDevices(): Promise<void> {
    const list = await this.run('load', 'Could not list your devices:', () => call('devices.list', {}));
    if (list) this.savedDevices = list;
  }

  async wake(device: Device): Promise<void> {
    const sent = await this.run('wake', `Could not wake ${device.name}:`, () =>
      call('devices.wake', { device: device.id }),
    );
    if (sent) this.woke = `Wake-up sent to ${device.name} (${sent.macs.join(', ')}). It may take a minute to start.`;
  }

  /** Signs in and saves the NAS; true when it is added. */
  async signIn(form: SignInForm): Promise<boolean> {
    this.busy = 'signin';
    this.signInError = null;
    try {
      const device = await call('devices.add', addParamsOf(form));
      this.device = device;
      this.dispatch({ type: 'signedIn', id: device.id, name: device.name });
      return true;
    } catch (err) {
      this.signInError = describeError(err);
      return false;
    } finally {
      this.busy = null;
    }
  }

  async loadShares(): Promise<void> {
    const id = this.state.deviceId;
    if (!id) return;
    const [device, shares] = await Promise.all([
      this.run('shares', 'Could not open the NAS:', () => call('devices.get', { device: id })),
      this.run('shares', 'Could not list the shares:', () => call('shares.list', { device: id })),
    ]);
    if (device) this.device = device;
    if (shares) this.shares = shares;
  }

  private mountParams(share: Share, at: string, sign: { user?: string; password?: string }) {
    const params: CommandParams<'mounts.add'> = {
      url: shareUrl(this.device!, share),
      name: `${this.device!.name} ${share.name}`.slice(0, 64),
      autoReconnect: true,
    };
    if (at.trim()) params.at = at.trim();
    if (share.protocol === 'smb' && sign.user) params.user = sign.user;
    if (share.protocol === 'smb' && sign.password) params.password = sign.password;
    return params;
  }

  /** Mounts the chosen shares one by one; stops at the first failure and says which. */
  async mount(choices: ShareChoice[], sign: { user?: string; password?: string }): Promise<boolean> {
    if (!this.device) return false;
    for (const { share, at } of choices) {
      const made = await this.run('mount', `Could not mount ${share.name}:`, () =>
        call('mounts.add', this.mountParams(share, at, sign)),
      );
      if (!made) return false;
      const where = made.applied ? made.value.mountPoint : at;
      this.dispatch({ type: 'mounted', what: `${share.name} at ${where}` });
    }
    return true;
  }

  /**
   * Creates a share on the NAS and mounts it. When the mount fails, the new share is deleted again
   * so the NAS is left as it was; the error says both what failed and that it was undone.
   */
  async createAndMount(
    spec: Omit<CommandParams<'shares.create'>, 'device' | 'dryRun'>,
    at: string,
    sign: { user?: string; password?: string },
  ): Promise<boolean> {
    const id = this.state.deviceId;
    if (!id || !this.device) return false;
    const made = await this.run('create', `Could not create the share ${spec.name}:`, () =>
      call('shares.create', { ...spec, device: id }),
    );
    if (!made?.applied) return false;
    const share = made.value;
    this.dispatch({ type: 'nasChanged', what: `Created the ${share.protocol.toUpperCase()} share ${share.name}` });
    this.busy = 'mount';
    try {
      const mounted = await call('mounts.add', this.mountParams(share, at, sign));
      const where = mounted.applied ? mounted.value.mountPoint : at;
      this.dispatch({ type: 'mounted', what: `${share.name} at ${where}` });
      return true;
    } catch (err) {
      const error = describeError(err);
      let undone = false;
      try {
        await call('shares.delete', { device: id, share: share.name, protocol: share.protocol });
        undone = true;
        this.dispatch({ type: 'nasChanged', what: `Deleted ${share.name} again: mounting it failed` });
      } catch {
        // Reported below: the share stays, and the user is told so.
      }
      await this.loadShares();
      this.error = error
        ? {
            lead: undone
              ? `Could not mount ${share.name}, so the new share was deleted again:`
              : `Could not mount ${share.name}, and deleting the new share failed too — delete it on the Shares tab:`,
            error,
          }
        : null;
      return false;
    } finally {
      this.busy = null;
    }
  }

  async saveOptions(patch: Pick<Settings, 'startAtLogin' | 'autoReconnect'>): Promise<boolean> {
    const saved = await this.run('options', 'Could not save the options:', () => call('settings.set', patch));
    return saved !== null;
  }

  /** Marks setup done (it no longer opens at start) and forgets the saved progress. */
  async finish(): Promise<boolean> {
    const saved = await this.run('finish', 'Could not finish setup:', () =>
      call('settings.set', { setupCompleted: true }),
    );
    if (!saved) return false;
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // Nothing to resume is the worst case.
    }
    return true;
  }

  restart(): void {
    this.device = null;
    this.shares = null;
    this.signInError = null;
    this.dispatch({ type: 'restart' });
  }
}
