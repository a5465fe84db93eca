import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BATCH_SCRIPT, BatchingRunner, parseBatchOutput } from './batch';
import type { Argv } from './quote';
import type { Runner, RunOptions } from './runner';
import type { ExecResult } from './ssh';

/** Runs argv on this machine (sudo ignored: the script is what is under test). */
function localRunner(calls: Argv[]): Runner {
  return {
    live: true,
    run: (argv: Argv, _o: RunOptions) =>
      new Promise<ExecResult>((resolve) => {
        calls.push(argv);
        execFile(argv[0], argv.slice(1), { encoding: 'buffer' }, (err, stdout, stderr) =>
          resolve({
            code: err ? ((err as { code?: number }).code ?? 1) : 0,
            stdout: stdout.toString('utf8'),
            stderr: stderr.toString('utf8'),
          }),
        );
      }),
  };
}

const commands: Argv[] = [
  ['printf', '%s\\n\\n\\n', 'trailing newlines kept'],
  ['sh', '-c', 'echo out; echo err >&2; exit 3'],
  ['printf', '%s', 'ünïcødé ✓ 𝄞'],
  ['true'],
  ['printf', '%s', '$(id) `id` ; | && \'" literal'],
  ['no-such-command-nasdeck'],
];

describe('BatchingRunner', () => {
  it('runs privileged reads issued together as one command, each with its own result', async () => {
    const calls: Argv[] = [];
    const inner = localRunner(calls);
    const batching = new BatchingRunner(inner);
    const batched = await Promise.all(commands.map((argv) => batching.run(argv, { description: 'read', sudo: true })));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(0, 3)).toEqual(['bash', '-c', BATCH_SCRIPT]);
    const separate = await Promise.all(commands.map((argv) => inner.run(argv, { description: 'read' })));
    expect(batched.map((r) => r.stdout)).toEqual(separate.map((r) => r.stdout));
    expect(batched.map((r) => r.code)).toEqual([0, 3, 0, 0, 0, 127]);
    expect(batched[1]!.stderr).toBe('err\n');
    expect(batched[5]!.stderr).toMatch(/not found/);
  });

  it('passes mutations, stdin and unprivileged calls straight through', async () => {
    const calls: Argv[] = [];
    const batching = new BatchingRunner(localRunner(calls));
    await Promise.all([
      batching.run(['true'], { description: 'a', sudo: true, mutates: true }),
      batching.run(['true'], { description: 'b' }),
      batching.run(['echo'], { description: 'c', sudo: true, stdin: 'x' }),
    ]);
    expect(calls.map((c) => c[0])).toEqual(['true', 'true', 'echo']);
  });

  it('refuses framing that does not add up', () => {
    expect(() => parseBatchOutput(Buffer.from('0 5 0\nabc'), 1)).toThrow(/cut short/);
    expect(() => parseBatchOutput(Buffer.from('garbage'), 1)).toThrow(/no result/);
    expect(parseBatchOutput(Buffer.from('0 3 2\nabcde1 0 0\n'), 2)).toEqual([
      { code: 0, stdout: 'abc', stderr: 'de' },
      { code: 1, stdout: '', stderr: '' },
    ]);
  });
});
