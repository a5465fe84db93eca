// The Linux adapter on hosts this lab cannot run (LIO, ZFS): an injected runner answers with
// output in the tools' real formats and records every command, so the exact argv is asserted.
import { describe, expect, it } from 'vitest';
import { PlanRunner } from '../../remote/runner';
import { fakeHost, fixture } from './fake-host';
import { LinuxAdapter } from './index';

const USAGE = 'usage-healthy.txt';
const ZFS_SNAPSHOTS =
  [
    'tank/home@2026-11-01\t40960\t1761955200',
    'tank/home@2026-11-15\t81920\t1763164800',
    'tank/media@weekly\t0\t1763164800',
  ].join('\n') + '\n';
const ZFS_DATASETS =
  [
    'tank\t1048576\t99999999\t98304\t/tank\tfilesystem',
    'tank/home\t524288\t99999999\t524288\t/tank/home\tfilesystem',
  ].join('\n') + '\n';

describe('ZFS snapshots (injected runner)', () => {
  const host = () =>
    fakeHost(
      ['zfs', 'zpool', 'lsblk'],
      [
        [/^zfs list -Hp -t snapshot/, ZFS_SNAPSHOTS],
        [/^zfs list -Hp -o name,used/, ZFS_DATASETS],
      ],
    );

  it('lists dataset snapshots with creation time and size', async () => {
    const h = host();
    expect(await new LinuxAdapter(h.runner).snapshots('tank/home')).toEqual([
      { name: '2026-11-01', of: 'tank/home', createdAt: '2025-11-01T00:00:00.000Z', sizeBytes: 40960 },
      { name: '2026-11-15', of: 'tank/home', createdAt: '2025-11-15T00:00:00.000Z', sizeBytes: 81920 },
    ]);
  });

  it('creates and destroys with zfs, as root, on an existing dataset only', async () => {
    const h = host();
    const a = new LinuxAdapter(h.runner);
    await a.createSnapshot('tank/home', 'nightly');
    await a.deleteSnapshot('tank/home', '2026-11-01');
    expect(h.mutations()).toEqual(['zfs snapshot tank/home@nightly', 'zfs destroy tank/home@2026-11-01']);
    expect(h.calls.filter((c) => c.options.mutates).every((c) => c.options.sudo)).toBe(true);
    await expect(a.createSnapshot('tank/home', '2026-11-15')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(a.createSnapshot('-o evil', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rolls back only to the latest snapshot, naming the newer ones otherwise', async () => {
    const h = host();
    const a = new LinuxAdapter(h.runner);
    await expect(a.rollbackSnapshot('tank/home', '2026-11-01')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: /2026-11-15/,
    });
    await a.rollbackSnapshot('tank/home', '2026-11-15');
    expect(h.mutations()).toEqual(['zfs rollback tank/home@2026-11-15']);
  });
});

describe('LIO targets via targetcli (injected runner)', () => {
  const saveconfig = fixture('lio', 'saveconfig-suse-ha-sap.trimmed.json.txt');
  const host = () =>
    fakeHost(
      ['targetcli', 'btrfs', 'findmnt', 'lsblk'],
      [
        [/^cat -- \/etc\/rtslib-fb-target\/saveconfig\.json/, saveconfig],
        [/^findmnt/, JSON.stringify({ filesystems: [{ target: '/srv/pool', uuid: 'u-1', fsroot: '/' }] })],
        [/^btrfs filesystem show/, fixture('btrfs', 'show-healthy-raw.txt')],
        [/^btrfs filesystem usage/, fixture('btrfs', USAGE)],
        [/^btrfs --format json device stats/, fixture('btrfs', 'device-stats-healthy.json.txt')],
        [/^btrfs scrub status/, fixture('btrfs', 'scrub-never.txt')],
        [/^sh -c hostname/, 'nas1\n6.1.0\n100\nDebian\n\n'],
      ],
    );

  it('lists the configured targets', async () => {
    const targets = await new LinuxAdapter(host().runner).iscsiTargets();
    expect(targets.length).toBeGreaterThan(0);
    expect(targets[0]!.iqn).toMatch(/^iqn\./);
  });

  it('creates a fileio LUN, the target, ACL with CHAP and saves, with the secret only as *** in the plan', async () => {
    const h = host();
    const plan = new PlanRunner(h.runner);
    await new LinuxAdapter(plan).createIscsiTarget({
      name: 'vm1',
      sizeBytes: 1 << 30,
      chapUser: 'esx',
      chapSecret: 'Chap-secret-42',
      initiators: ['iqn.1998-01.com.vmware:esx1'],
    });
    const iqn = 'iqn.2005-10.org.nasdeck:nas1.vm1';
    expect(plan.steps.map((s) => s.argv!.join(' '))).toEqual([
      'mkdir -p -- /srv/pool/iscsi',
      'truncate -s 1073741824 -- /srv/pool/iscsi/vm1.img',
      'targetcli /backstores/fileio create name=vm1 file_or_dev=/srv/pool/iscsi/vm1.img',
      `targetcli /iscsi create ${iqn}`,
      `targetcli /iscsi/${iqn}/tpg1/luns create /backstores/fileio/vm1`,
      `targetcli /iscsi/${iqn}/tpg1/acls create iqn.1998-01.com.vmware:esx1`,
      `targetcli /iscsi/${iqn}/tpg1/acls/iqn.1998-01.com.vmware:esx1 set auth userid=esx password=***`,
      `targetcli /iscsi/${iqn}/tpg1 set attribute authentication=1`,
      'targetcli saveconfig',
    ]);
    expect(JSON.stringify(plan.steps)).not.toContain('Chap-secret-42');
  });

  it('rolls back what it created when a step fails', async () => {
    const h = fakeHost(
      ['targetcli', 'btrfs', 'findmnt', 'lsblk'],
      [
        [/^cat -- \/etc\/rtslib-fb-target/, saveconfig],
        [/^findmnt/, JSON.stringify({ filesystems: [{ target: '/srv/pool', uuid: 'u-1', fsroot: '/' }] })],
        [/^btrfs filesystem show/, fixture('btrfs', 'show-healthy-raw.txt')],
        [/^btrfs filesystem usage/, fixture('btrfs', USAGE)],
        [/^btrfs --format json device stats/, fixture('btrfs', 'device-stats-healthy.json.txt')],
        [/^btrfs scrub status/, fixture('btrfs', 'scrub-never.txt')],
        [/^sh -c hostname/, 'nas1\n6.1.0\n100\nDebian\n\n'],
        [/luns create/, { code: 1, stdout: '', stderr: 'No such path /backstores/fileio/vm1' }],
      ],
    );
    await expect(
      new LinuxAdapter(h.runner).createIscsiTarget({ name: 'vm1', sizeBytes: 1 << 20, initiators: [] }),
    ).rejects.toThrow(/Attach the LUN failed: No such path/);
    const m = h.mutations();
    expect(m.slice(-3)).toEqual([
      'targetcli /iscsi delete iqn.2005-10.org.nasdeck:nas1.vm1',
      'targetcli /backstores/fileio delete vm1',
      'rm -f -- /srv/pool/iscsi/vm1.img',
    ]);
  });
});

describe('nfs-kernel-server exports (injected runner)', () => {
  const host = (managed = '') => {
    const h = fakeHost(
      ['exportfs', 'lsblk', 'net', 'testparm'],
      [
        [/^exportfs -v/, fixture('nfs-kernel', 'exportfs-v-three.txt')],
        [
          /^cat -- \/etc\/exports\.d\/nasdeck\.exports/,
          managed ? managed : { code: 1, stdout: '', stderr: 'cat: No such file or directory' },
        ],
        [/^net conf list/, fixture('samba', 'net-conf-list.txt')],
        [/^testparm -s/, fixture('samba', 'testparm-registry.txt')],
      ],
    );
    return h;
  };

  it('lists the kernel exports, marking only the ones in Nasdeck’s own file as managed', async () => {
    const shares = (await new LinuxAdapter(host().runner).shares()).filter((s) => s.protocol === 'nfs');
    expect(shares.length).toBeGreaterThan(0);
    expect(shares.every((s) => s.managed === false)).toBe(true);
  });

  it('adds an export to /etc/exports.d/nasdeck.exports through stdin, then re-exports', async () => {
    const h = host();
    await new LinuxAdapter(h.runner).createShare({
      protocol: 'nfs',
      name: 'media',
      path: '/srv/media',
      readOnly: true,
      users: [],
      clients: ['192.168.1.0/24'],
    });
    const tee = h.calls.find((c) => c.argv[0] === 'tee')!;
    expect(tee.argv).toEqual(['tee', '--', '/etc/exports.d/nasdeck.exports']);
    expect(tee.options.stdin).toBe('/srv/media 192.168.1.0/24(ro,sync,no_subtree_check,root_squash)\n');
    expect(h.mutations()).toEqual(['mkdir -p /etc/exports.d', 'tee -- /etc/exports.d/nasdeck.exports', 'exportfs -ra']);
  });
});

describe('LVM volume groups (injected runner)', () => {
  it('shows each volume group as a pool with size, use and member PVs', async () => {
    const h = fakeHost(['lvs'], [[/^lvm fullreport/, fixture('lvm', 'fullreport-lvmreport-7.json.txt')]]);
    const pools = await new LinuxAdapter(h.runner).pools();
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) {
      expect(p.kind).toBe('lvm');
      expect(p.sizeBytes).toBeGreaterThan(0);
      expect(p.usedBytes).toBeLessThanOrEqual(p.sizeBytes);
      expect(p.devices.length).toBeGreaterThan(0);
    }
    expect(h.calls.find((c) => c.argv[0] === 'lvm')!.options.sudo).toBe(true);
  });
});
