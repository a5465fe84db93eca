// This computer's iSCSI initiator: one backend per OS (windows.ts, linux.ts, macos.ts), the one for
// this platform chosen once. `--os` with --dry-run plans for another OS without running anything.
import type { CommandResult, ParsedParams } from '../../../../shared/api';
import type { ClientOs, InitiatorSession } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import { createExec, type Exec } from '../exec';
import { notConnected, planStep, portalText, parsePortal, type InitiatorBackend } from './backend';
import { LinuxInitiator, realLinuxHost, type LinuxHost } from './linux';
import { MacosInitiator, realPathExists, type PathExists } from './macos';
import { WindowsInitiator } from './windows';

export interface InitiatorServiceOptions {
  /** Runs commands on this computer; tests inject captured output. */
  exec?: Exec;
  platform?: NodeJS.Platform;
  linuxHost?: LinuxHost;
  macPathExists?: PathExists;
  /** The initiator name iscsi-ls presents (default: $NASDECK_INITIATOR_IQN, then open-iscsi's). */
  initiatorName?: string;
}

const PLATFORM_OS: Partial<Record<NodeJS.Platform, ClientOs>> = { win32: 'windows', darwin: 'macos', linux: 'linux' };

export class InitiatorService {
  /** This computer's OS, or undefined where no initiator is supported. */
  readonly os: ClientOs | undefined;
  private readonly backends = new Map<ClientOs, InitiatorBackend>();

  constructor(private readonly options: InitiatorServiceOptions = {}) {
    this.os = PLATFORM_OS[options.platform ?? process.platform];
  }

  private create(os: ClientOs): InitiatorBackend {
    const exec = this.options.exec ?? createExec();
    if (os === 'windows') return new WindowsInitiator(exec);
    if (os === 'macos') return new MacosInitiator(this.options.macPathExists ?? realPathExists);
    const host = this.options.linuxHost ?? realLinuxHost({ initiatorName: this.options.initiatorName });
    return new LinuxInitiator(exec, host);
  }

  /** The backend for `os` (default: this computer). Another OS's backend only ever plans. */
  private backend(os: ClientOs | undefined, planning: boolean): InitiatorBackend {
    const target = os ?? this.os;
    if (!target) {
      throw new AppError('NOT_SUPPORTED', `Nasdeck has no iSCSI initiator for ${process.platform}.`, {
        fix: 'Plan for a supported system with --os windows|macos|linux --dry-run.',
      });
    }
    if (target !== this.os && !planning) {
      throw new AppError('INVALID_INPUT', `This computer is not ${target}: --os ${target} can only plan.`, {
        fix: 'Add --dry-run to see the steps for that system.',
      });
    }
    let backend = this.backends.get(target);
    if (!backend) this.backends.set(target, (backend = this.create(target)));
    return backend;
  }

  async discover(params: ParsedParams<'initiator.discover'>): Promise<CommandResult<'initiator.discover'>> {
    return this.backend(params.os, false).discover(params);
  }

  async connect(params: ParsedParams<'initiator.connect'>): Promise<CommandResult<'initiator.connect'>> {
    const backend = this.backend(params.os, params.dryRun === true);
    const steps = backend.planConnect(params).map(planStep);
    if (params.dryRun) return { applied: false, steps };
    return { applied: true, value: await backend.connect(params), steps };
  }

  async disconnect(params: ParsedParams<'initiator.disconnect'>): Promise<CommandResult<'initiator.disconnect'>> {
    const backend = this.backend(params.os, params.dryRun === true);
    if (!params.dryRun) {
      const ended = await backend.disconnect(params);
      return { applied: true, value: ended, steps: backend.planDisconnect(params, ended).map(planStep) };
    }
    let sessions: InitiatorSession[] | undefined;
    if (backend.os === this.os) {
      // planning here: the plan names the sessions that exist
      const portal = params.portal ? portalText(parsePortal(params.portal)) : undefined;
      sessions = (await backend.list()).filter(
        (s) => (!params.iqn || s.iqn === params.iqn) && (!portal || s.portal === portal),
      );
      if (sessions.length === 0) throw notConnected(params.iqn);
    } else if (!params.iqn) {
      throw new AppError('INVALID_INPUT', `Name the target (IQN) to plan a disconnect on ${backend.os}.`);
    }
    return { applied: false, steps: backend.planDisconnect(params, sessions).map(planStep) };
  }

  async list(params: ParsedParams<'initiator.list'>): Promise<CommandResult<'initiator.list'>> {
    return this.backend(params.os, false).list();
  }
}
