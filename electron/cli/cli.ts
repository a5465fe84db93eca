// The CLI's shared machinery: global options, one core per run, calls through the dispatcher.
import type { Command } from 'commander';
import type { CommandName, CommandParams, CommandResult } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { createCore, type Core, type CoreOptions } from '../core/api';
import type { CliIo } from './io';
import { printable } from './output';

export interface GlobalOptions {
  json?: boolean;
  configDir?: string;
}

export interface CliDeps {
  io: CliIo;
  /** Tests inject a vault; the real CLI uses the OS keychain. */
  coreOptions?: Omit<CoreOptions, 'configDir'>;
}

export class Cli {
  private coreInstance: Core | undefined;
  constructor(
    private readonly program: Command,
    private readonly deps: CliDeps,
  ) {}

  get io() {
    return this.deps.io;
  }

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  core(cmd: Command): Core {
    const configDir = this.globals(cmd).configDir ?? this.io.env.NASDECK_CONFIG_DIR;
    this.coreInstance ??= createCore({ ...this.deps.coreOptions, ...(configDir ? { configDir } : {}) });
    return this.coreInstance;
  }

  /** Calls core through the dispatcher (so params are validated exactly as for the app). */
  async call<N extends CommandName>(cmd: Command, method: N, params: CommandParams<N>): Promise<CommandResult<N>> {
    const envelope = await this.core(cmd).dispatch(method, params);
    if (!envelope.ok) throw envelope.error;
    return envelope.value as CommandResult<N>;
  }

  async close() {
    await this.coreInstance?.close();
  }

  print(cmd: Command, value: unknown, human: () => string) {
    this.io.stdout(this.globals(cmd).json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    throw new AppError('INVALID_INPUT', `Port "${printable(value)}" is not between 1 and 65535.`);
  }
  return n;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600)
    throw new AppError('INVALID_INPUT', `--timeout takes seconds between 0.1 and 3600, not "${printable(value)}".`);
  return n;
}
