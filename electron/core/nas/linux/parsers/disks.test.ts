import { describe, expect, it } from 'vitest';
import { parseLsblk, parseSmartctl, toDisk } from './disks';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('disks', n);

describe('parseLsblk', () => {
  it('lab capture (loop devices, a virtio disk)', () => {
    const devs = parseLsblk(fx('lsblk-lab.json.txt'));
    const vda = devs.find((d) => d.name === 'vda')!;
    expect(vda).toEqual({
      name: 'vda',
      path: '/dev/vda',
      type: 'disk',
      sizeBytes: 274877906944,
      model: null,
      serial: null,
      rotational: true,
      transport: null,
      mountpoint: '/',
      fstype: null,
      children: [],
    });
    expect(devs.find((d) => d.mountpoint?.endsWith('/pool'))!.type).toBe('loop');
  });
  it('lab capture with GPT partitions as children', () => {
    const [disk] = parseLsblk(fx('lsblk-loop-gpt-partitions.json.txt'));
    expect(disk!.children.map((c) => [c.name, c.type, c.sizeBytes])).toEqual([
      ['loop6p1', 'part', 20971520],
      ['loop6p2', 'part', 44040192],
    ]);
  });
  it('children are recursive; padded model/serial are trimmed by toDisk', () => {
    const json = {
      blockdevices: [
        {
          name: 'sda',
          path: '/dev/sda',
          type: 'disk',
          size: '4000787030016',
          model: 'WDC WD40EFRX-68N32N0  ',
          serial: '  WD-XYZ ',
          rota: '1',
          tran: 'sata',
          children: [{ name: 'sda1', path: '/dev/sda1', type: 'part', size: 4000785964544, children: [] }],
        },
      ],
    };
    const [sda] = parseLsblk(json);
    expect(sda!.children[0]!.name).toBe('sda1');
    expect(sda!.rotational).toBe(true);
    expect(toDisk(sda!)).toEqual({
      name: 'sda',
      model: 'WDC WD40EFRX-68N32N0',
      serial: 'WD-XYZ',
      sizeBytes: 4000787030016,
      temperatureC: null,
      smart: 'unknown',
    });
  });
  it('hostile input', () => {
    expectParseError(() => parseLsblk('{"blockdevices":[{"name":"sda","size":"1.8T"}]}'));
    expectParseError(() => parseLsblk('{"blockdevices":[{"size":1}]}'));
    expectParseError(() => parseLsblk(fx('lsblk-lab.json.txt').slice(0, 300)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseLsblk(bad));
  });
});

describe('parseSmartctl', () => {
  it('healthy NVMe', () => {
    expect(parseSmartctl(fx('smartctl-nvme-scrutiny-smart-nvme.json.txt'))).toEqual({
      model: 'INTEL SSDPEKNW010T8',
      serial: 'BTNH93710FS91P0B',
      sizeBytes: 1024209543168,
      temperatureC: 36,
      smart: 'ok',
      rawStatus: 'PASSED',
    });
  });
  it('NVMe passing but with media errors is a warning', () => {
    const s = parseSmartctl(fx('smartctl-nvme-media-errors-scrutiny-smart-nvme-failed.json.txt'));
    expect(s).toMatchObject({ smart: 'warning', temperatureC: 35, rawStatus: 'PASSED (media_errors=7)' });
  });
  it('ATA with smart_status.passed=false is failing', () => {
    const s = parseSmartctl(fx('smartctl-ata-failing-scrutiny-smart-fail2.trimmed.json.txt'));
    expect(s.smart).toBe('failing');
    expect(s.rawStatus).toBe('FAILED (Reallocated_Sector_Ct=1975, Current_Pending_Sector=8)');
    expect(s.temperatureC).toBe(25);
    expect(s.sizeBytes).toBe(500107862016);
  });
  it('no smart_status is unknown; toDisk merges', () => {
    const s = parseSmartctl({ smartctl: { exit_status: 2 }, device: { name: '/dev/sdx' } });
    expect(s.smart).toBe('unknown');
    const [dev] = parseLsblk({
      blockdevices: [{ name: 'nvme0n1', size: 1024209543168, model: 'INTEL SSDPEKNW010T8 ' }],
    });
    expect(toDisk(dev!, parseSmartctl(fx('smartctl-nvme-scrutiny-smart-nvme.json.txt')))).toMatchObject({
      smart: 'ok',
      temperatureC: 36,
    });
  });
  it('hostile input', () => {
    expectParseError(() => parseSmartctl('{"hello":"world"}'));
    expectParseError(() => parseSmartctl('[1,2,3]'));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseSmartctl(bad));
  });
});
