// The lab NAS for browser specs: brought up by the spec file that needs it and down after it
// (the full suite runs with no lab up), or reused with NASDECK_LAB_REUSE=1 and then left up.
// Also a desktop session for the web host: a D-Bus bus with gvfsd (mounts) and an unlocked
// Secret Service (the keychain), under a throwaway HOME.
import { spawn } from 'node:child_process';
import { down, isUp, up } from '../lab/lab';
import { readLabState, type LabState, type NasState } from '../lab/lab-state';
import { startGvfsSession } from './gvfs-session';

export const isRoot = () => process.getuid?.() === 0;

export interface LabNas {
  state: LabState;
  nas: NasState;
  stop(): Promise<void>;
}

export async function bringUpLab(instance = process.env.NASDECK_LAB_INSTANCE ?? 'ndui'): Promise<LabNas> {
  const log = (m: string) => console.error(`[lab] ${m}`);
  const reuse = process.env.NASDECK_LAB_REUSE === '1' && isUp(instance);
  if (!reuse) {
    // A lab left by a crashed run holds addresses and loop devices: clear it first.
    if (isUp(instance)) await down(instance, { log });
    await up({ instance, log });
  }
  const state = readLabState(instance);
  return {
    state,
    nas: state.nas[0]!,
    stop: async () => {
      if (!reuse) await down(instance, { log });
    },
  };
}

export interface DesktopSession {
  env: Record<string, string>;
  fuseDir: string;
  stop(): Promise<void>;
}

export async function startDesktopSession(): Promise<DesktopSession> {
  const gvfs = await startGvfsSession();
  try {
    // The keychain on the same bus, unlocked (its password from stdin), so devices.add can keep passwords.
    const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--replace'], {
      env: gvfs.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    keyring.stdin!.end('nasdeck-test');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gnome-keyring-daemon did not start')), 10_000);
      keyring.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`gnome-keyring-daemon exited ${code}`));
      });
    });
  } catch (err) {
    await gvfs.stop();
    throw err;
  }
  return { env: gvfs.env, fuseDir: gvfs.fuseDir, stop: () => gvfs.stop() };
}
