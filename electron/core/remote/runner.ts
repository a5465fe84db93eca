// How capabilities run commands on a NAS: a Runner. The SSH runner executes; the plan runner
// (--dry-run) lets reads through and records every mutation as a step without running it.
import type { PlanStep } from '../../../shared/domain';
import type { Argv } from './quote';
import type { ExecResult } from './ssh';

export interface RunOptions {
  /** What this step does, in the words a plan shows. */
  description: string;
  sudo?: boolean;
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Changes state: recorded, not run, in a plan. */
  mutates?: boolean;
  /** Values to show as *** in plans and errors (secrets that must travel in argv). */
  secrets?: string[];
}

export interface Runner {
  run(argv: Argv, options: RunOptions): Promise<ExecResult>;
  /** Whether mutations actually happen (false while planning). */
  readonly live: boolean;
}

export function redact(argv: readonly string[], secrets: readonly string[] = []): string[] {
  return argv.map((a) => secrets.reduce((text, s) => (s ? text.split(s).join('***') : text), a));
}

export class PlanRunner implements Runner {
  readonly live = false;
  constructor(
    private readonly reads: Runner,
    /** Where the planned steps go (a dry run of a vendor API records into the same kind of list). */
    readonly steps: PlanStep[] = [],
  ) {}

  async run(argv: Argv, options: RunOptions): Promise<ExecResult> {
    if (!options.mutates) return this.reads.run(argv, options);
    this.steps.push({
      where: 'remote',
      argv: redact(argv, options.secrets),
      ...(options.sudo ? { elevated: true } : {}),
      description: options.description,
    });
    return { code: 0, stdout: '', stderr: '' };
  }
}
