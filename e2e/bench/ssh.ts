// Benchmark (not a test): one full dashboard refresh of a lab NAS (system, pools, disks, shares,
// snapshots) over Nasdeck's pooled SSH connection, against the very same commands through
// OpenSSH with a warm ControlMaster, and through a fresh `ssh` per command. One run, several
// rounds, medians and ratios printed. Usage: npx tsx e2e/bench/ssh.ts [--rounds 10] [--instance NAME]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { down, readState, up, type LabState } from '../lab/lab';
import { LinuxAdapter } from '../../electron/core/nas/linux';
import { BatchingRunner } from '../../electron/core/remote/batch';
import { SshPool } from '../../electron/core/remote/pool';
import { shellLine, type Argv } from '../../electron/core/remote/quote';
import type { Runner, RunOptions } from '../../electron/core/remote/runner';
import type { SshTarget } from '../../electron/core/remote/ssh';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '10'));
const existing = process.argv.includes('--instance') ? arg('instance', '') : '';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

async function refresh(adapter: LinuxAdapter) {
  await Promise.all([adapter.systemInfo(), adapter.pools(), adapter.disks(), adapter.shares(), adapter.snapshots()]);
}

function ssh(args: string[], stdin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 255));
    child.stdin.end(stdin ?? '');
  });
}

async function main() {
  const instance = existing || 'ndsshb';
  let state: LabState | undefined = existing ? readState(existing) : undefined;
  if (!state) state = await up({ instance, nas: 1, log: () => undefined });
  const nas = state.nas[0]!;
  try {
    const target: SshTarget = {
      host: nas.address,
      username: nas.ssh!.user,
      auth: { password: nas.ssh!.password, privateKey: readFileSync(nas.ssh!.privateKeyPath!) },
      hostKeySha256: nas.ssh!.hostKeySha256,
    };
    const pool = new SshPool();
    const live = pool.runner('bench', async () => target);
    // Record the commands one refresh issues, to replay them through OpenSSH.
    const recorded: Array<{ argv: Argv; options: RunOptions }> = [];
    const recorder: Runner = {
      live: true,
      run: (argv, options) => {
        recorded.push({ argv, options });
        return live.run(argv, options);
      },
    };
    await refresh(new LinuxAdapter(recorder)); // also warms the pooled connection
    const commands = recorded.filter(
      (c, i) => recorded.findIndex((d) => shellLine(d.argv) === shellLine(c.argv)) === i,
    );

    const dir = mkdtempSync(join(tmpdir(), 'nasdeck-bench-ssh-'));
    const control = join(dir, 'cm');
    const base = [
      '-i',
      nas.ssh!.privateKeyPath!,
      '-o',
      `UserKnownHostsFile=${nas.ssh!.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
    ];
    const dest = `${nas.ssh!.user}@${nas.address}`;
    const line = (c: { argv: Argv; options: RunOptions }) =>
      shellLine(c.options.sudo ? ['sudo', '-S', '-p', '', '--', ...c.argv] : c.argv);
    const input = (c: { options: RunOptions }) => (c.options.sudo ? `${nas.ssh!.password}\n` : '');
    // Warm master.
    await ssh([
      ...base,
      '-o',
      'ControlMaster=yes',
      '-o',
      `ControlPath=${control}`,
      '-o',
      'ControlPersist=120',
      '-fN',
      dest,
    ]);

    const results = {
      nasdeckRefresh: [] as number[],
      nasdeckSequential: [] as number[],
      controlMaster: [] as number[],
      freshSsh: [] as number[],
    };
    for (let r = 0; r < rounds; r++) {
      let t = now();
      await refresh(new LinuxAdapter(new BatchingRunner(live))); // as NasService builds it
      results.nasdeckRefresh.push(now() - t);

      t = now();
      for (const c of commands) await live.run(c.argv, { ...c.options });
      results.nasdeckSequential.push(now() - t);

      t = now();
      for (const c of commands) await ssh([...base, '-o', `ControlPath=${control}`, dest, line(c)], input(c));
      results.controlMaster.push(now() - t);

      if (r < Math.min(rounds, 3)) {
        t = now();
        for (const c of commands) await ssh([...base, dest, line(c)], input(c));
        results.freshSsh.push(now() - t);
      }
    }
    await ssh([...base, '-o', `ControlPath=${control}`, '-O', 'exit', dest]);
    pool.closeAll();

    const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof results,
      number
    >;
    const fmt = (x: number) => `${x.toFixed(1)} ms`;
    console.log(
      `Dashboard refresh: ${commands.length} distinct remote commands, ${rounds} rounds (fresh ssh: ${results.freshSsh.length})`,
    );
    console.log(`  Nasdeck refresh (pooled, concurrent as the app does it): median ${fmt(m.nasdeckRefresh)}`);
    console.log(`  Nasdeck, same commands one by one over the pool:        median ${fmt(m.nasdeckSequential)}`);
    console.log(`  OpenSSH ControlMaster (warm), one by one:                 median ${fmt(m.controlMaster)}`);
    console.log(`  OpenSSH fresh ssh per command, one by one:                median ${fmt(m.freshSsh)}`);
    console.log(
      `  ratio Nasdeck refresh / ControlMaster: ${(m.nasdeckRefresh / m.controlMaster).toFixed(2)}x (goal <= 1.2x)`,
    );
    console.log(`  ratio Nasdeck sequential / ControlMaster: ${(m.nasdeckSequential / m.controlMaster).toFixed(2)}x`);
    console.log(`  fresh ssh / Nasdeck refresh: ${(m.freshSsh / m.nasdeckRefresh).toFixed(1)}x faster (goal >= 5x)`);
    mkdirSync('e2e/output', { recursive: true });
    writeFileSync(
      'e2e/output/bench-ssh.json',
      JSON.stringify({ commands: commands.map((c) => line(c)), results, medians: m }, null, 2),
    );
  } finally {
    if (!existing) await down(instance);
  }
}

await main();
