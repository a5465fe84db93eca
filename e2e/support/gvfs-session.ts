// A private desktop session for gvfs in tests and benchmarks: gvfsd (which starts gvfsd-fuse) on a
// private session bus, so nothing touches the user's session.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, startSessionBus } from './session-bus';

export interface GvfsSession {
  env: Record<string, string>;
  /** $XDG_RUNTIME_DIR/gvfs, where gvfsd-fuse shows the mounts. */
  fuseDir: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fuseMounted = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);

export async function startGvfsSession(): Promise<GvfsSession> {
  const session = await startSessionBus('nasdeck-gvfs-', { GIO_USE_VOLUME_MONITOR: 'unix' });
  const gvfsd = spawn('/usr/libexec/gvfsd', ['--replace'], { env: session.env, stdio: 'ignore' });
  const fuseDir = join(session.runtime, 'gvfs');
  for (let i = 0; i < 100 && !fuseMounted(fuseDir); i++) await sleep(50);
  if (!fuseMounted(fuseDir)) throw new Error(`gvfsd-fuse did not mount ${fuseDir}`);
  return {
    env: session.env,
    fuseDir,
    async stop() {
      gvfsd.kill('SIGTERM');
      await exited(gvfsd);
      await session.stop({ keepHome: true }); // gvfs helpers and the keyring it activated leave with their bus
      for (let i = 0; i < 40 && fuseMounted(fuseDir); i++) await sleep(50);
      if (fuseMounted(fuseDir)) await new Promise((r) => spawn('fusermount', ['-u', '-z', fuseDir]).once('exit', r));
      if (!fuseMounted(fuseDir)) await session.stop(); // bus already gone: this removes HOME
    },
  };
}
