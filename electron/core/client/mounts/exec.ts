// The real `exec` for mount backends: argv without a shell, stdin written then closed, and a
// timeout that kills the whole process group (a `stat` stuck on a dead mount must not linger).
import { spawn } from 'node:child_process';
import { AppError } from '../../../../shared/errors';
import type { Exec } from './backend';

const MAX_OUTPUT = 1 << 20;

export function createExec(baseEnv: NodeJS.ProcessEnv = process.env): Exec {
  return (argv, options = {}) =>
    new Promise((resolve, reject) => {
      const [file, ...args] = argv;
      if (!file) return reject(new AppError('INTERNAL', 'Nothing to run.'));
      const child = spawn(file, args, {
        shell: false,
        detached: true, // own process group, so a timeout can kill helpers it started too
        env: { ...baseEnv, ...options.env, LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timeoutMs = options.timeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        // Answer now: a child stuck in the kernel on a dead mount may take long to go away.
        child.stdout.destroy();
        child.stderr.destroy();
        reject(new AppError('TIMEOUT', `${file} gave no answer within ${timeoutMs} ms.`, { argv: [...argv] }));
      }, timeoutMs);
      child.stdout.on('data', (c: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += c.toString('utf8');
      });
      child.stderr.on('data', (c: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += c.toString('utf8');
      });
      child.stdin.on('error', () => undefined); // a child that exits without reading stdin
      child.stdin.end(options.stdin ?? '');
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT'
            ? new AppError('NOT_SUPPORTED', `${file} is not installed on this computer.`, { missing: file })
            : new AppError('INTERNAL', `Could not run ${file}: ${err.message}`),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (!timedOut) resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
}
