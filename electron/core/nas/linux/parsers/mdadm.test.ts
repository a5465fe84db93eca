import { describe, expect, it } from 'vitest';
import { parseMdadmDetail, parseMdstat } from './mdadm';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('mdadm', n);

describe('parseMdstat', () => {
  it('raid1 with a failed member [U_]', () => {
    const arrays = parseMdstat(fx('mdstat-linuxwiki-failed.txt'));
    expect(arrays.map((a) => a.name)).toEqual(['md3', 'md2', 'md1', 'md4']);
    expect(arrays[2]).toMatchObject({
      level: 'raid1',
      state: 'active',
      expected: 2,
      working: 1,
      statusMap: '[U_]',
      action: null,
      devices: [
        { name: 'sdb3', role: 1, faulty: true, spare: false },
        { name: 'sda3', role: 0, faulty: false, spare: false },
      ],
    });
  });
  it('recovery in progress', () => {
    const md1 = parseMdstat(fx('mdstat-linuxwiki-recovery.txt')).find((a) => a.name === 'md1')!;
    expect(md1.action).toEqual({ kind: 'recovery', progress: 0.081, finish: '6.7min', speed: '6963K/sec' });
    const md3 = parseMdstat(fx('mdstat-raid5-recovery.txt'))[0]!;
    expect(md3).toMatchObject({ level: 'raid5', statusMap: '[UU_]', expected: 3, working: 2, blocks: 40882176 });
    expect(md3.action!.progress).toBeCloseTo(0.093, 5);
  });
  it('resync, spares (S) and a 24-slot raid1 from a copy without indentation', () => {
    expect(parseMdstat(fx('mdstat-linuxinsight-resync.txt'))[0]!.action).toMatchObject({
      kind: 'resync',
      progress: 0.281,
    });
    const a = parseMdstat(fx('mdstat-magicmonster-spares-flattened.txt'));
    expect(a[0]!.action).toMatchObject({ kind: 'resync', progress: 0.025, speed: '85037K/sec' });
    expect(a[1]!.devices.filter((d) => d.spare).map((d) => d.name)).toEqual(['sdb2', 'sdf2', 'sda2']);
    expect(a[2]).toMatchObject({ expected: 24, working: 5, statusMap: '[UUUUU___________________]' });
  });
  it('no arrays; truncated and hostile input', () => {
    expect(parseMdstat('Personalities : [raid1]\nunused devices: <none>\n')).toEqual([]);
    expectParseError(() => parseMdstat('md0 : active raid1 sda1[0 sdb1[1]\n'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseMdstat(bad));
  });
});

describe('parseMdadmDetail', () => {
  it('raid5 degraded, recovering', () => {
    expect(parseMdadmDetail(fx('detail-raid5-recovering.txt'))).toEqual({
      device: '/dev/md3',
      level: 'raid5',
      state: 'clean, degraded, recovering',
      arraySizeBytes: 40882176 * 1024,
      raidDevices: 3,
      totalDevices: 3,
      activeDevices: 2,
      workingDevices: 3,
      failedDevices: 0,
      spareDevices: 1,
      devices: [
        { name: '/dev/sda3', state: 'active sync', raidDevice: 0 },
        { name: '/dev/sdb3', state: 'active sync', raidDevice: 1 },
        { name: '/dev/sdc3', state: 'spare rebuilding', raidDevice: 2 },
      ],
      rebuildStatus: 0.03,
      rebuildKind: 'rebuild',
    });
  });
  it('raid1 with a faulty member, and an old 0.90 superblock raid6', () => {
    const r1 = parseMdadmDetail(fx('detail-raid1-faulty-rebuilding.txt'));
    expect(r1).toMatchObject({ failedDevices: 1, rebuildStatus: 0.94 });
    expect(r1.devices[2]).toEqual({ name: '/dev/vdb4', state: 'faulty', raidDevice: null });
    const r6 = parseMdadmDetail(fx('detail-raid6-v090.txt'));
    expect(r6).toMatchObject({ level: 'raid6', activeDevices: 3, rebuildStatus: 0 });
  });
  it('truncated and hostile input', () => {
    expectParseError(() => parseMdadmDetail(fx('detail-raid5-recovering.txt').slice(0, 60)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseMdadmDetail(bad));
  });
});
