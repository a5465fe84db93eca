import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecRequest, ExecResult } from '../exec';
import { planStep } from './backend';
import { parseSessions, parseTargets, POWERSHELL, powershellError, WindowsInitiator } from './windows';
import { LinuxInitiator } from './linux';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const CANARY = 'CANARY-s3cret42';
const MUTUAL = 'MUTUAL-canary99';
const IQN = 'iqn.1991-05.com.contoso:testiscsi-deepcore-target';

function fakeExec(answer: (req: ExecRequest) => Partial<ExecResult>) {
  const calls: ExecRequest[] = [];
  const exec = async (req: ExecRequest): Promise<ExecResult> => {
    calls.push(req);
    return { code: 0, stdout: '', stderr: '', ...answer(req) };
  };
  return { exec, calls };
}
const isList = (req: ExecRequest) => req.stdin?.includes('Get-IscsiSession | ForEach-Object') === true;

describe('Windows parsers on the documented output', () => {
  it('reads Get-IscsiTarget JSON', () => {
    expect(parseTargets(fixture('windows-get-iscsitarget.json'), '10.121.235.126:3260')).toEqual([
      { iqn: IQN, portals: ['10.121.235.126:3260'] },
    ]);
    expect(parseTargets('', 'x:3260')).toEqual([]);
    // PowerShell 5.1 prints a lone object without brackets
    expect(parseTargets('{"NodeAddress":"iqn.2024-01.a:b","IsConnected":false}', 'x:3260')).toHaveLength(1);
  });

  it('reads Get-IscsiSession JSON with its portal and disks', () => {
    expect(parseSessions(fixture('windows-get-iscsisession.json'))).toEqual([
      {
        iqn: IQN,
        portal: '10.121.235.126:3260',
        state: 'connected',
        persistent: true,
        disks: ['\\\\.\\PhysicalDrive2'],
      },
      { iqn: IQN, portal: '10.121.235.126:3260', state: 'connected', persistent: true, disks: [] },
    ]);
  });

  it('a persistent session that is not connected is reconnecting; otherwise disconnected', () => {
    const [s] = JSON.parse(fixture('windows-get-iscsisession.json'));
    expect(parseSessions(JSON.stringify({ ...s, IsConnected: false }))[0]!.state).toBe('reconnecting');
    expect(parseSessions(JSON.stringify({ ...s, IsConnected: false, IsPersistent: false }))[0]!.state).toBe(
      'disconnected',
    );
  });

  it('maps PowerShell failures to typed errors', () => {
    const step = { argv: POWERSHELL, description: 'Log in' };
    const err = (stderr: string, code = 1) => powershellError(step, { code, stdout: '', stderr });
    // message texts as quoted in client-commands.md §1.7 (◐: not captured on a Windows machine here)
    expect(err('Connect-IscsiTarget : Authentication Failure.').code).toBe('AUTH_FAILED');
    expect(err('Connect-IscsiTarget : Connection Failed.').code).toBe('UNREACHABLE');
    expect(err('Access is denied.').code).toBe('PERMISSION_DENIED');
    expect(powershellError(step, { code: 127, missing: true, stdout: '', stderr: '' }).code).toBe('NOT_SUPPORTED');
    expect(err('something else').code).toBe('INTERNAL');
  });
});

describe('Windows plans and runs (exec injected)', () => {
  const params = {
    portal: '10.121.235.126',
    iqn: IQN,
    chapUser: 'u1',
    chapSecret: CANARY,
    persistent: true,
  };

  it('connect: PowerShell from stdin, values in the environment, secret in no argv and no script text', async () => {
    const { exec, calls } = fakeExec((req) =>
      isList(req) ? { stdout: fixture('windows-get-iscsisession.json') } : {},
    );
    const backend = new WindowsInitiator(exec);
    const session = await backend.connect(params);
    expect(session).toMatchObject({ iqn: IQN, state: 'connected', persistent: true, disks: ['\\\\.\\PhysicalDrive2'] });
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.argv).toEqual(['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', '-']);
      expect(call.elevated).toBe(true);
      expect(call.argv.join(' ')).not.toContain(CANARY);
      expect(call.stdin).not.toContain(CANARY);
    }
    expect(calls[1]!.stdin).toContain(
      'Connect-IscsiTarget -NodeAddress $env:NASDECK_ISCSI_IQN -TargetPortalAddress $env:NASDECK_ISCSI_PORTAL_HOST -TargetPortalPortNumber ([int]$env:NASDECK_ISCSI_PORTAL_PORT) -IsPersistent $true -AuthenticationType ONEWAYCHAP -ChapUsername $env:NASDECK_ISCSI_CHAP_USER -ChapSecret $env:NASDECK_ISCSI_CHAP_SECRET',
    );
    expect(calls[1]!.env).toEqual({
      NASDECK_ISCSI_PORTAL_HOST: '10.121.235.126',
      NASDECK_ISCSI_PORTAL_PORT: '3260',
      NASDECK_ISCSI_IQN: IQN,
      NASDECK_ISCSI_CHAP_USER: 'u1',
      NASDECK_ISCSI_CHAP_SECRET: CANARY,
    });
  });

  it('the plan shows the cmdlets with values filled in and the secret as ***', () => {
    const plan = new WindowsInitiator(fakeExec(() => ({})).exec).planConnect(params).map(planStep);
    expect(plan).toEqual([
      {
        where: 'local',
        elevated: true,
        description: 'Add the portal 10.121.235.126:3260',
        argv: [
          'powershell.exe',
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          "New-IscsiTargetPortal -TargetPortalAddress '10.121.235.126' -TargetPortalPortNumber (3260) | Out-Null",
        ],
      },
      {
        where: 'local',
        elevated: true,
        description: `Log in to ${IQN} (and again after every restart)`,
        argv: [
          'powershell.exe',
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          `Connect-IscsiTarget -NodeAddress '${IQN}' -TargetPortalAddress '10.121.235.126' -TargetPortalPortNumber (3260) -IsPersistent $true -AuthenticationType ONEWAYCHAP -ChapUsername 'u1' -ChapSecret '***' | Out-Null`,
        ],
      },
    ]);
  });

  it('mutual CHAP sets the initiator secret first and logs in with MUTUALCHAP', () => {
    const steps = new WindowsInitiator(fakeExec(() => ({})).exec).planConnect({
      ...params,
      mutualChapSecret: MUTUAL,
      persistent: false,
    });
    const shown = steps.map((s) => planStep(s).argv!.at(-1));
    expect(shown[1]).toBe("Set-IscsiChapSecret -ChapSecret '***'");
    expect(shown[2]).toContain('-AuthenticationType MUTUALCHAP');
    expect(shown[2]).not.toContain('IsPersistent');
    expect(steps[1]!.env).toEqual({ NASDECK_ISCSI_MUTUAL_CHAP_SECRET: MUTUAL });
    expect(JSON.stringify(steps.map(planStep))).not.toMatch(new RegExp(`${CANARY}|${MUTUAL}`));
  });

  it('a login refused for CHAP → AUTH_FAILED; already logged in → the existing session', async () => {
    const refused = fakeExec((req) =>
      req.stdin?.includes('Connect-IscsiTarget') ? { code: 1, stderr: 'Authentication Failure' } : {},
    );
    await expect(new WindowsInitiator(refused.exec).connect(params)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const already = fakeExec((req) =>
      req.stdin?.includes('Connect-IscsiTarget')
        ? { code: 1, stderr: 'The target has already been logged in via an iSCSI session.' }
        : isList(req)
          ? { stdout: fixture('windows-get-iscsisession.json') }
          : {},
    );
    await expect(new WindowsInitiator(already.exec).connect(params)).resolves.toMatchObject({ iqn: IQN });
  });

  it('discover adds the portal (with discovery CHAP) and reads Get-IscsiTarget', async () => {
    const { exec, calls } = fakeExec(() => ({ stdout: fixture('windows-get-iscsitarget.json') }));
    const targets = await new WindowsInitiator(exec).discover({
      portal: '10.121.235.126:3260',
      chapUser: 'u1',
      chapSecret: CANARY,
    });
    expect(targets).toEqual([{ iqn: IQN, portals: ['10.121.235.126:3260'] }]);
    expect(calls[0]!.stdin).toContain('-AuthenticationType ONEWAYCHAP');
    expect(calls[0]!.stdin).not.toContain(CANARY);
  });

  it('disconnect unregisters persistence and logs out each target', async () => {
    const { exec, calls } = fakeExec((req) =>
      isList(req) ? { stdout: fixture('windows-get-iscsisession.json') } : {},
    );
    const ended = await new WindowsInitiator(exec).disconnect({});
    expect(ended.map((s) => [s.iqn, s.state])).toEqual([
      [IQN, 'disconnected'],
      [IQN, 'disconnected'],
    ]);
    expect(calls).toHaveLength(2); // list, then one step for the one target
    expect(calls[1]!.stdin).toContain('Unregister-IscsiSession -SessionIdentifier $_.SessionIdentifier');
    expect(calls[1]!.stdin).toContain('Disconnect-IscsiTarget -NodeAddress $env:NASDECK_ISCSI_IQN -Confirm:$false');
    expect(calls[1]!.env).toEqual({ NASDECK_ISCSI_IQN: IQN });
  });

  it('initializes the new disk only on request, last, and refuses one that is not RAW', async () => {
    const backend = new WindowsInitiator(fakeExec(() => ({})).exec);
    expect(backend.planConnect(params).some((s) => s.description.startsWith('Initialize'))).toBe(false);
    const plan = backend.planConnect({ ...params, initialize: { label: 'NAS' } }).map(planStep);
    expect(plan.at(-1)!.argv!.at(-1)).toBe(
      `$d = Get-IscsiSession | Where-Object { $_.TargetNodeAddress -eq '${IQN}' } | Get-Disk | Select-Object -First 1; if (-not $d) { throw "No disk came with this target" }; if ($d.PartitionStyle -ne 'RAW') { throw "Disk $($d.Number) is not empty (partition style $($d.PartitionStyle))" }; $d | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -AssignDriveLetter -UseMaximumSize | Format-Volume -FileSystem NTFS -NewFileSystemLabel 'NAS' -Confirm:$false | Out-Null`,
    );

    // A disk with partitions: the login stands, the initialization is refused (never skipped).
    const used = fakeExec((req) =>
      isList(req)
        ? { stdout: fixture('windows-get-iscsisession.json') }
        : req.stdin?.includes('Initialize-Disk')
          ? { code: 1, stderr: 'Disk 2 is not empty (partition style GPT)' }
          : {},
    );
    await expect(
      new WindowsInitiator(used.exec).connect({ ...params, initialize: { label: 'NAS' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(used.calls.at(-1)!.env).toEqual({ NASDECK_ISCSI_IQN: IQN, NASDECK_ISCSI_LABEL: 'NAS' });
  });

  it('offers initialization on Windows only', () => {
    expect(() =>
      new LinuxInitiator(fakeExec(() => ({})).exec, {} as never).planConnect({
        ...params,
        initialize: { label: 'NAS' },
      }),
    ).toThrow(/Windows only/);
  });
});
