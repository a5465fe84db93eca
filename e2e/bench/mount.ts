// Benchmark (not a test): mount a share and list its root, through Nasdeck (MountService: profile
// saved, password from the vault, gio mount, state read back, folder linked) against bare
// `gio mount` + `ls` of gvfs's FUSE folder, for SMB and NFS, in one run, alternating who goes
// first, each measurement in a fresh gvfs session. Each round unmounts again (not timed). Medians
// and the ratio are printed.
// Usage: npx tsx e2e/bench/mount.ts [--rounds 7] [--instance NAME]  (NAME: a lab already up, left up)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down, readState, up, type LabState } from '../lab/lab';
import { MountService } from '../../electron/core/client/mounts';
import { startGvfsSession } from '../support/gvfs-session';
import { gvfsFolderName, gvfsMountUrl } from '../../electron/core/client/mounts/linux';
import { parseMountUrl } from '../../electron/core/client/mounts/backend';
import { EventBus } from '../../electron/core/events';
import { JobManager } from '../../electron/core/jobs/jobs';
import { MemoryVault } from '../../electron/core/secrets/vault';
import { ConfigStore } from '../../electron/core/store/config';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '7'));
const existing = process.argv.includes('--instance') ? arg('instance', '') : '';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

function run(argv: string[], env: Record<string, string>, stdin = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
    child.stdin.on('error', () => undefined); // ls exits without reading stdin
    child.stdin.end(stdin);
  });
}

async function main() {
  const instance = existing || 'ndmntb';
  let state: LabState | undefined = existing ? readState(existing) : undefined;
  if (!state) state = await up({ instance, nas: 1, services: ['storage', 'smb', 'nfs'], log: () => undefined });
  const nas = state.nas[0]!;
  try {
    const cases = [
      {
        label: 'SMB',
        url: `smb://${nas.address}/${nas.smb!.shares[0]}`,
        user: nas.smb!.user,
        password: nas.smb!.password,
      },
      { label: 'NFS', url: `nfs://${nas.address}${nas.nfs!.exports[0]}` },
    ];
    // Each measurement gets a fresh gvfs session (not timed): after an unmount, gvfsd-fuse answers
    // EIO for up to ~1 s on the same folder name, which would swamp what is measured here.
    const inSession = async (fn: (env: Record<string, string>, fuseDir: string) => Promise<number>) => {
      const session = await startGvfsSession();
      try {
        return await fn({ ...process.env, ...session.env } as Record<string, string>, session.fuseDir);
      } finally {
        await session.stop();
      }
    };
    const results: Record<string, { nasdeck: number[]; bare: number[] }> = {};
    for (const c of cases) {
      const parsed = parseMountUrl(c.url);
      const gioUrl = gvfsMountUrl(parsed, c.user);
      const stdin = c.password ? `\n${c.password}\n` : '';
      const nasdeck = () =>
        inSession(async (env) => {
          const events = new EventBus();
          const service = new MountService({
            store: new ConfigStore(mkdtempSync(join(tmpdir(), 'nasdeck-bench-mount-'))),
            vault: new MemoryVault(),
            events,
            jobs: new JobManager(events),
            env,
            hostOs: 'linux',
          });
          const t = now();
          const r = await service.add({
            url: c.url,
            ...(c.user ? { user: c.user, password: c.password } : {}),
            readOnly: false,
            persistent: false,
            autoReconnect: false,
            mountNow: true,
          });
          if (!r.applied) throw new Error('not applied');
          await readdir(r.value.mountPoint);
          const ms = now() - t;
          await service.remove({ mount: r.value.id });
          await service.close();
          return ms;
        });
      const bare = () =>
        inSession(async (env, fuseDir) => {
          const t = now();
          if ((await run(['gio', 'mount', gioUrl], env, stdin)) !== 0) throw new Error(`gio mount ${gioUrl} failed`);
          if ((await run(['ls', join(fuseDir, gvfsFolderName(parsed, c.user))], env)) !== 0)
            throw new Error('ls failed');
          const ms = now() - t;
          await run(['gio', 'mount', '-u', gioUrl], env);
          return ms;
        });
      await bare(); // warm: smbd's first session, gvfsd's backend binaries in the page cache
      await nasdeck();
      const r = (results[c.label] = { nasdeck: [] as number[], bare: [] as number[] });
      for (let i = 0; i < rounds; i++) {
        if (i % 2 === 0) {
          r.nasdeck.push(await nasdeck());
          r.bare.push(await bare());
        } else {
          r.bare.push(await bare());
          r.nasdeck.push(await nasdeck());
        }
      }
    }
    const fmt = (x: number) => `${x.toFixed(1)} ms`;
    console.log(
      `Mount + first listing through gvfs, ${rounds} rounds each, alternating order (lab ${instance}, NAS ${nas.address})`,
    );
    const medians: Record<string, { nasdeck: number; bare: number; ratio: number }> = {};
    for (const [label, r] of Object.entries(results)) {
      const m = { nasdeck: median(r.nasdeck), bare: median(r.bare), ratio: median(r.nasdeck) / median(r.bare) };
      medians[label] = m;
      console.log(
        `  ${label}: Nasdeck median ${fmt(m.nasdeck)}   bare gio mount + ls median ${fmt(m.bare)}   ratio ${m.ratio.toFixed(2)}x (goal <= 1.1x)`,
      );
    }
    mkdirSync('e2e/output', { recursive: true });
    writeFileSync('e2e/output/bench-mount.json', JSON.stringify({ rounds, results, medians }, null, 2));
  } finally {
    if (!existing) await down(instance);
  }
}

await main();
