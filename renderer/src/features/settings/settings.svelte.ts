// App settings and facts about this installation. Loaded at start-up: the theme applies everywhere.
import type { AppInfo, Settings } from '../../../../shared/domain';
import { call, on, onReconnected } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';

export class SettingsStore {
  settings = $state<Settings | null>(null);
  info = $state<AppInfo | null>(null);
  loadError = $state<ErrorText | null>(null);
  saveError = $state<ErrorText | null>(null);
  /** Settles when the load started by the last start() has answered (or failed). */
  ready: Promise<void> = Promise.resolve();

  /** Loads settings and follows changes made elsewhere (the CLI, another window). */
  start(): () => void {
    const stopEvents = on('settings.changed', (settings) => {
      this.settings = settings;
    });
    const stopReconnect = onReconnected(() => void this.load());
    this.ready = this.load();
    return () => {
      stopEvents();
      stopReconnect();
    };
  }

  async load(): Promise<void> {
    const [settings, info] = await Promise.allSettled([call('settings.get', {}), call('app.info', {})]);
    if (settings.status === 'fulfilled') this.settings = settings.value;
    if (info.status === 'fulfilled') this.info = info.value;
    const failed = [settings, info].find((result) => result.status === 'rejected');
    this.loadError = failed ? describeError(failed.reason) : null;
  }

  // Numbers each save, so only the answer to the latest one is shown when clicks overlap.
  private saves = 0;

  /** Changes some settings; shows the change at once and puts it back if saving fails. */
  async update(patch: Partial<Settings>): Promise<void> {
    const save = ++this.saves;
    const before = this.settings;
    if (before) this.settings = { ...before, ...patch };
    this.saveError = null;
    try {
      const saved = await call('settings.set', patch);
      if (save === this.saves) this.settings = saved;
    } catch (err) {
      if (save === this.saves) this.settings = before;
      this.saveError = describeError(err);
    }
  }
}

export const settingsStore = new SettingsStore();
