// A private D-Bus session bus under a throwaway HOME, so desktop services started on it (keyring,
// gvfs) never touch the user's session. HOME and XDG_* are set before the bus starts: services it
// activates would otherwise use /root.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SessionBus {
  home: string;
  /** XDG_RUNTIME_DIR. */
  runtime: string;
  env: Record<string, string>;
  bus: ChildProcess;
  /** Stops the bus (services on it leave with it) and removes HOME unless told to keep it. */
  stop(options?: { keepHome?: boolean }): Promise<void>;
}

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

export const exited = (c: ChildProcess) =>
  new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once('exit', r)));

export async function startSessionBus(prefix: string, extraEnv: Record<string, string> = {}): Promise<SessionBus> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const base = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    ...extraEnv,
  };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: base,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: await firstLine(bus, 5000) };
  return {
    home,
    runtime,
    env,
    bus,
    async stop({ keepHome = false } = {}) {
      bus.kill('SIGTERM');
      await exited(bus);
      if (!keepHome) await rm(home, { recursive: true, force: true });
    },
  };
}
