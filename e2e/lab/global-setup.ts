// vitest globalSetup for the `lab` project: bring the lab up once per run, and down at the end,
// also when tests fail or the run is interrupted (SIGINT/SIGTERM).
// NASDECK_LAB_REUSE=1 reuses a lab that is already up and leaves it running.
// Options: NASDECK_LAB_INSTANCE (default ndlab), NASDECK_LAB_NAS (default 1), NASDECK_LAB_PERSONAS (comma list).
import type { TestProject } from 'vitest/node';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INSTANCE, baseDir, down, isUp, naming, readState, up, type Persona } from './lab';
import { isAlive, sleep } from './proc';

const HERE = dirname(fileURLToPath(import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    labStateFile: string;
    labInstance: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const instance = process.env.NASDECK_LAB_INSTANCE ?? DEFAULT_INSTANCE;
  const log = (m: string) => console.error(`[lab] ${m}`);
  const reuse = process.env.NASDECK_LAB_REUSE === '1' && isUp(instance);
  let owned = !reuse;
  let tearingDown: Promise<unknown> | undefined;
  const teardown = async () => {
    if (!owned) return;
    tearingDown ??= down(instance, { log });
    await tearingDown;
    owned = false;
  };
  // vitest exits on its own right after a signal, before an async teardown could finish, so the
  // lab is brought down by a detached `cli.ts down` that outlives this process.
  let rescuer: number | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!owned || rescuer) return;
    log(`${sig}: bringing the lab down (log: ${naming(instance).workDir}.down.log)`);
    mkdirSync(baseDir(), { recursive: true });
    const out = openSync(`${naming(instance).workDir}.down.log`, 'a');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(HERE, 'cli.ts'), 'down', '--instance', instance, '--wait-pid', String(process.pid)],
      {
        cwd: join(HERE, '..', '..'),
        detached: true,
        stdio: ['ignore', out, out],
      },
    );
    child.unref();
    rescuer = child.pid;
    owned = false;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  if (reuse) {
    log(`reusing lab ${instance} (NASDECK_LAB_REUSE=1)`);
  } else {
    const personas = process.env.NASDECK_LAB_PERSONAS?.split(',') as Persona[] | undefined;
    await up({ instance, nas: Number(process.env.NASDECK_LAB_NAS ?? 1), personas, log });
  }
  const state = readState(instance)!;
  process.env.NASDECK_LAB_STATE = state.stateFile;
  process.env.NASDECK_LAB_INSTANCE = instance;
  project.provide('labStateFile', state.stateFile);
  project.provide('labInstance', instance);

  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // a signal already started the detached down: let it finish
    for (let i = 0; rescuer && isAlive(rescuer) && i < 300; i++) await sleep(100);
    await teardown();
  };
}
