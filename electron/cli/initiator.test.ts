// `nasdeck initiator …` in-process: plans for every OS, secrets from stdin shown as ***.
import { describe, expect, it } from 'vitest';
import { cliHarness } from './test-harness';

const CANARY = 'CANARY-s3cret42';
const IQN = 'iqn.2024-01.lab.nas:target1';

async function cli(stdin: string, ...argv: string[]) {
  return (await cliHarness('nasdeck-initiator-')).run(argv, stdin);
}

describe('nasdeck initiator (CLI)', () => {
  it('connect --dry-run --os windows prints the steps with the CHAP secret as ***', async () => {
    const r = await cli(
      `${CANARY}\n`,
      'initiator',
      'connect',
      '10.0.0.5',
      IQN,
      '--chap-user',
      'u1',
      '--chap-secret-stdin',
      '--persistent',
      '--os',
      'windows',
      '--dry-run',
    );
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('Would run on this computer, in order (nothing was changed):');
    expect(r.out).toContain(
      `as administrator: powershell.exe -NoProfile -NonInteractive -Command "Connect-IscsiTarget -NodeAddress '${IQN}' -TargetPortalAddress '10.0.0.5' -TargetPortalPortNumber (3260) -IsPersistent $true -AuthenticationType ONEWAYCHAP -ChapUsername 'u1' -ChapSecret '***' | Out-Null"`,
    );
    expect(r.out).not.toContain(CANARY);
  });

  it('connect --initialize LABEL plans the disk initialization last on Windows, and is refused on Linux', async () => {
    const args = ['initiator', 'connect', '10.0.0.5', IQN, '--initialize', 'NAS data', '--dry-run', '--os'];
    const windows = await cli('', ...args, 'windows');
    expect(windows).toMatchObject({ code: 0, err: '' });
    expect(windows.out.trim().split('\n').at(-1)).toContain("-NewFileSystemLabel 'NAS data'");
    const linux = await cli('', ...args, 'linux');
    expect(linux.code).toBe(2);
    expect(linux.err).toContain('Windows only');
  });

  it('connect --dry-run --os linux --json prints the plan document', async () => {
    const r = await cli(
      `${CANARY}\n`,
      '--json',
      'initiator',
      'connect',
      '10.0.0.5:3261',
      IQN,
      '--chap-user',
      'u1',
      '--chap-secret-stdin',
      '--os',
      'linux',
      '--dry-run',
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    const node = ['iscsiadm', '-m', 'node', '-T', IQN, '-p', '10.0.0.5:3261'];
    expect(plan.steps.map((s: { argv: string[] }) => s.argv)).toEqual([
      ['iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', '10.0.0.5:3261'],
      [...node, '-o', 'update', '-n', 'node.session.auth.authmethod', '-v', 'CHAP'],
      [...node, '-o', 'update', '-n', 'node.session.auth.username', '-v', 'u1'],
      [...node, '-o', 'update', '-n', 'node.session.auth.password', '-v', '***'],
      [...node, '-o', 'update', '-n', 'node.startup', '-v', 'manual'],
      [...node, '--login'],
    ]);
    expect(plan.steps.every((s: { where: string; elevated: boolean }) => s.where === 'local' && s.elevated)).toBe(true);
  });

  it('--os macos explains (exit 5); a short CHAP secret is invalid input (exit 2); --os without --dry-run exit 2', async () => {
    const mac = await cli('', 'initiator', 'connect', '10.0.0.5', IQN, '--os', 'macos', '--dry-run');
    expect(mac.code).toBe(5);
    expect(mac.err).toMatch(/no built-in iSCSI initiator/);
    const short = await cli(
      'short\n',
      'initiator',
      'connect',
      '10.0.0.5',
      IQN,
      '--chap-user',
      'u',
      '--chap-secret-stdin',
      '--dry-run',
    );
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/12 to 16 characters/);
    expect(short.err).not.toContain('short\n');
    const live = await cli('', 'initiator', 'connect', '10.0.0.5', IQN, '--os', 'windows');
    expect(live.code).toBe(2);
    const flag = await cli('', 'initiator', 'discover', '10.0.0.5', '--chap-user', 'u');
    expect(flag).toMatchObject({ code: 2 });
    expect(flag.err).toMatch(/--chap-secret-stdin/);
  });

  it('disconnect --dry-run --os windows IQN plans the logout', async () => {
    const r = await cli('', 'initiator', 'disconnect', IQN, '--os', 'windows', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Disconnect-IscsiTarget -NodeAddress '${IQN}' -Confirm:$false`);
  });
});
