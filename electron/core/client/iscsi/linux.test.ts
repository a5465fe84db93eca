import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { ExecRequest, ExecResult } from '../exec';
import { planStep } from './backend';
import {
  iscsiadmError,
  LinuxInitiator,
  parseIscsiLs,
  parseSendTargets,
  parseSessionTree,
  sessionState,
  type LinuxHost,
} from './linux';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const CANARY = 'CANARY-s3cret42';
const INITIATOR = 'iqn.2024-01.local.test:client';
const IQN = 'iqn.2016-09.com.openebs.jiva:pvc-8de2f9e7-64a3-11e8-994b-000c2959d9a2';
const PORTAL = '10.106.254.221:3260';

function host(over: Partial<Record<'iscsiadm' | 'iscsi-ls' | 'module', boolean>> = {}): LinuxHost {
  const have = { iscsiadm: true, 'iscsi-ls': true, module: true, ...over };
  return {
    hasCommand: async (name) => have[name as 'iscsiadm' | 'iscsi-ls'] ?? false,
    hasIscsiTcp: async () => have.module,
    initiatorName: async () => INITIATOR,
  };
}

/** An exec that answers by the first matching rule and records every request. */
function fakeExec(rules: Array<[(argv: readonly string[]) => boolean, Partial<ExecResult>]>) {
  const calls: ExecRequest[] = [];
  const exec = async (req: ExecRequest): Promise<ExecResult> => {
    calls.push(req);
    const hit = rules.find(([match]) => match(req.argv));
    return { code: 0, stdout: '', stderr: '', ...(hit?.[1] ?? {}) };
  };
  return { exec, calls };
}
const has =
  (...words: string[]) =>
  (argv: readonly string[]) =>
    words.every((w) => argv.includes(w));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
  throw new Error('expected an AppError');
}

describe('Linux parsers on captured output', () => {
  it('reads iscsi-ls target lines (with and without LUN lines)', () => {
    const expected = [{ iqn: 'iqn.2024-01.local.ndini:nas1-target1', portals: ['10.135.171.11:3260'] }];
    expect(parseIscsiLs(fixture('iscsi-ls.stdout.txt'))).toEqual(expected);
    expect(parseIscsiLs(fixture('iscsi-ls-chap-ok.stdout.txt'))).toEqual(expected);
    expect(parseIscsiLs(fixture('iscsi-ls-other-initiator.stdout.txt'))).toEqual([]);
  });

  it('reads iscsiadm SendTargets lines', () => {
    expect(parseSendTargets(fixture('iscsiadm-discovery.stdout.txt'))).toEqual([{ iqn: IQN, portals: [PORTAL] }]);
    expect(parseSendTargets(fixture('iscsiadm-discovery-alma.stdout.txt'))).toEqual([
      { iqn: 'iqn.2026-06.lab.local:alma-target01', portals: ['192.168.1.115:3260'] },
    ]);
    expect(parseSendTargets('[fd00::5]:3260,1 iqn.2024-01.x:y\n[fd00::6]:3260,1 iqn.2024-01.x:y\n')).toEqual([
      { iqn: 'iqn.2024-01.x:y', portals: ['[fd00::5]:3260', '[fd00::6]:3260'] },
    ]);
  });

  it('reads sessions and attached disks from iscsiadm -m session -P 3', () => {
    expect(parseSessionTree(fixture('iscsiadm-session-P3.txt'))).toEqual([
      {
        iqn: IQN,
        portal: PORTAL,
        sid: '1',
        connectionState: 'LOGGED IN',
        sessionState: 'LOGGED_IN',
        disks: ['/dev/sdb'],
      },
    ]);
  });

  it('maps kernel session states to connected / reconnecting / disconnected', () => {
    expect(sessionState({ sessionState: 'LOGGED_IN', connectionState: 'LOGGED IN' })).toBe('connected');
    expect(sessionState({ sessionState: 'FAILED', connectionState: 'TRANSPORT WAIT' })).toBe('reconnecting');
    expect(sessionState({ sessionState: 'LOGGED_IN', connectionState: 'IN LOGIN' })).toBe('reconnecting');
    expect(sessionState({ sessionState: 'FREE', connectionState: 'FREE' })).toBe('disconnected');
  });

  it('maps iscsiadm exit codes to typed errors', () => {
    const step = { argv: ['iscsiadm', '-m', 'node', '--login'] as const, description: 'Log in' };
    const err = (code: number, stderr = '') => iscsiadmError(step, { code, stdout: '', stderr });
    expect(err(24, fixture('iscsiadm-login-auth.stderr.txt')).code).toBe('AUTH_FAILED');
    expect(err(15).code).toBe('CONFLICT');
    expect(err(21, fixture('iscsiadm-no-sessions.stderr.txt')).code).toBe('NOT_FOUND');
    expect(err(12, fixture('iscsiadm-discovery-no-module.stderr.txt')).code).toBe('NOT_SUPPORTED');
    expect(err(12).details?.fix).toMatch(/open-iscsi.*modprobe iscsi_tcp/);
    expect(err(4).code).toBe('UNREACHABLE');
    expect(err(8).code).toBe('TIMEOUT');
    expect(err(13).code).toBe('PERMISSION_DENIED');
    expect(err(19).code).toBe('PERMISSION_DENIED');
    expect(err(99).code).toBe('INTERNAL');
    expect(err(24, fixture('iscsiadm-login-auth.stderr.txt')).details?.output).toContain('authorization failure');
  });
});

describe('Linux discovery: iscsiadm with the kernel module, iscsi-ls without', () => {
  it('uses iscsiadm SendTargets when iscsiadm and iscsi_tcp are there', async () => {
    const { exec, calls } = fakeExec([[has('discovery'), { stdout: fixture('iscsiadm-discovery.stdout.txt') }]]);
    const targets = await new LinuxInitiator(exec, host()).discover({ portal: '10.106.254.221' });
    expect(targets).toEqual([{ iqn: IQN, portals: [PORTAL] }]);
    expect(calls.map((c) => c.argv)).toEqual([['iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', PORTAL]]);
    expect(calls[0]!.elevated).toBe(true);
  });

  it('with CHAP and iscsiadm: a discoverydb record, the secret in exactly one argv (iscsiadm has no other way)', async () => {
    const { exec, calls } = fakeExec([[has('--discover'), { stdout: fixture('iscsiadm-discovery.stdout.txt') }]]);
    await new LinuxInitiator(exec, host()).discover({ portal: PORTAL, chapUser: 'u1', chapSecret: CANARY });
    const db = ['iscsiadm', '-m', 'discoverydb', '-t', 'sendtargets', '-p', PORTAL];
    expect(calls.map((c) => c.argv)).toEqual([
      [...db, '-o', 'new'],
      [...db, '-o', 'update', '-n', 'discovery.sendtargets.auth.authmethod', '-v', 'CHAP'],
      [...db, '-o', 'update', '-n', 'discovery.sendtargets.auth.username', '-v', 'u1'],
      [...db, '-o', 'update', '-n', 'discovery.sendtargets.auth.password', '-v', CANARY],
      [...db, '--discover'],
    ]);
    expect(calls.filter((c) => c.argv.join(' ').includes(CANARY))).toHaveLength(1);
  });

  it('falls back to iscsi-ls without the module: the CHAP secret in the environment, never argv', async () => {
    const { exec, calls } = fakeExec([
      [has('iscsi-ls'), { stdout: fixture('iscsi-ls.stdout.txt') }],
      [(a) => a[0] === 'iscsi-inq', { stdout: fixture('iscsi-inq-ok.stdout.txt') }],
    ]);
    const backend = new LinuxInitiator(exec, host({ module: false }));
    const targets = await backend.discover({ portal: '10.135.171.11', chapUser: 'ndini-chap', chapSecret: CANARY });
    const T = 'iqn.2024-01.local.ndini:nas1-target1';
    expect(targets).toEqual([{ iqn: T, portals: ['10.135.171.11:3260'] }]);
    expect(calls.map((c) => c.argv)).toEqual([
      ['iscsi-ls', '-i', INITIATOR, 'iscsi://10.135.171.11:3260'],
      ['iscsi-inq', '-i', INITIATOR, `iscsi://10.135.171.11:3260/${T}/0`],
    ]);
    for (const call of calls) {
      expect(call.env).toEqual({ LIBISCSI_CHAP_USERNAME: 'ndini-chap', LIBISCSI_CHAP_PASSWORD: CANARY });
      expect(call.elevated).toBeUndefined();
    }
  });

  it('iscsi-ls without CHAP lists only (no login, no environment)', async () => {
    const { exec, calls } = fakeExec([[has('iscsi-ls'), { stdout: fixture('iscsi-ls.stdout.txt') }]]);
    await new LinuxInitiator(exec, host({ iscsiadm: false })).discover({ portal: '[fd00::5]:3261' });
    expect(calls.map((c) => c.argv)).toEqual([['iscsi-ls', '-i', INITIATOR, 'iscsi://[fd00::5]:3261']]);
    expect(calls[0]!.env).toBeUndefined();
  });

  it('CHAP must open at least one target: another target with its own CHAP account is not an error', async () => {
    const twoTargets =
      'Target:iqn.2024-01.a:one Portal:10.0.0.5:3260,1\nTarget:iqn.2024-01.a:two Portal:10.0.0.5:3260,1\n';
    const run = (second: Partial<ExecResult>) => {
      const { exec } = fakeExec([
        [has('iscsi-ls'), { stdout: twoTargets }],
        [(a) => a.at(-1)!.includes(':one/'), { code: 10, stderr: fixture('iscsi-inq-auth-failure.stderr.txt') }],
        [(a) => a.at(-1)!.includes(':two/'), second],
      ]);
      return new LinuxInitiator(exec, host({ module: false })).discover({
        portal: '10.0.0.5',
        chapUser: 'u1',
        chapSecret: CANARY,
      });
    };
    expect(await run({ stdout: fixture('iscsi-inq-ok.stdout.txt') })).toHaveLength(2);
    const err = await run({ code: 10, stderr: fixture('iscsi-inq-auth-failure.stderr.txt') }).catch((e) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', details: { target: 'iqn.2024-01.a:one' } });
    expect(JSON.stringify(err.details)).not.toContain(CANARY);
  });

  it('maps libiscsi failures: wrong secret → AUTH_FAILED, no route / refused → UNREACHABLE, timeout', async () => {
    const run = (ls: Partial<ExecResult>, inq: Partial<ExecResult> = {}) => {
      const { exec } = fakeExec([
        [has('iscsi-ls'), ls],
        [(a) => a[0] === 'iscsi-inq', inq],
      ]);
      return new LinuxInitiator(exec, host({ module: false })).discover({
        portal: '10.135.171.11',
        chapUser: 'ndini-chap',
        chapSecret: CANARY,
      });
    };
    const ok = { stdout: fixture('iscsi-ls.stdout.txt') };
    const auth = await run(ok, { code: 10, stderr: fixture('iscsi-inq-auth-failure.stderr.txt') }).catch((e) => e);
    expect(auth).toMatchObject({ code: 'AUTH_FAILED', details: { target: 'iqn.2024-01.local.ndini:nas1-target1' } });
    expect(await codeOf(run({ code: 10, stdout: fixture('iscsi-ls-auth-failure.stdout.txt') }))).toBe('AUTH_FAILED');
    expect(await codeOf(run({ code: 10, stderr: fixture('iscsi-ls-no-route.stderr.txt') }))).toBe('UNREACHABLE');
    expect(await codeOf(run({ code: 10, stderr: fixture('iscsi-ls-refused.stderr.txt') }))).toBe('UNREACHABLE');
    expect(await codeOf(run({ code: 137, timedOut: true }))).toBe('TIMEOUT');
    expect(await codeOf(run({ code: 127, missing: true, stderr: 'iscsi-ls: command not found' }))).toBe(
      'NOT_SUPPORTED',
    );
    expect(await codeOf(run(ok, { code: 127, missing: true }))).toBe('NOT_SUPPORTED');
    // an initiator outside the target's ACL sees no targets at all (tgt hides them)
    expect(await run({ stdout: fixture('iscsi-ls-other-initiator.stdout.txt') })).toEqual([]);
  });

  it('says what to install when neither tool is there', async () => {
    const { exec, calls } = fakeExec([]);
    const err = await new LinuxInitiator(exec, host({ iscsiadm: false, 'iscsi-ls': false }))
      .discover({ portal: PORTAL })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(err.details.fix).toMatch(/open-iscsi/);
    expect(err.details.fix).toMatch(/libiscsi-bin/);
    expect(calls).toHaveLength(0);
  });
});

describe('Linux connect, list, disconnect through iscsiadm', () => {
  const node = ['iscsiadm', '-m', 'node', '-T', IQN, '-p', PORTAL];
  const sessionRules: Array<[(argv: readonly string[]) => boolean, Partial<ExecResult>]> = [
    [has('discovery'), { stdout: fixture('iscsiadm-discovery.stdout.txt') }],
    [has('session'), { stdout: fixture('iscsiadm-session-P3.txt') }],
    [has('-o', 'show'), { stdout: 'node.name = x\nnode.startup = automatic\n' }],
  ];

  it('plans and runs the exact steps, the secret only in the password argv, *** in the plan', async () => {
    const { exec, calls } = fakeExec(sessionRules);
    const backend = new LinuxInitiator(exec, host());
    const params = { portal: '10.106.254.221', iqn: IQN, chapUser: 'u1', chapSecret: CANARY, persistent: true };
    const session = await backend.connect(params);
    expect(session).toEqual({ iqn: IQN, portal: PORTAL, state: 'connected', persistent: true, disks: ['/dev/sdb'] });
    const mutating = calls.slice(0, 6).map((c) => c.argv);
    expect(mutating).toEqual([
      ['iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', PORTAL],
      [...node, '-o', 'update', '-n', 'node.session.auth.authmethod', '-v', 'CHAP'],
      [...node, '-o', 'update', '-n', 'node.session.auth.username', '-v', 'u1'],
      [...node, '-o', 'update', '-n', 'node.session.auth.password', '-v', CANARY],
      [...node, '-o', 'update', '-n', 'node.startup', '-v', 'automatic'],
      [...node, '--login'],
    ]);
    expect(calls.slice(6).map((c) => c.argv)).toEqual([
      ['iscsiadm', '-m', 'session', '-P', '3'],
      [...node, '-o', 'show'],
    ]);
    // the documented exposure: exactly one argv carries the secret
    expect(calls.filter((c) => c.argv.some((a) => a.includes(CANARY))).map((c) => c.argv[10])).toEqual([
      'node.session.auth.password',
    ]);
    const plan = backend.planConnect(params).map(planStep);
    expect(JSON.stringify(plan)).not.toContain(CANARY);
    expect(plan[3]!.argv!.at(-1)).toBe('***');
    expect(plan.every((s) => s.elevated && s.where === 'local')).toBe(true);
  });

  it('mutual CHAP adds username_in / password_in; not persistent → node.startup manual', () => {
    const backend = new LinuxInitiator(fakeExec([]).exec, host());
    const steps = backend.planConnect({
      portal: PORTAL,
      iqn: IQN,
      chapUser: 'u1',
      chapSecret: CANARY,
      mutualChapUser: 'target-user',
      mutualChapSecret: 'MUTUAL-canary99',
      persistent: false,
    });
    const updates = steps.filter((s) => s.argv.includes('update')).map((s) => `${s.argv[10]}=${planStep(s).argv![12]}`);
    expect(updates).toEqual([
      'node.session.auth.authmethod=CHAP',
      'node.session.auth.username=u1',
      'node.session.auth.password=***',
      'node.session.auth.username_in=target-user',
      'node.session.auth.password_in=***',
      'node.startup=manual',
    ]);
  });

  it('login exit 15 (already logged in) is success', async () => {
    const { exec } = fakeExec([[has('--login'), { code: 15 }], ...sessionRules]);
    const s = await new LinuxInitiator(exec, host()).connect({ portal: PORTAL, iqn: IQN, persistent: true });
    expect(s.state).toBe('connected');
  });

  it('login exit 24 → AUTH_FAILED, and the node record (with the secret) is deleted', async () => {
    const { exec, calls } = fakeExec([
      [has('--login'), { code: 24, stderr: fixture('iscsiadm-login-auth.stderr.txt') }],
      ...sessionRules,
    ]);
    const err = await new LinuxInitiator(exec, host())
      .connect({ portal: PORTAL, iqn: IQN, chapUser: 'u1', chapSecret: CANARY, persistent: true })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED' });
    expect(JSON.stringify(err.details)).not.toContain(CANARY);
    expect(calls.at(-1)!.argv).toEqual([...node, '-o', 'delete']);
  });

  it('a target the portal does not offer → NOT_FOUND before anything is written', async () => {
    const { exec, calls } = fakeExec(sessionRules);
    const err = await new LinuxInitiator(exec, host())
      .connect({ portal: PORTAL, iqn: 'iqn.2024-01.other:t', persistent: true })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', details: { offered: [IQN] } });
    expect(calls).toHaveLength(1);
  });

  it('without iscsiadm or the kernel module: NOT_SUPPORTED with what to install, nothing run', async () => {
    for (const h of [host({ module: false }), host({ iscsiadm: false })]) {
      const { exec, calls } = fakeExec([]);
      const err = await new LinuxInitiator(exec, h)
        .connect({ portal: PORTAL, iqn: IQN, persistent: true })
        .catch((e) => e);
      expect(err).toMatchObject({ code: 'NOT_SUPPORTED' });
      expect(err.details.fix).toMatch(/apt install open-iscsi/);
      expect(calls).toHaveLength(0);
    }
  });

  it('list: exit 21 (no sessions) is an empty list; no iscsiadm is an empty list', async () => {
    const { exec } = fakeExec([[has('session'), { code: 21, stderr: fixture('iscsiadm-no-sessions.stderr.txt') }]]);
    expect(await new LinuxInitiator(exec, host()).list()).toEqual([]);
    expect(await new LinuxInitiator(fakeExec([]).exec, host({ iscsiadm: false })).list()).toEqual([]);
  });

  it('list: an unreadable node record (not root) means not known to be persistent', async () => {
    const { exec } = fakeExec([[has('-o', 'show'), { code: 13 }], ...sessionRules]);
    const [s] = await new LinuxInitiator(exec, host()).list();
    expect(s).toMatchObject({ iqn: IQN, state: 'connected', persistent: false });
  });

  it('disconnect logs out and forgets each matching session; none → NOT_FOUND', async () => {
    const { exec, calls } = fakeExec(sessionRules);
    const ended = await new LinuxInitiator(exec, host()).disconnect({ iqn: IQN });
    expect(ended).toEqual([{ iqn: IQN, portal: PORTAL, state: 'disconnected', persistent: false, disks: [] }]);
    expect(calls.slice(-2).map((c) => c.argv)).toEqual([
      [...node, '--logout'],
      [...node, '-o', 'delete'],
    ]);
    const other = fakeExec(sessionRules);
    expect(await codeOf(new LinuxInitiator(other.exec, host()).disconnect({ iqn: 'iqn.2024-01.other:t' }))).toBe(
      'NOT_FOUND',
    );
  });
});
