// A private desktop session for gvfs in tests and benchmarks: a D-Bus session bus and gvfsd
// (which starts gvfsd-fuse) under a throwaway HOME, so nothing touches the user's session.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GvfsSession {
  env: Record<string, string>;
  /** $XDG_RUNTIME_DIR/gvfs, where gvfsd-fuse shows the mounts. */
  fuseDir: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('dbus-daemon did not print its address')), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl).trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
}

const fuseMounted = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);

export async function startGvfsSession(): Promise<GvfsSession> {
  const home = await mkdtemp(join(tmpdir(), 'nasdeck-gvfs-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  // HOME and XDG_* before the bus: gvfsd-smb activates a keyring that would otherwise use /root.
  const base = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    GIO_USE_VOLUME_MONITOR: 'unix',
  };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: base,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: await firstLine(bus, 5000) };
  const gvfsd = spawn('/usr/libexec/gvfsd', ['--replace'], { env, stdio: 'ignore' });
  const fuseDir = join(runtime, 'gvfs');
  for (let i = 0; i < 100 && !fuseMounted(fuseDir); i++) await sleep(50);
  if (!fuseMounted(fuseDir)) throw new Error(`gvfsd-fuse did not mount ${fuseDir}`);
  return {
    env,
    fuseDir,
    async stop() {
      gvfsd.kill('SIGTERM');
      bus.kill('SIGTERM'); // gvfs helpers and the keyring it activated leave with their bus
      await Promise.all(
        [gvfsd, bus].map(
          (c) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once('exit', r))),
        ),
      );
      for (let i = 0; i < 40 && fuseMounted(fuseDir); i++) await sleep(50);
      if (fuseMounted(fuseDir)) await new Promise((r) => spawn('fusermount', ['-u', '-z', fuseDir]).once('exit', r));
      if (!fuseMounted(fuseDir) && existsSync(home)) await rm(home, { recursive: true, force: true });
    },
  };
}
