// A real Secret Service for tests: gnome-keyring-daemon unlocked on a private session bus.
import { spawn } from 'node:child_process';
import { startSessionBus } from './session-bus';

export interface TestKeyring {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTestKeyring(): Promise<TestKeyring> {
  const session = await startSessionBus('nasdeck-keyring-');
  // --unlock reads the login keyring password from stdin; the daemon forks and keeps running on the bus.
  const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env: session.env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  keyring.stdin!.end('nasdeck-test');
  await new Promise<void>((resolve, reject) => {
    keyring.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gnome-keyring-daemon exited ${code}`))));
  });
  // gnome-keyring-daemon exits when its bus goes away.
  return { env: session.env, stop: () => session.stop() };
}
