// A real Secret Service for tests: a private D-Bus session bus with gnome-keyring-daemon
// unlocked on it, under a throwaway HOME so nothing touches the user's keyrings.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKeyring {
  env: Record<string, string>;
  stop(): Promise<void>;
}

function readLine(child: ChildProcess, timeoutMs: number): Promise<string> {
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

export async function startTestKeyring(): Promise<TestKeyring> {
  const home = await mkdtemp(join(tmpdir(), 'nasdeck-keyring-'));
  const runtime = join(home, 'run');
  await mkdir(runtime, { mode: 0o700 });
  const baseEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
  };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: baseEnv,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await readLine(bus, 5000);
  const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address };
  // --unlock reads the login keyring password from stdin; the daemon forks and keeps running on the bus.
  const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  keyring.stdin!.end('nasdeck-test');
  await new Promise<void>((resolve, reject) => {
    keyring.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gnome-keyring-daemon exited ${code}`))));
  });
  return {
    env,
    async stop() {
      bus.kill('SIGTERM'); // gnome-keyring-daemon exits when its bus goes away
      await new Promise((r) => (bus.exitCode !== null ? r(null) : bus.once('exit', r)));
      await rm(home, { recursive: true, force: true });
    },
  };
}
