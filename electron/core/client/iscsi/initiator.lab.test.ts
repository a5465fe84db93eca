// The initiator against the lab NAS's real tgt target (CHAP + initiator ACL, set up by e2e/lab),
// reached from this namespace over the lab's host link. This machine has no iscsi_tcp module, so
// discovery goes through libiscsi (iscsi-ls, iscsi-inq) — the path `nasdeck initiator discover` takes.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabState, type LabState, type NasState } from '../../../../e2e/lab/lab-state';
import { AppError } from '../../../../shared/errors';
import { InitiatorService } from '.';
import { createExec } from '../exec';

const CANARY = 'CANARY-ndini-42'; // a wrong secret: 15 characters, inside the 12–16 the schema wants
const REPO = join(__dirname, '..', '..', '..', '..');

let state: LabState;
let nas: NasState;
let target: NonNullable<NasState['iscsi']>['targets'][number];
let portal: string;

beforeAll(() => {
  state = readLabState();
  nas = state.nas[0]!;
  expect(nas.iscsi, 'the lab NAS runs tgt').toBeDefined();
  expect(state.host, 'the lab has a host link into this namespace').toBeDefined();
  target = nas.iscsi!.targets[0]!;
  portal = nas.iscsi!.portal;
});

/** Samples every process's argv from /proc until stopped (what `ps` would show another user). */
function sampleProcesses() {
  const argvs = new Set<string>();
  let rounds = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    rounds++;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        if (cmdline) argvs.add(cmdline.split('\0').join(' ').trim());
      } catch {}
    }
    setImmediate(tick);
  };
  tick();
  return {
    stop: () => {
      running = false;
      return { argvs: [...argvs], rounds };
    },
  };
}

/** The real exec, recording each child's argv and environment right after it starts. */
function watchedService(initiatorName: string) {
  const children: Array<{ argv: string; cmdline: string; environ: string }> = [];
  const exec = createExec({
    onSpawn: (pid, argv) => {
      const read = (f: string) => {
        try {
          return readFileSync(`/proc/${pid}/${f}`, 'latin1').split('\0').join('\n');
        } catch {
          return '';
        }
      };
      children.push({ argv: argv.join(' '), cmdline: read('cmdline'), environ: read('environ') });
    },
  });
  return { service: new InitiatorService({ exec, initiatorName }), children };
}

describe('initiator discover against the lab tgt (libiscsi, no kernel module)', () => {
  it('finds the target offered to the lab initiator name', async () => {
    const { service } = watchedService(target.initiator);
    expect(await service.discover({ portal })).toEqual([{ iqn: target.iqn, portals: [portal] }]);
  });

  it('with the right CHAP secret: the same target, after a real CHAP login', async () => {
    const { service, children } = watchedService(target.initiator);
    const found = await service.discover({ portal, chapUser: target.chapUser, chapSecret: target.chapSecret });
    expect(found).toEqual([{ iqn: target.iqn, portals: [portal] }]);
    expect(children.map((c) => c.argv.split(' ')[0])).toEqual(['iscsi-ls', 'iscsi-inq']);
  });

  it('a wrong CHAP secret → AUTH_FAILED; the secret is in no process argv, only in the child environment', async () => {
    const { service, children } = watchedService(target.initiator);
    const sampler = sampleProcesses();
    const err = await service
      .discover({ portal, chapUser: target.chapUser, chapSecret: CANARY })
      .catch((e: unknown) => e);
    const sampled = sampler.stop();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', details: { target: target.iqn } });
    expect(JSON.stringify((err as AppError).toWire())).not.toContain(CANARY);

    // the children were seen while alive, and their argv never had the secret
    expect(children.map((c) => c.argv.split(' ')[0])).toEqual(['iscsi-ls', 'iscsi-inq']);
    expect(children.every((c) => c.cmdline.startsWith(c.argv.split(' ')[0]!))).toBe(true);
    for (const c of children) expect(c.cmdline).not.toContain(CANARY);
    expect(sampled.rounds).toBeGreaterThan(0);
    expect(sampled.argvs.filter((a) => a.includes(CANARY))).toEqual([]);
    // the documented exposure: libiscsi reads the secret from its own environment
    for (const c of children) expect(c.environ).toContain(`LIBISCSI_CHAP_PASSWORD=${CANARY}`);
  });

  it('an initiator name outside the target ACL sees no targets', async () => {
    const { service } = watchedService('iqn.2024-01.local.nobody:client');
    expect(await service.discover({ portal })).toEqual([]);
  });

  it('a portal nobody answers on → UNREACHABLE', async () => {
    const { service } = watchedService(target.initiator);
    await expect(service.discover({ portal: `${state.host!.address}:3999` })).rejects.toMatchObject({
      code: 'UNREACHABLE',
    });
  });

  it('attaching a disk on this machine (no iscsiadm / iscsi_tcp) is NOT_SUPPORTED with what to install', async () => {
    const { service } = watchedService(target.initiator);
    const err = await service
      .connect({ portal, iqn: target.iqn, persistent: false, dryRun: false })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', details: { fix: expect.stringMatching(/open-iscsi/) } });
  });
});

describe('nasdeck initiator discover (the CLI as a process)', () => {
  function nasdeck(args: string[], stdin: string) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'electron/cli/index.ts'), ...args], {
        cwd: REPO,
        env: {
          ...process.env,
          NASDECK_INITIATOR_IQN: target.initiator,
          NASDECK_CONFIG_DIR: join(state.workDir, 'cli'),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(stdin);
    });
  }

  it('lists the target as JSON (exit 0), and a wrong secret from stdin exits 4 with AUTH_FAILED', async () => {
    const ok = await nasdeck(['--json', 'initiator', 'discover', portal], '');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([{ iqn: target.iqn, portals: [portal] }]);

    const sampler = sampleProcesses();
    const bad = await nasdeck(
      ['--json', 'initiator', 'discover', portal, '--chap-user', target.chapUser, '--chap-secret-stdin'],
      `${CANARY}\n`,
    );
    const sampled = sampler.stop();
    expect(bad.code).toBe(4);
    expect(bad.stdout).toBe('');
    expect(JSON.parse(bad.stderr).error.code).toBe('AUTH_FAILED');
    expect(bad.stderr).not.toContain(CANARY);
    expect(sampled.argvs.some((a) => a.includes('initiator discover'))).toBe(true);
    expect(sampled.argvs.filter((a) => a.includes(CANARY))).toEqual([]);
  });
});
