import { describe, expect, it } from 'vitest';
import { MacosInitiator } from './macos';

describe('macOS: no built-in initiator', () => {
  it('explains and offers SMB/NFS when no third-party initiator is installed', async () => {
    const checked: string[] = [];
    const mac = new MacosInitiator(async (p) => (checked.push(p), false));
    const err = await mac.discover().catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', details: { found: [] } });
    expect(err.message).toMatch(/no built-in iSCSI initiator/);
    expect(err.details.fix).toMatch(/SMB or NFS/);
    expect(checked).toContain('/usr/local/bin/iscsictl');
    await expect(mac.connect()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(await mac.list()).toEqual([]);
  });

  it('names a third-party initiator it finds', async () => {
    const mac = new MacosInitiator(async (p) => p === '/Library/PreferencePanes/globalSAN.prefPane');
    const err = await mac.connect().catch((e) => e);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', details: { found: ['globalSAN'] } });
    expect(err.message).toMatch(/globalSAN is installed/);
  });

  it('a plan for macOS is the explanation, not an empty plan', () => {
    expect(() => new MacosInitiator(async () => false).planConnect()).toThrow(/no built-in iSCSI initiator/);
  });
});
