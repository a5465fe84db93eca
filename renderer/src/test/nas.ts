// NAS answers as core returns them (shapes from shared/domain.ts; values from the lab NAS).
import type { Disk, IscsiTarget, Job, NasStatus, Pool, Share, Snapshot } from '../../../shared/domain';

export const pool: Pool = {
  id: '6f1c2a4e-9d1b-4f7e-8a53-2c1d0e9b7a11',
  name: 'tank',
  kind: 'btrfs',
  raidLevel: 'raid1',
  state: 'healthy',
  rawState: 'ok',
  sizeBytes: 4 * 1024 ** 3,
  usedBytes: 1024 ** 3,
  devices: [
    { name: '/dev/loop10', state: 'healthy' },
    { name: '/dev/loop11', state: 'healthy' },
  ],
};

export const disks: Disk[] = [
  { name: 'sda', model: 'WDC WD40EFRX', serial: 'WD-1', sizeBytes: 4e12, temperatureC: 34, smart: 'ok' },
  { name: 'sdb', model: 'ST4000VN008', serial: 'ZD-2', sizeBytes: 4e12, temperatureC: null, smart: 'failing' },
];

export function makeStatus(fields: Partial<NasStatus> = {}): NasStatus {
  return {
    device: 'd1',
    health: 'healthy',
    system: { hostname: 'ndui-nas1', os: 'Debian GNU/Linux 12', kernel: '6.1.0', uptimeSeconds: 93_600, model: null },
    capabilities: {
      pools: true,
      scrub: true,
      snapshots: true,
      smbShares: true,
      nfsShares: true,
      iscsi: true,
      disks: true,
      smart: true,
      notes: [],
    },
    pools: [pool],
    disks,
    alerts: [],
    ...fields,
  };
}

export const shares: Share[] = [
  { name: 'share1', protocol: 'smb', path: '/srv/pool/share1', readOnly: false, users: ['ndui-smb'], clients: [] },
  { name: 'media', protocol: 'nfs', path: '/srv/pool/media', readOnly: true, users: [], clients: ['10.0.0.0/24'] },
];

export const snapshots: Snapshot[] = [
  { name: 'nightly-1', of: 'share1', createdAt: '2026-01-01T02:00:00Z' },
  { name: 'nightly-2', of: 'share1', createdAt: '2026-01-02T02:00:00Z' },
];

export const target: IscsiTarget = {
  name: 'vmstore',
  iqn: 'iqn.2026-01.lab.ndui:vmstore',
  luns: [{ id: 1, sizeBytes: 1024 ** 3, backing: '/srv/pool/iscsi/vmstore.img' }],
  chapUser: 'esx',
  initiators: [],
};

export function makeJob(fields: Partial<Job> & Pick<Job, 'id'>): Job {
  return {
    kind: 'scrub',
    title: 'Scrub tank',
    state: 'running',
    progress: 0,
    message: '',
    startedAt: '2026-01-03T10:00:00Z',
    ...fields,
  };
}
