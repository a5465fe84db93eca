// The shared exec against real child processes (node and sh on this Linux machine).
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createExec, execAnswered, unanswered } from './exec';

const NODE = process.execPath;
const exec = createExec();

/** Gone, or a zombie waiting for a reaper: either way no longer running. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('createExec', () => {
  it('passes argv as is (no shell), writes stdin and closes it, and returns the exit code and output', async () => {
    const args = ['$HOME', '; rm -rf /', "it's", '*'];
    const r = await exec({
      argv: [
        NODE,
        '-e',
        'process.stdin.pipe(process.stdout); process.stdin.on("end", () => { console.error(JSON.stringify(process.argv.slice(1))); process.exitCode = 3; })',
        ...args,
      ],
      stdin: 'secret via stdin\n',
    });
    expect(r).toEqual({ code: 3, stdout: 'secret via stdin\n', stderr: `${JSON.stringify(args)}\n` });
  });

  it('adds env for the child only, on top of the base environment, with LC_ALL=C', async () => {
    const withBase = createExec({ baseEnv: { ...process.env, NASDECK_BASE: 'base' } });
    const r = await withBase({
      argv: [NODE, '-p', '[process.env.NASDECK_BASE, process.env.NASDECK_CHILD, process.env.LC_ALL].join(",")'],
      env: { NASDECK_CHILD: 'child' },
    });
    expect(r.stdout).toBe('base,child,C\n');
    expect(process.env.NASDECK_CHILD).toBeUndefined();
  });

  it('a timeout kills the process group (helpers the child started too) and answers TIMEOUT', async () => {
    const request = { argv: ['sh', '-c', 'sleep 300 & echo $!; wait'], timeoutMs: 300 };
    const r = await exec(request);
    expect(r).toMatchObject({ code: 137, timedOut: true });
    const helper = Number(r.stdout.trim());
    expect(helper).toBeGreaterThan(0);
    await vi.waitFor(() => expect(running(helper)).toBe(false), { timeout: 5000 });
    expect(unanswered(request, r)).toMatchObject({ code: 'TIMEOUT', details: { argv: request.argv } });
    await expect(execAnswered(exec, request)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('a missing program is code 127 with missing set, never a throw; execAnswered makes it NOT_SUPPORTED', async () => {
    const request = { argv: ['nasdeck-no-such-program', '--version'] };
    const r = await exec(request);
    expect(r).toEqual({
      code: 127,
      missing: true,
      stdout: '',
      stderr: 'nasdeck-no-such-program: command not found\n',
    });
    await expect(execAnswered(exec, request)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { missing: 'nasdeck-no-such-program' },
    });
    expect(unanswered({ argv: ['true'] }, { code: 1, stdout: '', stderr: '' })).toBeNull();
  });

  it('refuses an empty argv', async () => {
    await expect(exec({ argv: [] })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('calls onSpawn with the live child and its argv', async () => {
    const seen: Array<{ argv: readonly string[]; cmdline: string }> = [];
    const watched = createExec({
      onSpawn: (pid, argv) => seen.push({ argv, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8') }),
    });
    await watched({ argv: ['sleep', '0.2'] });
    expect(seen).toEqual([{ argv: ['sleep', '0.2'], cmdline: 'sleep\0' + '0.2\0' }]);
  });

  it('elevated: pkexec on Linux when not root; unchanged for root and on other systems', async () => {
    const argvs = async (options: Parameters<typeof createExec>[0]) => {
      const seen: (readonly string[])[] = [];
      const r = await createExec({ ...options, onSpawn: (_pid, argv) => seen.push(argv) })({
        argv: ['true'],
        elevated: true,
      });
      // pkexec is not installed on every test machine: then the missing program is pkexec itself
      return r.missing ? r.stderr : seen[0]!.join(' ');
    };
    expect(await argvs({ platform: 'linux', isRoot: false })).toMatch(/^pkexec(: command not found\n| true$)/);
    expect(await argvs({ platform: 'linux', isRoot: true })).toBe('true');
    expect(await argvs({ platform: 'win32', isRoot: false })).toBe('true');
  });

  it('caps the output it keeps', async () => {
    const r = await exec({ argv: [NODE, '-e', 'process.stdout.write("x".repeat(6 * 1024 * 1024))'] });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(r.stdout.length).toBeLessThan(6 * 1024 * 1024);
  });
});
