import { describe, expect, it } from 'vitest';
import { parseZfsList, parseZpoolList, parseZpoolScan, parseZpoolStatus } from './zfs';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('zfs', n);

describe('parseZpoolStatus', () => {
  it('healthy raidz2 with a finished scrub', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-raidz2-scrubbed.txt'));
    expect(p).toMatchObject({ name: 'mypool', state: 'ONLINE', errorsLine: 'No known data errors' });
    expect(p!.scan).toMatchObject({ kind: 'scrub', state: 'finished', progress: 1, errors: 0, errorsRepaired: 0 });
    expect(p!.vdevs).toHaveLength(1);
    expect(p!.vdevs[0]).toMatchObject({ name: 'raidz2-0', kind: 'raidz2', state: 'ONLINE' });
    expect(p!.vdevs[0]!.children.map((c) => [c.name, c.kind])).toEqual(
      ['ada0p3', 'ada1p3', 'ada2p3', 'ada3p3', 'ada4p3', 'ada5p3'].map((n) => [n, 'disk']),
    );
  });
  it('two mirrors side by side', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-two-mirrors.txt'));
    expect(p!.vdevs.map((v) => [v.name, v.kind, v.children.length])).toEqual([
      ['mirror-0', 'mirror', 2],
      ['mirror-1', 'mirror', 2],
    ]);
  });
  it('DEGRADED with an UNAVAIL member', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-degraded-unavail.txt'));
    expect(p!.state).toBe('DEGRADED');
    expect(p!.status).toMatch(/could not be opened\. +Sufficient replicas exist for the pool/);
    expect(p!.scan.kind).toBe('none');
    expect(p!.vdevs[0]!.children[1]).toMatchObject({
      name: '316502962686821739',
      state: 'UNAVAIL',
      note: 'was /dev/ada1p3',
    });
  });
  it('resilver in progress with a replacing vdev', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-resilver-in-progress.txt'));
    expect(p!.scan).toMatchObject({
      kind: 'resilver',
      state: 'running',
      progress: 0.8204,
      errorsRepaired: 640 * 1024 ** 2,
    });
    const replacing = p!.vdevs[0]!.children[1]!;
    expect(replacing).toMatchObject({ name: 'replacing-1', kind: 'other', state: 'UNAVAIL' });
    expect(replacing.children.map((c) => [c.name, c.state, c.note])).toEqual([
      ['15732067398082357289', 'UNAVAIL', 'was /dev/ada1p3/old'],
      ['ada2p3', 'ONLINE', '(resilvering)'],
    ]);
  });
  it('scrub in progress', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-scrub-in-progress.txt'));
    expect(p!.scan).toMatchObject({ kind: 'scrub', state: 'running', progress: 0.0132, errorsRepaired: 0 });
  });
  it('checksum errors after a scrub repaired data (irregular indentation)', () => {
    const [p] = parseZpoolStatus(fx('status-handbook-scrub-repaired-cksum.txt'));
    expect(p!.scan).toMatchObject({ state: 'finished', errors: 0, errorsRepaired: Math.round(66.5 * 1024 ** 2) });
    expect(p!.vdevs[0]!.children[1]).toMatchObject({ name: 'ada1', checksumErrors: Math.round(2.72 * 1024) });
  });
  it('FAULTED member, old "scrub:" label', () => {
    const [p] = parseZpoolStatus(fx('status-openzfs-docs-2Q-faulted.txt'));
    expect(p!.vdevs[0]).toMatchObject({ name: 'mirror', kind: 'mirror', state: 'DEGRADED' });
    expect(p!.vdevs[0]!.children[1]).toMatchObject({ name: 'sdb', state: 'FAULTED', note: 'cannot open' });
  });
  it('several pools in one output, and no pools', () => {
    const two = fx('status-handbook-raidz2-scrubbed.txt') + '\n' + fx('status-handbook-degraded-unavail.txt');
    expect(parseZpoolStatus(two).map((p) => p.state)).toEqual(['ONLINE', 'DEGRADED']);
    expect(parseZpoolStatus('no pools available\n')).toEqual([]);
  });
  it('truncated and hostile input', () => {
    expectParseError(() => parseZpoolStatus(fx('status-handbook-resilver-in-progress.txt').slice(0, 300)));
    expectParseError(() => parseZpoolStatus('  pool: x\n state: ONLINE\n'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseZpoolStatus(bad));
  });
});

describe('parseZpoolScan', () => {
  it('the modern "issued" lines of zpool-scrub(8)', () => {
    const lines = fx('scan-lines-zpool-scrub-8.txt').replace(/^\s*scan:\s*/, '');
    expect(parseZpoolScan(lines)).toMatchObject({
      kind: 'scrub',
      state: 'running',
      progress: 0.1691,
      errorsRepaired: 0,
    });
  });
  it('canceled and unknown', () => {
    expect(parseZpoolScan('scrub canceled on Mon Jan  1 00:00:00 2024').state).toBe('canceled');
    expectParseError(() => parseZpoolScan('scrub exploded'));
  });
});

describe('parseZpoolList', () => {
  it('header form from the handbook', () => {
    expect(parseZpoolList(fx('list-handbook.txt'))).toEqual([
      {
        name: 'healer',
        sizeBytes: 960 * 1024 ** 2,
        allocatedBytes: Math.round(92.5 * 1024),
        freeBytes: 960 * 1024 ** 2,
        health: 'ONLINE',
      },
    ]);
  });
  it('no pools; hostile input', () => {
    expect(parseZpoolList('no pools available\n')).toEqual([]);
    expectParseError(() => parseZpoolList('tank\t100\n'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseZpoolList(bad));
  });
});

describe('parseZfsList', () => {
  it('header form from the handbook', () => {
    expect(parseZfsList(fx('zfs-list-handbook.txt'))).toEqual([
      {
        kind: 'dataset',
        name: 'mypool',
        usedBytes: 110 * 1024,
        availableBytes: Math.round(47 * 1024 ** 3),
        referencedBytes: 31 * 1024,
        mountpoint: '/mnt/mypool',
        type: 'filesystem',
      },
    ]);
  });
  it('no datasets; hostile input', () => {
    expect(parseZfsList('no datasets available\n')).toEqual([]);
    expectParseError(() => parseZfsList('a\tb\n'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseZfsList(bad));
  });
});
