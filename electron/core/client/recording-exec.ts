// Test support: an injected exec for OS code this machine cannot run (Windows, macOS, root mounts).
// Every call is recorded so tests assert the exact argv and options; `reply` answers each one with
// real captured output where the test gives some.
import type { Exec, ExecRequest } from './exec';

export interface Reply {
  code: number;
  stdout?: string;
  stderr?: string;
}

export function recordingExec(reply: (argv: readonly string[]) => Reply = () => ({ code: 0 })) {
  const calls: { argv: readonly string[]; options: Omit<ExecRequest, 'argv'> }[] = [];
  const exec: Exec = async ({ argv, ...options }) => {
    calls.push({ argv, options });
    const r = reply(argv);
    return { code: r.code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return { exec, calls };
}
