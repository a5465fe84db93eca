import { describe, expect, it } from 'vitest';
import type { Disk, Job, Mount, MountState, NasStatus, Pool } from '../../../shared/domain';
import { NotificationPolicy } from './notifications';

const mount = (state: MountState, extra: Partial<Mount> = {}): Mount => ({
  id: 'm1',
  name: 'backup',
  url: 'smb://nas.local/backup',
  mountPoint: '/home/me/nas/backup',
  persistent: true,
  autoReconnect: true,
  state,
  since: '2026-11-30T09:00:00.000Z',
  ...extra,
});

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const MIN = 60_000;

describe('mount notifications', () => {
  it('first sight of a mount is not news, whatever its state', () => {
    const policy = new NotificationPolicy();
    expect(policy.onMountsChanged([mount('offline'), mount('error', { id: 'm2' })])).toEqual([]);
  });

  it('tells when a mounted share goes offline, and when it comes back, opening the Mounts page', () => {
    const policy = new NotificationPolicy();
    policy.onMountsChanged([mount('mounted')]);
    const [lost] = policy.onMountsChanged([mount('offline', { reason: 'nas.local did not answer' })]);
    expect(lost).toEqual({
      kind: 'mount-lost',
      subject: 'mount:m1',
      title: 'backup is offline',
      body: 'nas.local did not answer. Nasdeck keeps trying to reconnect.',
      route: '#/mounts',
      urgency: 'normal',
    });
    expect(policy.onMountsChanged([mount('reconnecting')])).toEqual([]);
    const [back] = policy.onMountsChanged([mount('mounted')]);
    expect(back).toMatchObject({
      kind: 'mount-reconnected',
      title: 'backup is back',
      body: 'Mounted again at /home/me/nas/backup.',
      route: '#/mounts',
    });
  });

  it('tells when reconnecting gives up (error), as critical', () => {
    const policy = new NotificationPolicy();
    policy.onMountsChanged([mount('mounted')]);
    policy.onMountsChanged([mount('offline')]);
    const [failed] = policy.onMountsChanged([mount('error', { reason: 'Access denied' })]);
    expect(failed).toMatchObject({
      kind: 'mount-lost',
      title: 'backup could not be mounted',
      body: 'Access denied. Open Nasdeck to try again.',
      urgency: 'critical',
    });
  });

  it('stays quiet about what the user did: mounting and unmounting', () => {
    const policy = new NotificationPolicy();
    policy.onMountsChanged([mount('unmounted')]);
    expect(policy.onMountsChanged([mount('mounted')])).toEqual([]);
    expect(policy.onMountsChanged([mount('unmounted')])).toEqual([]);
  });

  it('keeps mounts apart, and forgets removed ones', () => {
    const policy = new NotificationPolicy();
    policy.onMountsChanged([mount('mounted'), mount('mounted', { id: 'm2', name: 'video' })]);
    const out = policy.onMountsChanged([mount('mounted'), mount('offline', { id: 'm2', name: 'video' })]);
    expect(out.map((n) => n.title)).toEqual(['video is offline']);
    policy.onMountsChanged([mount('mounted')]);
    // m2 comes back as a new profile: first sight again, no "back" notice.
    expect(policy.onMountsChanged([mount('mounted'), mount('mounted', { id: 'm2', name: 'video' })])).toEqual([]);
  });

  it('a flapping link: two notices, one "keeps changing", then silence until the window passes', () => {
    const c = clock();
    const policy = new NotificationPolicy({ now: c.now, burst: 2, windowMs: 10 * MIN });
    policy.onMountsChanged([mount('mounted')]);
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      c.advance(5_000);
      for (const n of policy.onMountsChanged([mount(i % 2 === 0 ? 'offline' : 'mounted')])) seen.push(n.kind);
    }
    expect(seen).toEqual(['mount-lost', 'mount-reconnected', 'unstable']);
    c.advance(10 * MIN);
    const after = policy.onMountsChanged([mount('offline')]);
    expect(after.map((n) => n.kind)).toEqual(['mount-lost']);
  });

  it('the "keeps changing" notice names the mount and opens its page', () => {
    const c = clock();
    const policy = new NotificationPolicy({ now: c.now, burst: 1, windowMs: 5 * MIN });
    policy.onMountsChanged([mount('mounted')]);
    policy.onMountsChanged([mount('offline')]);
    const [unstable] = policy.onMountsChanged([mount('mounted')]);
    expect(unstable).toEqual({
      kind: 'unstable',
      subject: 'mount:m1',
      title: 'backup keeps changing state',
      body: 'Notifications about it are paused for 5 minutes. Click to see its current state.',
      route: '#/mounts',
      urgency: 'normal',
    });
  });

  it('spaced-out changes are all told: the limit is a sliding window', () => {
    const c = clock();
    const policy = new NotificationPolicy({ now: c.now, burst: 2, windowMs: 10 * MIN });
    policy.onMountsChanged([mount('mounted')]);
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      c.advance(6 * MIN);
      kinds.push(...policy.onMountsChanged([mount(i % 2 === 0 ? 'offline' : 'mounted')]).map((n) => n.kind));
    }
    expect(kinds).toEqual([
      'mount-lost',
      'mount-reconnected',
      'mount-lost',
      'mount-reconnected',
      'mount-lost',
      'mount-reconnected',
    ]);
  });

  it('one flapping mount does not silence another', () => {
    const c = clock();
    const policy = new NotificationPolicy({ now: c.now, burst: 1, windowMs: 10 * MIN });
    const other = (state: MountState) => mount(state, { id: 'm2', name: 'video' });
    policy.onMountsChanged([mount('mounted'), other('mounted')]);
    policy.onMountsChanged([mount('offline'), other('mounted')]);
    policy.onMountsChanged([mount('mounted'), other('mounted')]); // m1: unstable, muted
    const out = policy.onMountsChanged([mount('offline'), other('offline')]);
    expect(out.map((n) => `${n.subject} ${n.kind}`)).toEqual(['mount:m2 mount-lost']);
  });
});

const job = (state: Job['state'], extra: Partial<Job> = {}): Job => ({
  id: 'j1',
  kind: 'scrub',
  title: 'Scrub tank',
  state,
  progress: state === 'running' ? 0.5 : 1,
  message: '',
  startedAt: '2026-11-30T09:00:00.000Z',
  ...extra,
});

describe('scrub notifications', () => {
  it('tells once when a scrub finishes, opening Storage', () => {
    const policy = new NotificationPolicy();
    expect(policy.onJobProgress(job('running'))).toEqual([]);
    const [done] = policy.onJobProgress(job('succeeded', { message: 'No errors found' }));
    expect(done).toEqual({
      kind: 'scrub-finished',
      subject: 'job:j1',
      title: 'Scrub tank: finished',
      body: 'No errors found',
      route: '#/storage',
      urgency: 'normal',
    });
    expect(policy.onJobProgress(job('succeeded'))).toEqual([]);
  });
  it('tells a failed scrub with its error, as critical', () => {
    const [failed] = new NotificationPolicy().onJobProgress(
      job('failed', { error: { code: 'COMMAND_FAILED', message: 'btrfs scrub exited 3' } }),
    );
    expect(failed).toMatchObject({ kind: 'scrub-failed', body: 'btrfs scrub exited 3', urgency: 'critical' });
  });
  it('ignores cancelled scrubs (the user did it) and other jobs', () => {
    const policy = new NotificationPolicy();
    expect(policy.onJobProgress(job('cancelled'))).toEqual([]);
    expect(policy.onJobProgress(job('succeeded', { id: 'j2', kind: 'nas' }))).toEqual([]);
  });
});

const pool = (state: Pool['state']): Pool => ({
  id: 'tank',
  name: 'tank',
  kind: 'btrfs',
  raidLevel: 'raid1',
  state,
  rawState: state,
  sizeBytes: 1,
  usedBytes: 0,
  devices: [],
});
const disk = (smart: Disk['smart']): Disk => ({
  name: 'sdb',
  model: 'WDC WD40EFRX',
  serial: 'WD-123',
  sizeBytes: 1,
  temperatureC: 30,
  smart,
});
const status = (pools: Pool[], disks: Disk[] = []): NasStatus => ({
  device: 'dev-1',
  health: 'healthy',
  system: { hostname: 'nas', os: 'Debian', kernel: null, uptimeSeconds: null, model: null },
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
  pools,
  disks,
  alerts: [],
});

describe('health notifications', () => {
  it('tells when a pool turns degraded, and again only when it turns bad again', () => {
    const policy = new NotificationPolicy();
    expect(policy.onNasStatus(status([pool('healthy')]), 'nas')).toEqual([]);
    const [degraded] = policy.onNasStatus(status([pool('degraded')]), 'nas');
    expect(degraded).toMatchObject({
      kind: 'pool-degraded',
      subject: 'pool:dev-1/tank',
      title: 'nas: pool tank is degraded',
      route: '#/device/dev-1',
      urgency: 'critical',
    });
    expect(policy.onNasStatus(status([pool('degraded')]), 'nas')).toEqual([]);
    expect(policy.onNasStatus(status([pool('failed')]), 'nas').map((n) => n.title)).toEqual([
      'nas: pool tank is failed',
    ]);
  });
  it('a pool already degraded when first seen is told (the user should know)', () => {
    expect(new NotificationPolicy().onNasStatus(status([pool('degraded')])).map((n) => n.kind)).toEqual([
      'pool-degraded',
    ]);
  });
  it('tells when a disk turns failing, once', () => {
    const policy = new NotificationPolicy();
    policy.onNasStatus(status([], [disk('ok')]), 'nas');
    const [failing] = policy.onNasStatus(status([], [disk('failing')]), 'nas');
    expect(failing).toMatchObject({
      kind: 'disk-failing',
      title: 'nas: disk sdb is failing',
      body: 'SMART reports WDC WD40EFRX (WD-123) as failing. Replace it soon.',
      route: '#/device/dev-1',
    });
    expect(policy.onNasStatus(status([], [disk('failing')]), 'nas')).toEqual([]);
  });
  it('device ids with odd characters make a safe route', () => {
    const [n] = new NotificationPolicy().onNasStatus({ ...status([pool('degraded')]), device: 'a b/c' });
    expect(n!.route).toBe('#/device/a%20b%2Fc');
  });
});
