// The service picks one backend for this computer and plans for any OS without running anything.
import { describe, expect, it } from 'vitest';
import type { ExecRequest } from '../exec';
import { InitiatorService } from '.';

const CANARY = 'CANARY-s3cret42';
const IQN = 'iqn.2024-01.lab.nas:target1';

describe('InitiatorService', () => {
  const noExec = (calls: ExecRequest[]) => async (req: ExecRequest) => {
    calls.push(req);
    return { code: 0, stdout: '', stderr: '' };
  };

  it('plans for every OS without running anything', async () => {
    const calls: ExecRequest[] = [];
    const service = new InitiatorService({ platform: 'linux', exec: noExec(calls) });
    const base = { portal: '10.0.0.5', iqn: IQN, chapUser: 'u1', chapSecret: CANARY, persistent: true, dryRun: true };
    const linux = await service.connect({ ...base, os: 'linux' });
    const windows = await service.connect({ ...base, os: 'windows' });
    expect(linux).toMatchObject({ applied: false });
    expect(linux.steps.map((s) => s.argv![0])).toEqual(Array(6).fill('iscsiadm'));
    expect(windows.steps.map((s) => s.argv![0])).toEqual(['powershell.exe', 'powershell.exe']);
    await expect(service.connect({ ...base, os: 'macos' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(JSON.stringify([linux, windows])).not.toContain(CANARY);
    expect(calls).toEqual([]);
  });

  it('refuses to act (not plan) for another OS, and says how to plan', async () => {
    const service = new InitiatorService({ platform: 'linux', exec: noExec([]) });
    await expect(
      service.connect({ portal: '10.0.0.5', iqn: IQN, persistent: true, os: 'windows', dryRun: false }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { fix: expect.stringMatching(/--dry-run/) } });
    await expect(service.discover({ portal: '10.0.0.5', os: 'macos' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(service.disconnect({ os: 'windows', dryRun: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const plan = await service.disconnect({ os: 'windows', iqn: IQN, dryRun: true });
    expect(plan.steps).toHaveLength(1);
    // planning here names the sessions that exist: none → NOT_FOUND, like the real disconnect
    await expect(service.disconnect({ iqn: IQN, dryRun: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('chooses the backend from the platform once: a Windows computer runs PowerShell', async () => {
    const calls: ExecRequest[] = [];
    const service = new InitiatorService({ platform: 'win32', exec: noExec(calls) });
    expect(service.os).toBe('windows');
    expect(await service.list({})).toEqual([]);
    expect(calls[0]!.argv[0]).toBe('powershell.exe');
    expect(new InitiatorService({ platform: 'darwin' }).os).toBe('macos');
    await expect(new InitiatorService({ platform: 'aix' }).list({})).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});
