// The real exec for this computer: spawn with shell:false, a timeout on every call, stdin written
// and closed, extra environment only for the child. Elevation: as root nothing changes; otherwise
// Linux asks through pkexec (polkit) — Windows needs Nasdeck itself elevated for iSCSI cmdlets.
import { spawn } from 'node:child_process';
import type { Exec, ExecResult } from './backend';
import { ISCSI_TIMEOUT_MS } from './backend';

export interface LocalExecOptions {
  /** Called right after a child starts (tests sample /proc/<pid> to prove secrets stay out of argv). */
  onSpawn?: (pid: number, argv: readonly string[]) => void;
  platform?: NodeJS.Platform;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

export function localExec(options: LocalExecOptions = {}): Exec {
  const platform = options.platform ?? process.platform;
  return (request) =>
    new Promise<ExecResult>((resolve) => {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      // pkexec clears the environment, so env-carried secrets must never need elevation (they do not:
      // only iscsi-ls reads one, and it runs unprivileged).
      const argv =
        request.elevated && platform === 'linux' && !isRoot ? ['pkexec', ...request.argv] : [...request.argv];
      let stdout = '';
      let stderr = '';
      let timedOut = false;
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
        env: request.env ? { ...process.env, ...request.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      if (child.pid !== undefined) options.onSpawn?.(child.pid, argv);
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, request.timeoutMs ?? ISCSI_TIMEOUT_MS);
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        finish({
          code: err.code === 'ENOENT' ? 127 : 126,
          stdout,
          stderr: `${stderr}${argv[0]}: ${err.code === 'ENOENT' ? 'command not found' : err.message}\n`,
        }),
      );
      child.on('close', (code, signal) =>
        finish({ code: code ?? (signal ? 128 : 1), stdout, stderr, ...(timedOut ? { timedOut } : {}) }),
      );
      child.stdin.on('error', () => undefined); // a child that exits without reading stdin
      child.stdin.end(request.stdin ?? '');
    });
}
