import { describe, expect, it } from 'vitest';
import type { HealthState } from '../../../../../shared/domain';
import { parseBtrfsDeviceStats, parseBtrfsScrubStatus, parseBtrfsShow } from './btrfs';
import { healthFromBtrfs, healthFromMd, healthFromMdadmState, healthFromZfsVdev, healthFromZpool } from './health';
import { parseMdstat, parseMdadmDetail } from './mdadm';
import { fixture } from './test-helpers';
import { parseZpoolStatus } from './zfs';

describe('healthFromZpool', () => {
  const none = { kind: 'none', state: 'none' } as const;
  const table: Array<
    [string, { kind: 'scrub' | 'resilver' | 'none'; state: 'running' | 'finished' | 'canceled' | 'none' }, HealthState]
  > = [
    ['ONLINE', none, 'healthy'],
    ['ONLINE', { kind: 'scrub', state: 'running' }, 'scrubbing'],
    ['ONLINE', { kind: 'scrub', state: 'finished' }, 'healthy'],
    ['ONLINE', { kind: 'resilver', state: 'running' }, 'rebuilding'],
    ['DEGRADED', none, 'degraded'],
    ['DEGRADED', { kind: 'resilver', state: 'running' }, 'rebuilding'],
    ['DEGRADED', { kind: 'scrub', state: 'running' }, 'degraded'],
    ['FAULTED', none, 'failed'],
    ['UNAVAIL', { kind: 'resilver', state: 'running' }, 'failed'],
    ['SUSPENDED', none, 'failed'],
    ['WEIRD', none, 'unknown'],
  ];
  it.each(table)('%s + %o → %s', (state, scan, expected) => {
    expect(healthFromZpool(state, scan).state).toBe(expected);
  });
  it('from real zpool status fixtures', () => {
    const f = (n: string) => parseZpoolStatus(fixture('zfs', n))[0]!;
    const h = (n: string) => healthFromZpool(f(n).state, f(n).scan);
    expect(h('status-handbook-raidz2-scrubbed.txt')).toEqual({ state: 'healthy', rawState: 'ONLINE' });
    expect(h('status-handbook-degraded-unavail.txt').state).toBe('degraded');
    expect(h('status-handbook-resilver-in-progress.txt')).toEqual({
      state: 'rebuilding',
      rawState: 'DEGRADED (resilver in progress)',
    });
    expect(h('status-handbook-scrub-in-progress.txt').state).toBe('scrubbing');
    expect(healthFromZfsVdev('UNAVAIL')).toBe('failed');
    expect(healthFromZfsVdev('ONLINE')).toBe('healthy');
    expect(healthFromZpool('ONLINE', null).state).toBe('healthy');
  });
});

describe('healthFromMd', () => {
  const base: Parameters<typeof healthFromMd>[0] = {
    state: 'active',
    level: 'raid1',
    expected: 2,
    working: 2,
    statusMap: '[UU]',
    action: null,
  };
  type MdInput = Parameters<typeof healthFromMd>[0];
  const table: Array<[string, Partial<MdInput>, HealthState]> = [
    ['clean raid1', {}, 'healthy'],
    ['raid1 [U_]', { working: 1, statusMap: '[U_]' }, 'degraded'],
    ['raid1 [__]', { working: 0, statusMap: '[__]' }, 'failed'],
    ['raid1 recovering', { working: 1, statusMap: '[U_]', action: { kind: 'recovery', progress: 0.1 } }, 'rebuilding'],
    ['raid1 check', { action: { kind: 'check', progress: 0.5 } }, 'scrubbing'],
    [
      'raid1 check while degraded',
      { working: 1, statusMap: '[U_]', action: { kind: 'check', progress: 0.5 } },
      'degraded',
    ],
    ['raid5 one down', { level: 'raid5', expected: 3, working: 2, statusMap: '[UU_]' }, 'degraded'],
    ['raid5 two down', { level: 'raid5', expected: 3, working: 1, statusMap: '[U__]' }, 'failed'],
    ['raid6 two down', { level: 'raid6', expected: 4, working: 2, statusMap: '[UU__]' }, 'degraded'],
    ['inactive', { state: 'inactive', level: '', statusMap: '' }, 'failed'],
  ];
  it.each(table)('%s', (_n, over, expected) => {
    expect(healthFromMd({ ...base, ...over }).state).toBe(expected);
  });
  it('from real mdstat / mdadm --detail fixtures', () => {
    const rec = parseMdstat(fixture('mdadm', 'mdstat-linuxwiki-recovery.txt')).find((a) => a.name === 'md1')!;
    expect(healthFromMd(rec)).toEqual({ state: 'rebuilding', rawState: 'active raid1 [U_] recovery 8.1%' });
    const failed = parseMdstat(fixture('mdadm', 'mdstat-linuxwiki-failed.txt'))[0]!;
    expect(healthFromMd(failed).state).toBe('degraded');
    expect(healthFromMdadmState(parseMdadmDetail(fixture('mdadm', 'detail-raid5-recovering.txt')).state).state).toBe(
      'rebuilding',
    );
    expect(healthFromMdadmState('clean').state).toBe('healthy');
    expect(healthFromMdadmState('clean, degraded').state).toBe('degraded');
    expect(healthFromMdadmState('active, FAILED, Not Started').state).toBe('failed');
  });
});

describe('healthFromBtrfs', () => {
  const b = (n: string) => fixture('btrfs', n);
  it('lab captures', () => {
    const healthy = parseBtrfsShow(b('show-healthy-raw.txt'))[0]!;
    const missing = parseBtrfsShow(b('show-missing-raw.txt'))[0]!;
    expect(healthFromBtrfs({ show: healthy })).toEqual({ state: 'healthy', rawState: 'ok' });
    expect(healthFromBtrfs({ show: missing, profiles: ['RAID1'] })).toEqual({
      state: 'degraded',
      rawState: '1 device(s) missing',
    });
    expect(healthFromBtrfs({ show: missing, profiles: ['single+RAID1'] }).state).toBe('failed');
    expect(healthFromBtrfs({ show: missing, profiles: ['RAID1'], replaceRunning: true }).state).toBe('rebuilding');
    expect(healthFromBtrfs({ show: healthy, scrub: parseBtrfsScrubStatus(b('scrub-running.txt')) }).state).toBe(
      'scrubbing',
    );
    const corrected = healthFromBtrfs({
      show: healthy,
      scrub: parseBtrfsScrubStatus(b('scrub-finished-corrected.txt')),
      deviceStats: parseBtrfsDeviceStats(b('device-stats-corruption.json.txt')),
    });
    expect(corrected).toEqual({ state: 'healthy', rawState: '1 corrected error(s), device error counters: 1' });
    const lost = healthFromBtrfs({
      show: healthy,
      scrub: parseBtrfsScrubStatus(b('scrub-finished-uncorrectable.txt')),
    });
    expect(lost).toEqual({ state: 'degraded', rawState: '4 uncorrectable error(s)' });
  });
});
