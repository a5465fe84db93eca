// Running commands on a Linux NAS: through the device's Runner (SSH, or a plan for --dry-run),
// failures as typed errors, and what the host has detected once per adapter.
import type { Argv } from '../../remote/quote';
import { commandError } from '../../remote/command-error';
import type { Runner, RunOptions } from '../../remote/runner';
import type { ExecResult } from '../../remote/ssh';

export const TOOLS = [
  'btrfs',
  'zpool',
  'zfs',
  'mdadm',
  'lvs',
  'lsblk',
  'findmnt',
  'smartctl',
  'net',
  'testparm',
  'smbpasswd',
  'ganesha.nfsd',
  'exportfs',
  'tgtadm',
  'targetcli',
] as const;
export type Tool = (typeof TOOLS)[number] | 'mdstat';

// A constant script: tool names arrive as positional arguments. sbin is added because a
// non-root SSH session's PATH often lacks it while sudo's secure_path has it.
const DETECT =
  'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; for t in "$@"; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; [ -r /proc/mdstat ] && echo mdstat; exit 0';

export function detectTools(runner: Runner): Promise<Set<Tool>> {
  return runner
    .run(['sh', '-c', DETECT, 'detect', ...TOOLS], { description: 'Detect storage and sharing tools' })
    .then((r) => new Set(r.stdout.split('\n').filter(Boolean) as Tool[]));
}

export class Shell {
  constructor(
    readonly runner: Runner,
    /** Shared across adapters of one device: what a host has installed rarely changes. */
    private detected?: Promise<Set<Tool>>,
  ) {}

  get live() {
    return this.runner.live;
  }

  run(argv: Argv, options: RunOptions): Promise<ExecResult> {
    return this.runner.run(argv, options);
  }

  /** stdout of a command that must succeed (exit codes in `ok`, default 0). */
  async out(argv: Argv, options: RunOptions & { ok?: number[] }): Promise<string> {
    const result = await this.runner.run(argv, options);
    if (!(options.ok ?? [0]).includes(result.code))
      throw commandError(argv, result, options.description, options.secrets);
    return result.stdout;
  }

  tools(): Promise<Set<Tool>> {
    this.detected ??= detectTools(this.runner);
    return this.detected;
  }

  async has(tool: Tool): Promise<boolean> {
    return (await this.tools()).has(tool);
  }
}
