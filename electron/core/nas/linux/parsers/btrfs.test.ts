import { describe, expect, it } from 'vitest';
import {
  markReadOnly,
  parseBtrfsDeviceStats,
  parseBtrfsDeviceStatsText,
  parseBtrfsScrubStatus,
  parseBtrfsShow,
  parseBtrfsSubvolumeShow,
  parseBtrfsSubvolumes,
  parseBtrfsUsage,
} from './btrfs';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('btrfs', n);

describe('parseBtrfsShow', () => {
  it('healthy raid1, raw bytes', () => {
    const [fs] = parseBtrfsShow(fx('show-healthy-raw.txt'));
    expect(fs).toEqual({
      label: 'ndparse-nas1',
      uuid: 'f23ca0cf-4dfa-4740-b722-58b2262f998f',
      totalDevices: 2,
      fsBytesUsed: 245760,
      someMissing: false,
      devices: [
        { devid: 1, sizeBytes: 1073741824, usedBytes: 223084544, path: '/dev/loop2', missing: false },
        { devid: 2, sizeBytes: 1073741824, usedBytes: 223084544, path: '/dev/loop3', missing: false },
      ],
    });
  });
  it('human units are converted (rounded)', () => {
    const [fs] = parseBtrfsShow(fx('show-healthy.txt'));
    expect(fs!.devices[0]!.sizeBytes).toBe(1073741824);
    expect(fs!.devices[0]!.usedBytes).toBe(Math.round(212.75 * 1024 * 1024));
    expect(fs!.fsBytesUsed).toBe(240 * 1024);
  });
  it('a MISSING device', () => {
    for (const f of ['show-missing.txt', 'show-missing-raw.txt', 'show-missing-full.txt']) {
      const [fs] = parseBtrfsShow(fx(f));
      expect(fs!.someMissing).toBe(true);
      expect(fs!.devices[1]).toEqual({ devid: 2, sizeBytes: 0, usedBytes: 0, path: null, missing: true });
    }
  });
  it('truncated output and hostile input throw AppError', () => {
    expectParseError(() => parseBtrfsShow("Label: 'x'  uuid: 6e26"));
    expectParseError(() => parseBtrfsShow(fx('show-healthy-raw.txt').slice(0, 150)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseBtrfsShow(bad));
  });
});

describe('parseBtrfsUsage', () => {
  it('healthy raid1', () => {
    expect(parseBtrfsUsage(fx('usage-healthy.txt'))).toMatchObject({
      deviceSizeBytes: 2147483648,
      allocatedBytes: 446169088,
      missingBytes: 0,
      usedBytes: 491520,
      freeEstimatedBytes: 958005248,
      dataProfile: 'RAID1',
      metadataProfile: 'RAID1',
      systemProfile: 'RAID1',
      multipleProfiles: false,
      dataRatio: 2,
    });
  });
  it('degraded with a missing device and mixed profiles after degraded writes', () => {
    const u = parseBtrfsUsage(fx('usage-missing-mixed-profiles.txt'));
    expect(u.missingBytes).toBe(1073741824);
    expect(u.dataProfile).toBe('single+RAID1');
    expect(u.multipleProfiles).toBe(true);
    expect(u.freeEstimatedMinBytes).toBe(244645888);
    expect(parseBtrfsUsage(fx('usage-missing.txt')).missingBytes).toBe(1073741824);
  });
  it('hostile input', () => {
    expectParseError(() => parseBtrfsUsage(fx('usage-healthy.txt').slice(0, 300)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseBtrfsUsage(bad));
  });
});

describe('parseBtrfsDeviceStats', () => {
  it('healthy, corrected, uncorrectable and missing-device counters', () => {
    expect(parseBtrfsDeviceStats(fx('device-stats-healthy.json.txt')).every((d) => d.corruptionErrs === 0)).toBe(true);
    expect(parseBtrfsDeviceStats(fx('device-stats-corruption.json.txt'))[1]).toEqual({
      device: '/dev/loop3',
      devid: 2,
      writeIoErrs: 0,
      readIoErrs: 0,
      flushIoErrs: 0,
      corruptionErrs: 1,
      generationErrs: 0,
    });
    expect(parseBtrfsDeviceStats(fx('device-stats-uncorrectable.json.txt')).map((d) => d.corruptionErrs)).toEqual([
      2, 3,
    ]);
    expect(parseBtrfsDeviceStats(fx('device-stats-missing.json.txt'))[1]!.device).toBe('devid:2');
  });
  it('accepts an already-parsed object and the text form', () => {
    expect(parseBtrfsDeviceStats(JSON.parse(fx('device-stats-healthy.json.txt')))).toHaveLength(2);
    const text = parseBtrfsDeviceStatsText(fx('device-stats-corruption-text.txt'));
    expect(text.find((d) => d.device === '/dev/loop3')!.corruptionErrs).toBe(1);
  });
  it('hostile input', () => {
    expectParseError(() => parseBtrfsDeviceStats('{"device-stats":[{"device":"/dev/x","write_io_errs":"lots"}]}'));
    expectParseError(() => parseBtrfsDeviceStats('{"__header":{"version":"1"}}'));
    expectParseError(() => parseBtrfsDeviceStats(fx('device-stats-healthy.json.txt').slice(0, 100)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseBtrfsDeviceStats(bad));
  });
});

describe('parseBtrfsScrubStatus', () => {
  it('never run', () => {
    expect(parseBtrfsScrubStatus(fx('scrub-never.txt'))).toMatchObject({
      state: 'never',
      startedAt: null,
      progress: null,
      bytesScrubbed: 0,
    });
    expect(parseBtrfsScrubStatus(fx('scrub-never-human.txt')).state).toBe('never');
  });
  it('running (raw counters need a total for progress; the human form has one)', () => {
    const raw = parseBtrfsScrubStatus(fx('scrub-running.txt'), { totalBytes: 630292480 });
    expect(raw).toMatchObject({ state: 'running', startedAt: '2026-11-30T06:47:37', durationSeconds: 10 });
    expect(raw.bytesScrubbed).toBe(112197632 + 1114112);
    expect(raw.progress).toBeCloseTo(113311744 / 630292480, 5);
    expect(parseBtrfsScrubStatus(fx('scrub-running.txt')).progress).toBeNull();
    const human = parseBtrfsScrubStatus(fx('scrub-running-human.txt'));
    expect(human.progress).toBeCloseTo(0.1798, 4);
    expect(human.totalBytes).toBe(Math.round(601.11 * 1024 * 1024));
  });
  it('"no stats available" right after start reads as never (indistinguishable)', () => {
    expect(parseBtrfsScrubStatus(fx('scrub-running-nostats.txt')).state).toBe('never');
  });
  it('finished clean, with corrected errors, with uncorrectable errors, aborted', () => {
    expect(parseBtrfsScrubStatus(fx('scrub-finished-clean.txt'))).toMatchObject({
      state: 'finished',
      progress: 1,
      durationSeconds: 14,
    });
    expect(parseBtrfsScrubStatus(fx('scrub-finished-corrected.txt'))).toMatchObject({
      errorsCorrected: 1,
      errorsUncorrectable: 0,
      csumErrors: 1,
    });
    expect(parseBtrfsScrubStatus(fx('scrub-finished-corrected-human.txt'))).toMatchObject({
      errorsCorrected: 1,
      csumErrors: 1,
      progress: 1,
    });
    expect(parseBtrfsScrubStatus(fx('scrub-finished-uncorrectable.txt'))).toMatchObject({
      errorsCorrected: 0,
      errorsUncorrectable: 4,
      csumErrors: 4,
    });
    expect(parseBtrfsScrubStatus(fx('scrub-finished-uncorrectable-human.txt')).errorsUncorrectable).toBe(4);
    const aborted = parseBtrfsScrubStatus(fx('scrub-aborted.txt'));
    expect(aborted.state).toBe('aborted');
    expect(parseBtrfsScrubStatus(fx('scrub-aborted-human.txt')).state).toBe('aborted');
  });
  it('hostile input', () => {
    expectParseError(() => parseBtrfsScrubStatus('UUID: x\nStatus: exploded\n'));
    expectParseError(() => parseBtrfsScrubStatus('UUID: x\n\tcsum_errors: many\n'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseBtrfsScrubStatus(bad));
  });
});

describe('parseBtrfsSubvolumes', () => {
  it('list -q -u, list -a -p -q -u -R, list -s (otime) and list -r', () => {
    const all = parseBtrfsSubvolumes(fx('subvolume-list-q-u.txt'));
    expect(all).toHaveLength(6);
    expect(all[5]).toEqual({
      id: 261,
      path: '.snapshots/share1@lab-initial',
      topLevel: 260,
      uuid: '4d09f86e-bf4b-b940-ab83-006fc137025d',
      parentUuid: 'b0764d92-e0bd-3c4b-8432-2d7ab93b253f',
    });
    expect(all[0]!.parentUuid).toBeUndefined();
    const a = parseBtrfsSubvolumes(fx('subvolume-list-a-p-q-u-R.txt'));
    expect(a[5]!.path).toBe('.snapshots/share1@lab-initial');
    const snaps = parseBtrfsSubvolumes(fx('subvolume-list-snapshots.txt'));
    expect(snaps[0]!.createdAt).toBe('2026-11-30T06:45:58');
    const ro = parseBtrfsSubvolumes(fx('subvolume-list-readonly.txt'), { readOnly: true });
    const marked = markReadOnly(all, ro);
    expect(marked.filter((r) => r.readOnly).map((r) => r.id)).toEqual([261]);
  });
  it('empty output is no subvolumes; garbage throws', () => {
    expect(parseBtrfsSubvolumes('')).toEqual([]);
    expectParseError(() => parseBtrfsSubvolumes('ID 256 gen 7 top lev'));
    for (const [, bad] of hostileInputs().filter(([n]) => n !== 'empty string' && n !== 'whitespace'))
      expectParseError(() => parseBtrfsSubvolumes(bad));
  });
});

describe('parseBtrfsSubvolumeShow', () => {
  it('a read-only snapshot and its source', () => {
    expect(parseBtrfsSubvolumeShow(fx('subvolume-show-snapshot.txt'))).toMatchObject({
      name: 'share1@lab-initial',
      id: 261,
      readOnly: true,
      parentUuid: 'b0764d92-e0bd-3c4b-8432-2d7ab93b253f',
      createdAt: '2026-11-30T06:45:58+00:00',
    });
    const src = parseBtrfsSubvolumeShow(fx('subvolume-show-share1.txt'));
    expect(src).toMatchObject({ readOnly: false, parentUuid: null, snapshots: ['.snapshots/share1@lab-initial'] });
  });
  it('hostile input', () => {
    for (const [, bad] of hostileInputs()) expectParseError(() => parseBtrfsSubvolumeShow(bad));
  });
});
