// Fault controls: each one is applied and its effect observed from outside.
import { randomBytes, createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { corruptBlock, cutLink, failMember, replaceMember, restoreLink, startDaemon, stopDaemon } from './lab';
import {
  clientExec,
  clientTcpConnect,
  eventually,
  mdnsQuery,
  nasExec,
  nasPath,
  readLabState,
  type LabState,
  type NasState,
} from './lab-state';

let state: LabState;
let nas: NasState;
const fresh = () => readLabState(state.instance); // pool devices change after fail/replace

beforeAll(() => {
  state = readLabState();
  nas = state.nas[0]!;
});

describe('link', () => {
  it('cut makes the NAS unreachable, restore brings it back', async () => {
    expect(await clientTcpConnect(state, nas.address, 22)).toBe(true);
    await cutLink(nas.index, state.instance);
    try {
      expect(await clientTcpConnect(state, nas.address, 22, 3)).toBe(false);
    } finally {
      await restoreLink(nas.index, state.instance);
    }
    const ok = await eventually(
      () => clientTcpConnect(state, nas.address, 22),
      (v) => v,
      15_000,
    );
    expect(ok).toBe(true);
  });
});

describe('daemons', () => {
  const cases: [string, number][] = [
    ['sshd', 22],
    ['smbd', 445],
    ['ganesha', 2049],
    ['tgtd', 3260],
  ];
  for (const [daemon, port] of cases) {
    it(`stop ${daemon} closes :${port}, start opens it again`, async () => {
      expect(await clientTcpConnect(state, nas.address, port)).toBe(true);
      await stopDaemon(nas.index, daemon, state.instance);
      expect(await clientTcpConnect(state, nas.address, port)).toBe(false);
      await startDaemon(nas.index, daemon, state.instance);
      expect(await clientTcpConnect(state, nas.address, port)).toBe(true);
    });
  }

  it('a restarted tgtd serves the LUN with CHAP again', async () => {
    const t = nas.iscsi!.targets[0]!;
    const r = await clientExec(
      state,
      ['iscsi-readcapacity16', '-i', t.initiator, `iscsi://${nas.address}/${t.iqn}/${t.lun}`],
      {
        env: { ...process.env, LIBISCSI_CHAP_USERNAME: t.chapUser, LIBISCSI_CHAP_PASSWORD: t.chapSecret },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Total size:${t.sizeBytes}`);
  });

  it('stop avahi silences mDNS, start brings it back', async () => {
    const host = `${nas.hostname}.local`;
    const resolve = async () =>
      (await mdnsQuery(state, [{ name: host, type: 'A' }], 2500, [host])).records
        .filter((r) => r.type === 'A' && r.name === host)
        .map((r) => r.data);
    await stopDaemon(nas.index, 'avahi', state.instance);
    expect(await resolve()).toEqual([]);
    await startDaemon(nas.index, 'avahi', state.instance);
    expect(await resolve()).toEqual([nas.address]);
  });
});

describe('pool', () => {
  it('a detached member leaves the pool degraded, replace makes it healthy again', async () => {
    const before = fresh().nas[0]!.pool!.devices.length;
    const f = await failMember(nas.index, undefined, state.instance);
    const show = await nasExec(fresh(), nas.index, ['btrfs', 'filesystem', 'show', nas.pool!.mountPoint]);
    expect(show.stdout).toMatch(/missing/i);
    expect(show.stdout).not.toContain(f.device + '\n');
    // data still readable on the degraded pool, and SMB is back
    const hello = await nasExec(fresh(), nas.index, ['cat', join(nas.pool!.mountPoint, 'share1', 'hello.txt')]);
    expect(hello.stdout).toBe(`hello from ${nas.hostname}\n`);

    const r = await replaceMember(nas.index, state.instance);
    const after = await nasExec(fresh(), nas.index, ['btrfs', 'filesystem', 'show', nas.pool!.mountPoint]);
    expect(after.stdout).not.toMatch(/missing/i);
    expect(after.stdout).toContain(r.device);
    expect(fresh().nas[0]!.pool!.devices.length).toBe(before);
    const df = await nasExec(fresh(), nas.index, ['btrfs', 'filesystem', 'df', nas.pool!.mountPoint]);
    expect(df.stdout).toMatch(/Data, RAID1/);
    expect(df.stdout).not.toMatch(/^(Data|Metadata|System), single/m);
    const smb = await clientExec(state, ['smbclient', '-g', '-L', `//${nas.address}`, '-U', nas.smb!.user], {
      env: { ...process.env, PASSWD: nas.smb!.password },
    });
    expect(smb.stdout).toContain('Disk|share1|');
  });

  it('a block corrupted on one mirror is repaired by scrub, data unchanged', async () => {
    const st = fresh();
    const n = st.nas[0]!;
    const file = join(n.pool!.mountPoint, 'share1', `scrub-${Date.now()}.bin`);
    const payload = randomBytes(1024 * 1024); // big enough not to be inlined in metadata
    writeFileSync(nasPath(n, file), payload);
    const sha = createHash('sha256').update(payload).digest('hex');
    await nasExec(st, n.index, ['btrfs', 'device', 'stats', '-z', n.pool!.mountPoint]);

    const c = await corruptBlock(n.index, file, st.instance);
    expect(n.pool!.devices).toContain(c.device);

    const scrub = await nasExec(st, n.index, ['btrfs', 'scrub', 'start', '-B', n.pool!.mountPoint], {
      timeoutMs: 120_000,
    });
    const out = scrub.stdout + scrub.stderr;
    expect(scrub.code, out).toBe(0);
    expect(out).toMatch(/corrected/i);
    const corrected = /Corrected:\s+(\d+)/.exec(out);
    expect(Number(corrected?.[1] ?? 0), out).toBeGreaterThan(0);
    expect(out).toMatch(/Uncorrectable:\s+0/);

    const sum = await nasExec(st, n.index, ['sha256sum', file]);
    expect(sum.stdout.split(' ')[0]).toBe(sha);
    const again = await nasExec(st, n.index, ['btrfs', 'scrub', 'start', '-B', n.pool!.mountPoint]);
    expect(again.stdout + again.stderr).toMatch(/no errors found/);
  });
});
