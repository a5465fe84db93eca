// `nasdeck share edit` through runCli (argument parsing, core, vendor registry, pinned TLS, JSON-RPC)
// against the TrueNAS emulator: the dry-run plan names the exact API call and changes nothing, the
// real edit changes the emulator's share, and contradictory or empty edits are refused (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNasEmulator } from '../../e2e/emulators/truenas/server';
import { cliHarness } from './test-harness';

describe('nasdeck share edit (TrueNAS 25.04 emulator)', () => {
  let emu: TrueNasEmulator;
  let run: (argv: string[], stdin?: string) => Promise<{ code: number; out: string; err: string }>;
  let id: string;
  beforeAll(async () => {
    emu = await TrueNasEmulator.start({ release: '25.04' });
    run = (await cliHarness('nasdeck-share-edit-')).run;
    const added = await run(
      [
        'device',
        'add',
        emu.url,
        '--vendor',
        'truenas',
        '--user',
        'admin',
        '--password-stdin',
        '--accept-new-cert',
        '--json',
      ],
      'admin-pass\n',
    );
    expect(added).toMatchObject({ code: 0, err: '' });
    id = JSON.parse(added.out).id;
  });
  afterAll(() => emu.close());

  it('--dry-run prints the plan (text and JSON) and changes nothing', async () => {
    const before = JSON.stringify(emu.model.smb);
    const text = await run(['share', 'edit', id, 'media', '--read-only', '--client', '10.0.0.0/8', '--dry-run']);
    expect(text).toMatchObject({ code: 0, err: '' });
    expect(text.out).toBe(
      'Would run, in order (nothing was changed):\n' +
        '  1. Change SMB share media: read-only; clients 10.0.0.0/8\n' +
        '     "sharing.smb.update [1,{\\"ro\\":true,\\"hostsallow\\":[\\"10.0.0.0/8\\"]}]"\n',
    );
    const json = await run([
      'share',
      'edit',
      id,
      'backups',
      '--protocol',
      'nfs',
      '--any-client',
      '--dry-run',
      '--json',
    ]);
    expect(json).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(json.out)).toEqual({
      steps: [
        {
          where: 'api',
          call: 'sharing.nfs.update [1,{"networks":[],"hosts":[]}]',
          description: 'Change NFS share backups: clients everyone',
        },
      ],
    });
    expect(JSON.stringify(emu.model.smb)).toBe(before);
  });

  it('applies the edit and prints the share', async () => {
    const done = await run(['share', 'edit', id, 'media', '--read-only', '--client', '10.0.0.0/8', '--json']);
    expect(done).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(done.out)).toMatchObject({
      name: 'media',
      protocol: 'smb',
      readOnly: true,
      clients: ['10.0.0.0/8'],
    });
    expect(emu.model.smb.find((r) => r.name === 'media')).toMatchObject({ ro: true, hostsallow: ['10.0.0.0/8'] });
    const text = await run(['share', 'edit', id, 'media', '--read-write']);
    expect(text.out).toBe('Changed SMB share media: read-write, users any, clients 10.0.0.0/8.\n');
    expect(emu.model.smb.find((r) => r.name === 'media')!.ro).toBe(false);
  });

  it('refuses nothing to change, contradictions and what TrueNAS cannot do, with exit codes', async () => {
    const nothing = await run(['share', 'edit', id, 'media', '--json']);
    expect(nothing.code).toBe(2);
    expect(JSON.parse(nothing.err).error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(nothing.err).toMatch(/Nothing to change/);
    expect((await run(['share', 'edit', id, 'media', '--read-only', '--read-write'])).code).toBe(2);
    expect((await run(['share', 'edit', id, 'media', '--user', 'a', '--any-user'])).code).toBe(2);
    expect((await run(['share', 'edit', id, 'media', '--client', 'bad client!'])).code).toBe(2);
    expect((await run(['share', 'edit', id, 'nope', '--read-only'])).code).toBe(2);
    const users = await run(['share', 'edit', id, 'media', '--user', 'alice', '--json']);
    expect(users.code).toBe(5);
    expect(JSON.parse(users.err).error).toMatchObject({ code: 'NOT_SUPPORTED', details: { fix: expect.any(String) } });
  });
});
