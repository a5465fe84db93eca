// Test support: a Linux NAS this machine cannot run (LIO, ZFS, kernel NFS…) as an injected runner.
// Each command is answered by the first matching pattern (real tool output from the fixtures), else
// empty success, and every call is recorded so tests assert the exact argv.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from '../../remote/quote';
import type { Runner, RunOptions } from '../../remote/runner';
import type { ExecResult } from '../../remote/ssh';

/** Captured tool output under parsers/__fixtures__ (see the SOURCES.md beside each). */
export const fixture = (...p: string[]) =>
  readFileSync(join(import.meta.dirname, 'parsers', '__fixtures__', ...p), 'utf8');

export interface Call {
  argv: Argv;
  options: RunOptions;
}

/** A host with these tools (answered to the adapter's tool detection) and these answers. */
export function fakeHost(tools: string[], answers: Array<[RegExp, string | ExecResult]>) {
  const calls: Call[] = [];
  const runner: Runner = {
    live: true,
    run: async (argv, options) => {
      calls.push({ argv, options });
      const line = argv.join(' ');
      if (argv[0] === 'sh' && argv[3] === 'detect') return { code: 0, stdout: tools.join('\n') + '\n', stderr: '' };
      const hit = answers.find(([re]) => re.test(line));
      if (!hit) return { code: 0, stdout: '', stderr: '' };
      return typeof hit[1] === 'string' ? { code: 0, stdout: hit[1], stderr: '' } : hit[1];
    },
  };
  const mutating = () => calls.filter((c) => c.options.mutates);
  return {
    runner,
    calls,
    mutating,
    argvs: () => mutating().map((c) => c.argv),
    mutations: () => mutating().map((c) => c.argv.join(' ')),
  };
}
