// The one way the client side runs a program on this computer (mounts, iSCSI initiator): argv
// without a shell, stdin written then closed, extra environment for the child only, a timeout that
// kills the whole process group, capped output, and pkexec for `elevated` requests on Linux.
//
// The convention: exec resolves for anything the program did or failed to do; it rejects only for
// a call that names nothing to run. A program killed by the timeout comes back at once as
// { code: 137, timedOut: true } (a child stuck in the kernel on a dead mount may take long to go
// away); a program that is not installed as { code: 127, missing: true } — the codes a shell gives.
// `unanswered` turns those two into typed errors for callers that want exceptions.
import { spawn } from 'node:child_process';
import { AppError } from '../../../shared/errors';

export interface ExecRequest {
  /** The program and its arguments (never a shell line). */
  argv: readonly string[];
  /** Written to the child's stdin, then closed (secrets travel this way, never in argv). */
  stdin?: string;
  /** Extra environment for this child only: how a secret reaches a tool that cannot read stdin. */
  env?: Record<string, string>;
  /** Needs administrator rights: on Linux, when not root, the program runs through pkexec (polkit);
   *  elsewhere it changes nothing (Windows: Nasdeck itself must run elevated). */
  elevated?: boolean;
  /** The child and everything it started are killed after this long (default 30 s). */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed by the timeout (code 137). */
  timedOut?: boolean;
  /** The program is not installed here (code 127). */
  missing?: boolean;
}

/** Runs one program. Injected, so Windows and macOS code runs on Linux in tests. */
export type Exec = (request: ExecRequest) => Promise<ExecResult>;

export interface ExecOptions {
  /** The environment every child starts from (default: this process's). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Called right after a child starts (tests sample /proc/<pid> to prove secrets stay out of argv). */
  onSpawn?: (pid: number, argv: readonly string[]) => void;
  /** With isRoot, decides whether `elevated` needs pkexec (default: this computer's). */
  platform?: NodeJS.Platform;
  isRoot?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 4 * 1024 * 1024;
const TIMED_OUT_CODE = 137;
const MISSING_CODE = 127;

export function createExec(options: ExecOptions = {}): Exec {
  const platform = options.platform ?? process.platform;
  const baseEnv = options.baseEnv ?? process.env;
  const isRoot = options.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  // Windows has no process groups to kill, and `detached` there means a new console window.
  const ownGroup = process.platform !== 'win32';
  return (request) =>
    new Promise<ExecResult>((resolve, reject) => {
      if (!request.argv[0]) return reject(new AppError('INTERNAL', 'Nothing to run.'));
      // pkexec clears the environment, so env-carried secrets must never need elevation.
      const argv =
        request.elevated && platform === 'linux' && !isRoot ? ['pkexec', ...request.argv] : [...request.argv];
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (result: ExecResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const child = spawn(argv[0]!, argv.slice(1), {
        shell: false,
        windowsHide: true,
        detached: ownGroup, // own process group, so a timeout can kill helpers it started too
        // LC_ALL=C: the parsers read English tool messages.
        env: { ...baseEnv, ...request.env, LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      if (child.pid !== undefined) options.onSpawn?.(child.pid, argv);
      const timer = setTimeout(() => {
        try {
          if (!ownGroup) throw new Error('no process group');
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ code: TIMED_OUT_CODE, stdout, stderr, timedOut: true });
      }, request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        finish(
          err.code === 'ENOENT'
            ? { code: MISSING_CODE, stdout, stderr: `${stderr}${argv[0]}: command not found\n`, missing: true }
            : { code: 126, stdout, stderr: `${stderr}${argv[0]}: ${err.message}\n` },
        ),
      );
      child.on('close', (code, signal) => finish({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      child.stdin.on('error', () => undefined); // a child that exits without reading stdin
      child.stdin.end(request.stdin ?? '');
    });
}

/** The typed error for a program that gave no answer (TIMEOUT, or NOT_SUPPORTED when missing), else null. */
export function unanswered(request: ExecRequest, result: ExecResult): AppError | null {
  const file = request.argv[0];
  if (result.timedOut) {
    return new AppError('TIMEOUT', `${file} gave no answer within ${request.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms.`, {
      argv: [...request.argv],
    });
  }
  if (result.missing) {
    return new AppError('NOT_SUPPORTED', `${file} is not installed on this computer.`, { missing: file });
  }
  return null;
}

/** exec, with a timeout or a missing program thrown as unanswered's typed error. */
export async function execAnswered(exec: Exec, request: ExecRequest): Promise<ExecResult> {
  const result = await exec(request);
  const err = unanswered(request, result);
  if (err) throw err;
  return result;
}
