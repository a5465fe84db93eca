// The Linux adapter against the lab NAS's real btrfs, Samba, NFS-Ganesha and tgt, through the
// same core API every front door uses, over SSH as the lab's admin (who needs sudo).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, CommandParams, CommandResult } from '../../../../shared/api';
import type { Device, Job, Pool } from '../../../../shared/domain';
import { corruptBlock, failMember, replaceMember } from '../../../../e2e/lab/lab';
import {
  clientExec,
  nasExec,
  nasPath,
  readLabState,
  type LabState,
  type NasState,
} from '../../../../e2e/lab/lab-state';
import { createCore, type Core } from '../../api';
import { MemoryVault } from '../../secrets/vault';

let state: LabState;
let nas: NasState;
let core: Core;
let device: Device;

async function call<N extends CommandName>(method: N, params: CommandParams<N>): Promise<CommandResult<N>> {
  const envelope = await core.dispatch(method, params);
  if (!envelope.ok)
    throw Object.assign(new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`), envelope.error);
  return envelope.value as CommandResult<N>;
}
const fresh = () => readLabState(state.instance);
const smbEnv = () => ({ ...process.env, PASSWD: nas.smb!.password });

beforeAll(async () => {
  state = readLabState();
  nas = state.nas[0]!;
  core = createCore({ configDir: mkdtempSync(join(tmpdir(), 'nasdeck-linux-')), vault: new MemoryVault() });
  device = await call('devices.add', {
    host: nas.address,
    name: 'lab',
    user: nas.ssh!.user,
    password: nas.ssh!.password,
    acceptNewHostKey: true,
  });
});
afterAll(() => core?.close());

describe('adding the NAS', () => {
  it('pins the host key shown on first contact and manages it as Linux', () => {
    expect(device.access.hostKeySha256).toBe(nas.ssh!.hostKeySha256);
    expect(device.vendor).toBe('linux');
    expect(device.access.secrets).toEqual(['password']);
  });
});

describe('health', () => {
  it('reports the btrfs RAID1 pool with its members, sizes and scrub state', async () => {
    const pools = await call('pools.list', { device: 'lab' });
    const pool = pools.find((p) => p.kind === 'btrfs')!;
    expect(pool).toMatchObject({ kind: 'btrfs', raidLevel: 'raid1', state: 'healthy' });
    expect(pool.devices.map((d) => d.name).sort()).toEqual([...fresh().nas[0]!.pool!.devices].sort());
    expect(pool.sizeBytes).toBeGreaterThan(1024 ** 3);
    expect(pool.usedBytes).toBeGreaterThan(0);
    expect(pool.usedBytes).toBeLessThan(pool.sizeBytes);
  });

  it('gives one status summary: system, capabilities, pools, disks', async () => {
    const s = await call('nas.status', { device: 'lab' });
    expect(s.system.hostname).toBe(nas.hostname);
    expect(s.capabilities).toMatchObject({
      pools: true,
      scrub: true,
      snapshots: true,
      smbShares: true,
      nfsShares: true,
      iscsi: true,
    });
    expect(s.health).toBe('healthy');
    expect(s.disks.map((d) => d.name).sort()).toEqual(
      expect.arrayContaining(fresh().nas[0]!.pool!.devices.map((d) => d.replace('/dev/', ''))),
    );
  });
});

describe('snapshots', () => {
  it('creates, lists, rolls back and deletes a snapshot of a share', async () => {
    const snap = `lab-snap-${Date.now()}`;
    const file = join(nas.pool!.mountPoint, 'share1', 'snap-test.txt');
    writeFileSync(nasPath(nas, file), 'before\n');
    const created = await call('snapshots.create', { device: 'lab', of: 'share1', name: snap });
    expect(created).toMatchObject({ applied: true, value: { of: 'share1', name: snap } });
    const list = await call('snapshots.list', { device: 'lab', of: 'share1' });
    expect(list.map((s) => s.name)).toContain(snap);
    expect(list.find((s) => s.name === snap)!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}/);

    writeFileSync(nasPath(nas, file), 'after\n');
    await call('snapshots.rollback', { device: 'lab', of: 'share1', name: snap });
    expect((await nasExec(state, nas.index, ['cat', file])).stdout).toBe('before\n');
    // The replaced state was kept, and the share still serves (same path).
    expect(
      (await call('snapshots.list', { device: 'lab', of: 'share1' })).some((s) =>
        s.name.startsWith('before-rollback-'),
      ),
    ).toBe(true);

    await call('snapshots.delete', { device: 'lab', of: 'share1', name: snap });
    expect((await call('snapshots.list', { device: 'lab', of: 'share1' })).map((s) => s.name)).not.toContain(snap);
    await expect(call('snapshots.delete', { device: 'lab', of: 'share1', name: snap })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('shares', () => {
  it('plans an SMB share with --dry-run, showing the remote argv and changing nothing', async () => {
    const plan = await call('shares.create', {
      device: 'lab',
      protocol: 'smb',
      name: 'planned',
      users: [nas.smb!.user],
      dryRun: true,
    });
    expect(plan.applied).toBe(false);
    const argvs = plan.steps.map((s) => s.argv!.join(' '));
    expect(argvs).toContain(`net conf addshare planned ${nas.pool!.mountPoint}/planned writeable=y guest_ok=n`);
    expect(plan.steps.every((s) => s.where === 'remote' && s.elevated)).toBe(true);
    expect((await call('shares.list', { device: 'lab' })).map((s) => s.name)).not.toContain('planned');
  });

  it('creates an SMB share that the user can write and read with smbclient, then deletes it', async () => {
    const made = await call('shares.create', {
      device: 'lab',
      protocol: 'smb',
      name: 'ndtestsmb',
      users: [nas.smb!.user],
    });
    expect(made).toMatchObject({ applied: true, value: { name: 'ndtestsmb', protocol: 'smb' } });
    const list = await call('shares.list', { device: 'lab' });
    expect(list.find((s) => s.name === 'ndtestsmb')).toMatchObject({
      protocol: 'smb',
      managed: true,
      users: [nas.smb!.user],
    });

    const tmp = mkdtempSync(join(state.workDir, 'smbtest-'));
    const payload = randomBytes(32 * 1024);
    writeFileSync(join(tmp, 'up.bin'), payload);
    const r = await clientExec(
      state,
      [
        'smbclient',
        `//${nas.address}/ndtestsmb`,
        '-U',
        nas.smb!.user,
        '-c',
        `put ${join(tmp, 'up.bin')} up.bin; get up.bin ${join(tmp, 'down.bin')}`,
      ],
      { env: smbEnv() },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const { readFileSync } = await import('node:fs');
    expect(sha(readFileSync(join(tmp, 'down.bin')))).toBe(sha(payload));

    await expect(call('shares.create', { device: 'lab', protocol: 'smb', name: 'ndtestsmb' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await call('shares.delete', { device: 'lab', share: 'ndtestsmb' });
    const gone = await clientExec(state, ['smbclient', '-g', '-L', `//${nas.address}`, '-U', nas.smb!.user], {
      env: smbEnv(),
    });
    expect(gone.stdout).not.toContain('Disk|ndtestsmb|');
  });

  it('sets an SMB password through stdin: the new one signs in, the old one no longer does', async () => {
    const list = (password: string) =>
      clientExec(state, ['smbclient', '-g', '-L', `//${nas.address}`, '-U', nas.smb!.user], {
        env: { ...process.env, PASSWD: password },
      });
    const fresh = 'New-smb-pass-7';
    const plan = await call('shares.setUserPassword', {
      device: 'lab',
      user: nas.smb!.user,
      password: fresh,
      dryRun: true,
    });
    expect(JSON.stringify(plan)).not.toContain(fresh);
    await call('shares.setUserPassword', { device: 'lab', user: nas.smb!.user, password: fresh });
    try {
      expect((await list(fresh)).code).toBe(0);
      expect((await list(nas.smb!.password)).code).not.toBe(0);
    } finally {
      await call('shares.setUserPassword', { device: 'lab', user: nas.smb!.user, password: nas.smb!.password });
    }
    expect((await list(nas.smb!.password)).code).toBe(0);
    await expect(
      call('shares.setUserPassword', { device: 'lab', user: 'nosuchuser', password: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates an NFS export that nfs-ls lists over v3 and v4, then deletes it', async () => {
    await call('shares.create', { device: 'lab', protocol: 'nfs', name: 'ndtestnfs', clients: [state.client.subnet] });
    await nasExec(state, nas.index, ['sh', '-c', 'echo nfs-ok > "$1/ndtestnfs/marker.txt"', 'x', nas.pool!.mountPoint]);
    for (const url of [`nfs://${nas.address}/ndtestnfs`, `nfs://${nas.address}/ndtestnfs?version=4`]) {
      const ls = await clientExec(state, ['nfs-ls', url]);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toContain('marker.txt');
    }
    expect((await call('shares.list', { device: 'lab' })).find((s) => s.name === 'ndtestnfs')).toMatchObject({
      protocol: 'nfs',
      managed: true,
    });
    // The lab's own export, defined outside Nasdeck's file, is listed but not ours to change.
    expect((await call('shares.list', { device: 'lab' })).find((s) => s.path === '/export')).toMatchObject({
      managed: false,
    });
    await call('shares.delete', { device: 'lab', share: 'ndtestnfs', protocol: 'nfs' });
    expect((await clientExec(state, ['nfs-ls', `nfs://${nas.address}/ndtestnfs`])).code).not.toBe(0);
    expect((await clientExec(state, ['nfs-ls', `nfs://${nas.address}/export`])).code).toBe(0);
  });
});

describe('iSCSI', () => {
  it('creates a CHAP-protected target that iscsi-ls logs into, refuses a wrong secret, and deletes it', async () => {
    const initiator = fresh().nas[0]!.iscsi!.targets[0]!.initiator;
    const secret = 'Nasdeck-chap1';
    const made = await call('iscsi.create', {
      device: 'lab',
      name: 'ndtestlun',
      sizeBytes: 64 * 1024 * 1024,
      chapUser: 'ndchap',
      chapSecret: secret,
      initiators: [initiator],
    });
    expect(made.applied && made.value.iqn).toMatch(/^iqn\.2005-10\.org\.nasdeck:.+\.ndtestlun$/);
    const iqn = made.applied ? made.value.iqn : '';
    const listed = (await call('iscsi.list', { device: 'lab' })).find((t) => t.iqn === iqn)!;
    expect(listed).toMatchObject({ chapUser: 'ndchap', initiators: [initiator] });
    expect(listed.luns[0]!.sizeBytes).toBe(64 * 1024 * 1024);

    const login = (password: string) =>
      clientExec(state, ['iscsi-readcapacity16', '-i', initiator, `iscsi://${nas.address}/${iqn}/1`], {
        env: { ...process.env, LIBISCSI_CHAP_USERNAME: 'ndchap', LIBISCSI_CHAP_PASSWORD: password },
      });
    const ok = await login(secret);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Total size:${64 * 1024 * 1024}`);
    const wrong = await login('Wrong-secret-1');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/Authentication failure/);

    const plan = await call('iscsi.delete', { device: 'lab', target: iqn, dryRun: true });
    expect(plan.applied).toBe(false);
    await call('iscsi.delete', { device: 'lab', target: iqn });
    expect((await call('iscsi.list', { device: 'lab' })).some((t) => t.iqn === iqn)).toBe(false);
  });

  it('never shows the CHAP secret in a plan', async () => {
    const plan = await call('iscsi.create', {
      device: 'lab',
      name: 'planned',
      sizeBytes: 2 ** 20,
      chapUser: 'u1',
      chapSecret: 'Secret-canary',
      dryRun: true,
    });
    expect(JSON.stringify(plan)).not.toContain('Secret-canary');
    expect(JSON.stringify(plan)).toContain('***');
  });
});

describe('scrub and faults', () => {
  it('repairs a block corrupted on one mirror in a scrub started from Nasdeck, with progress', async () => {
    const st = fresh();
    const n = st.nas[0]!;
    const file = join(n.pool!.mountPoint, 'share1', `nd-scrub-${Date.now()}.bin`);
    const payload = randomBytes(2 * 1024 * 1024);
    writeFileSync(nasPath(n, file), payload);
    await corruptBlock(n.index, file, st.instance);

    const progress: Job[] = [];
    core.events.on('jobs.progress', (j) => progress.push(j));
    const job = await call('pools.scrub', { device: 'lab', pool: n.pool!.mountPoint });
    const final = await core.jobs.wait(job.id);
    expect(final.state, final.error?.message).toBe('succeeded');
    expect(progress.filter((j) => j.id === job.id).at(-1)!.progress).toBe(1);
    const pool = (await call('pools.list', { device: 'lab' })).find((p) => p.kind === 'btrfs') as Pool;
    expect(pool.scrub!.errorsCorrected).toBeGreaterThan(0);
    expect(pool.scrub!.errorsUncorrectable).toBe(0);
    const sum = await nasExec(st, n.index, ['sha256sum', file]);
    expect(sum.stdout.split(' ')[0]).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('reports a pool with a detached member as degraded, and healthy again after replace', async () => {
    await failMember(nas.index, undefined, state.instance);
    try {
      const pool = (await call('pools.list', { device: 'lab' })).find((p) => p.kind === 'btrfs')!;
      expect(pool.state).toBe('degraded');
      expect(pool.devices.some((d) => d.state === 'failed')).toBe(true);
      const status = await call('nas.status', { device: 'lab' });
      expect(status.health).toBe('degraded');
      expect(status.alerts.some((a) => a.level === 'critical' && /degraded/.test(a.message))).toBe(true);
    } finally {
      await replaceMember(nas.index, state.instance);
    }
    expect((await call('pools.list', { device: 'lab' })).find((p) => p.kind === 'btrfs')!.state).toBe('healthy');
  });
});
