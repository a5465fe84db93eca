// Crash safety: kill -9 an `up` half-way (and every process it started), then `down` twice must
// leave no namespace, mount, loop device, user, sudoers drop-in or process behind.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkClean, down, naming, type LabState } from './lab';
import { run } from './proc';

const HERE = dirname(fileURLToPath(import.meta.url));

describe('lifecycle', () => {
  it('down on a lab that never existed is a no-op and clean', async () => {
    await down('ndnever');
    await down('ndnever');
    expect(await checkClean('ndnever')).toEqual([]);
  });

  it('recovers from kill -9 of everything in the middle of up', async () => {
    const instance = 'ndcrash';
    const n = naming(instance);
    const cli = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'cli.ts'), 'up', '--instance', instance], {
      cwd: join(HERE, '..', '..'),
      stdio: 'ignore',
      detached: true,
    });
    // wait until up is mid-way: NAS init running and the pool's loop devices attached
    const deadline = Date.now() + 60_000;
    let mid = false;
    while (Date.now() < deadline && !mid) {
      try {
        const s = JSON.parse(readFileSync(n.stateFile, 'utf8')) as LabState;
        mid = !!s.nas[0]?.initPid && (s.nas[0]?.pool?.devices.length ?? 0) > 0;
      } catch {
        /* not yet */
      }
      if (!mid) await new Promise((r) => setTimeout(r, 20));
    }
    expect(mid).toBe(true);
    // kill -9 the CLI and every process of the half-built NAS
    const s = JSON.parse(readFileSync(n.stateFile, 'utf8')) as LabState;
    process.kill(-cli.pid!, 'SIGKILL');
    for (const pid of [s.nas[0]?.initPid, s.nas[0]?.supervisorPid]) {
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    // it really left things behind
    expect((await checkClean(instance)).length).toBeGreaterThan(0);
    expect(existsSync(n.workDir)).toBe(true);

    await down(instance);
    await down(instance);
    expect(await checkClean(instance)).toEqual([]);
    const ns = await run(['ip', 'netns', 'list']);
    expect(ns.stdout).not.toContain(`${instance}-`);
  });
});
