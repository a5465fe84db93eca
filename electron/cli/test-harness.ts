// Runs `nasdeck` in-process for tests: a fresh config directory, an in-memory keychain, and
// stdout/stderr captured; stdin is one string.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryVault } from '../core/secrets/vault';
import type { CliIo } from './io';
import { runCli } from './main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cliHarness(prefix = 'nasdeck-cli-') {
  const configDir = await mkdtemp(join(tmpdir(), prefix));
  const vault = new MemoryVault();
  const run = async (argv: string[], stdin = ''): Promise<CliRun> => {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      readStdin: async () => stdin,
      promptHidden: null,
      env: { NASDECK_CONFIG_DIR: configDir },
    };
    const code = await runCli(argv, { io, coreOptions: { vault } });
    return { code, out, err };
  };
  return { run, configDir, vault };
}
