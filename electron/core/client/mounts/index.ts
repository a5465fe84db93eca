// This computer's mounts: saved profiles, one backend per OS (windows.ts, macos.ts, linux.ts)
// chosen once, and a liveness monitor that keeps them mounted.
// SCAFFOLD: the contract is wired; the implementation lands with issue #7.
import type { CommandResult, ParsedParams } from '../../../../shared/api';
import type { Mount } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { EventBus } from '../../events';
import type { JobManager } from '../../jobs/jobs';
import type { SecretVault } from '../../secrets/vault';
import type { ConfigStore } from '../../store/config';

export interface MountServiceDeps {
  store: ConfigStore;
  vault: SecretVault;
  events: EventBus;
  jobs: JobManager;
}

const notYet = () => new AppError('NOT_SUPPORTED', 'Mounting shares on this computer is not available yet.');

export class MountService {
  constructor(readonly deps: MountServiceDeps) {}

  async list(): Promise<Mount[]> {
    return [];
  }
  async add(_params: ParsedParams<'mounts.add'>): Promise<CommandResult<'mounts.add'>> {
    throw notYet();
  }
  async remove(_params: ParsedParams<'mounts.remove'>): Promise<CommandResult<'mounts.remove'>> {
    throw notYet();
  }
  async up(_params: ParsedParams<'mounts.up'>): Promise<CommandResult<'mounts.up'>> {
    throw notYet();
  }
  async down(_params: ParsedParams<'mounts.down'>): Promise<CommandResult<'mounts.down'>> {
    throw notYet();
  }
  /** Starts the liveness monitor (the app and browser host call this; the CLI does not). */
  startMonitor(): void {}
  async close(): Promise<void> {}
}
