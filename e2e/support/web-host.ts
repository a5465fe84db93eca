// Starts the built browser-mode host (`node dist/electron/web.mjs`) the way a user does, with
// its own config directory, and reads the tokenized URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface RunningWebHost {
  url: string;
  configDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startBuiltWebHost(env: NodeJS.ProcessEnv = {}): Promise<RunningWebHost> {
  const configDir = await mkdtemp(join(tmpdir(), 'nasdeck-e2e-'));
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'electron', 'web.mjs')], {
    cwd: repoRoot,
    // Discovery stays on loopback unless a test points it at a lab: never multicast on this machine's LAN.
    env: { ...process.env, NASDECK_DISCOVERY_INTERFACES: '127.0.0.1', ...env, NASDECK_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`web host printed no URL: ${out}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${out}`)));
  });
  return {
    url,
    configDir,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
