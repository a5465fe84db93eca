// Editing shares on the lab NAS through the core API, checked from both sides: the Samba registry
// (`net conf showshare` on the NAS) and smbclient from the client namespace for SMB; the NFS-Ganesha
// export reloaded and probed with libnfs's nfs-ls / nfs-cp for NFS.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, CommandParams, CommandResult } from '../../../../shared/api';
import { clientExec, nasExec, readLabState, type LabState, type NasState } from '../../../../e2e/lab/lab-state';
import { createCore, type Core } from '../../api';
import { MemoryVault } from '../../secrets/vault';

let state: LabState;
let nas: NasState;
let core: Core;

async function call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<CommandResult<N>> {
  const envelope = await core.dispatch(method, params);
  if (!envelope.ok)
    throw Object.assign(new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`), envelope.error);
  return envelope.value as CommandResult<N>;
}

/** Retries a probe until it passes: ganesha re-reads its exports after SIGHUP, not before kill returns. */
async function eventually(probe: () => Promise<void>, tries = 25): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await probe();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  state = readLabState();
  nas = state.nas[0]!;
  core = createCore({ configDir: mkdtempSync(join(tmpdir(), 'nasdeck-share-edit-')), vault: new MemoryVault() });
  await call('devices.add', {
    host: nas.address,
    name: 'lab',
    user: nas.ssh!.user,
    password: nas.ssh!.password,
    acceptNewHostKey: true,
  });
});
afterAll(async () => {
  await call('shares.delete', { device: 'lab', share: 'ndeditsmb', protocol: 'smb' }).catch(() => undefined);
  await call('shares.delete', { device: 'lab', share: 'ndeditnfs', protocol: 'nfs' }).catch(() => undefined);
  core?.close();
});

describe('editing an SMB share', () => {
  it('makes a registry share read-only: net conf shows it, smbclient can read but not write', async () => {
    const user = nas.smb!.user;
    const env = { ...process.env, PASSWD: nas.smb!.password };
    await call('shares.create', { device: 'lab', protocol: 'smb', name: 'ndeditsmb', users: [user] });
    const tmp = mkdtempSync(join(state.workDir, 'smbedit-'));
    writeFileSync(join(tmp, 'up.txt'), 'before the edit\n');
    const smb = (cmd: string) =>
      clientExec(state, ['smbclient', `//${nas.address}/ndeditsmb`, '-U', user, '-c', cmd], { env });
    const first = await smb(`put ${join(tmp, 'up.txt')} up.txt`);
    expect(first.code, first.stderr + first.stdout).toBe(0);

    const plan = await call('shares.update', { device: 'lab', share: 'ndeditsmb', readOnly: true, dryRun: true });
    expect(plan.steps.map((s) => s.argv)).toEqual([['net', 'conf', 'setparm', 'ndeditsmb', 'read only', 'yes']]);
    expect((await nasExec(state, nas.index, ['net', 'conf', 'showshare', 'ndeditsmb'])).stdout).toMatch(
      /read only = no/,
    );

    const done = await call('shares.update', { device: 'lab', share: 'ndeditsmb', readOnly: true });
    expect(done).toMatchObject({ applied: true, value: { name: 'ndeditsmb', readOnly: true, users: [user] } });
    const shown = await nasExec(state, nas.index, ['net', 'conf', 'showshare', 'ndeditsmb']);
    expect(shown.stdout).toMatch(/read only = yes/);
    expect(shown.stdout).toMatch(new RegExp(`valid users = ${user}`));

    const refused = await smb(`put ${join(tmp, 'up.txt')} again.txt`);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/NT_STATUS_(ACCESS_DENIED|MEDIA_WRITE_PROTECTED)/);
    const read = await smb(`get up.txt ${join(tmp, 'down.txt')}`);
    expect(read.code, read.stderr + read.stdout).toBe(0);
    expect((await call('shares.list', { device: 'lab' })).find((s) => s.name === 'ndeditsmb')).toMatchObject({
      readOnly: true,
      managed: true,
    });

    // Emptying the user list removes "valid users" from the registry share.
    await call('shares.update', { device: 'lab', share: 'ndeditsmb', readOnly: false, users: [] });
    const after = await nasExec(state, nas.index, ['net', 'conf', 'showshare', 'ndeditsmb']);
    expect(after.stdout).toMatch(/read only = no/);
    expect(after.stdout).not.toMatch(/valid users/);
    const writable = await smb(`put ${join(tmp, 'up.txt')} again.txt`);
    expect(writable.code, writable.stderr + writable.stdout).toBe(0);

    await call('shares.delete', { device: 'lab', share: 'ndeditsmb' });
  });

  it('names a share that does not exist', async () => {
    await expect(call('shares.update', { device: 'lab', share: 'nosuchshare', readOnly: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('editing an NFS export', () => {
  it('rewrites the clients and read-only of Nasdeck’s ganesha export, which the client then sees', async () => {
    const url = `nfs://${nas.address}/ndeditnfs`;
    await call('shares.create', { device: 'lab', protocol: 'nfs', name: 'ndeditnfs', clients: [state.client.subnet] });
    await nasExec(state, nas.index, [
      'sh',
      '-c',
      'echo nfs-edit > "$1/ndeditnfs/marker.txt"',
      'x',
      nas.pool!.mountPoint,
    ]);
    await eventually(async () => expect((await clientExec(state, ['nfs-ls', url])).stdout).toContain('marker.txt'));
    // Writable for the squashed client user, so that only the export's access type can refuse a write.
    await nasExec(state, nas.index, ['chmod', '1777', `${nas.pool!.mountPoint}/ndeditnfs`]);
    const tmp = mkdtempSync(join(state.workDir, 'nfsedit-'));
    writeFileSync(join(tmp, 'up.txt'), 'x\n');
    const rw = await clientExec(state, ['nfs-cp', join(tmp, 'up.txt'), `${url}/rw.txt`]);
    expect(rw.code, rw.stderr + rw.stdout).toBe(0);

    // Only another network may mount it now: the lab client is turned away.
    const away = await call('shares.update', {
      device: 'lab',
      share: 'ndeditnfs',
      protocol: 'nfs',
      clients: ['192.0.2.0/24'],
    });
    expect(away).toMatchObject({ applied: true, value: { clients: ['192.0.2.0/24'] } });
    await eventually(async () => expect((await clientExec(state, ['nfs-ls', url])).code).not.toBe(0));
    expect((await call('shares.list', { device: 'lab' })).find((s) => s.name === 'ndeditnfs')).toMatchObject({
      clients: ['192.0.2.0/24'],
      managed: true,
    });

    // Back to the lab network, read-only: listing works, writing is refused.
    await call('shares.update', {
      device: 'lab',
      share: 'ndeditnfs',
      protocol: 'nfs',
      clients: [state.client.subnet],
      readOnly: true,
    });
    await eventually(async () => expect((await clientExec(state, ['nfs-ls', url])).stdout).toContain('marker.txt'));
    const write = await clientExec(state, ['nfs-cp', join(tmp, 'up.txt'), `${url}/up.txt`]);
    expect(write.code).not.toBe(0);
    const listed = (await call('shares.list', { device: 'lab' })).find((s) => s.name === 'ndeditnfs')!;
    expect(listed).toMatchObject({ readOnly: true, clients: [state.client.subnet] });

    // The lab's own export is not Nasdeck's to change.
    await expect(
      call('shares.update', { device: 'lab', share: 'export', protocol: 'nfs', readOnly: true }),
    ).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await call('shares.delete', { device: 'lab', share: 'ndeditnfs', protocol: 'nfs' });
  });
});
