// A lab of a test file's own, beside the run's shared one: named after the run's instance plus a
// suffix (two engineers' runs never share one), up before the file's tests and down after them.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { down, up, type LabState, type UpOptions } from './lab';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** `nasdeck` from source, as lab namespaces run it (no build needed). */
export const CLI_FROM_SOURCE = [process.execPath, '--import', 'tsx', join(REPO, 'electron', 'cli', 'index.ts')];

export interface OwnLab {
  readonly instance: string;
  /** The running lab; only inside tests (after beforeAll). */
  readonly state: LabState;
}

export function ownLab(suffix: string, options: Omit<UpOptions, 'instance' | 'log'>): OwnLab {
  const instance = `${(process.env.NASDECK_LAB_INSTANCE ?? 'ndlab').slice(0, 7)}${suffix}`;
  let state: LabState | undefined;
  beforeAll(async () => {
    state = await up({ instance, ...options, log: (m) => console.error(`[${instance}] ${m}`) });
  }, 120_000);
  afterAll(async () => {
    await down(instance);
  });
  return {
    instance,
    get state() {
      if (!state) throw new Error(`lab ${instance} is not up (used outside a test?)`);
      return state;
    },
  };
}
