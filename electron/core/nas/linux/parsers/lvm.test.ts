import { describe, expect, it } from 'vitest';
import { lvmSize, parseLvmReport } from './lvm';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

describe('parseLvmReport', () => {
  it('the lvm fullreport JSON example of lvmreport(7), trailing comma included', () => {
    const r = parseLvmReport(fixture('lvm', 'fullreport-lvmreport-7.json.txt'));
    expect(r.vgs).toEqual([
      { name: 'vg', sizeBytes: 200 * 1024 ** 2, freeBytes: null, fields: { vg_name: 'vg', vg_size: '200.00m' } },
    ]);
    expect(r.pvs.map((p) => [p.name, p.vgName])).toEqual([
      ['/dev/sda', 'vg'],
      ['/dev/sdb', 'vg'],
    ]);
    expect(r.lvs.map((l) => `${l.vgName}/${l.name}`)).toEqual(['vg/lvol0', 'vg/lvol1']);
  });
  it('sizes with and without units', () => {
    expect(lvmSize('4194304')).toBe(4194304);
    expect(lvmSize('4194304B')).toBe(4194304);
    expect(lvmSize('4.00m')).toBe(4194304);
    expect(lvmSize('1.00G')).toBe(1e9);
    expect(lvmSize('')).toBeNull();
    expect(lvmSize('lots')).toBeNull();
  });
  it('hostile input', () => {
    expectParseError(() => parseLvmReport('{"report":[{"lv":[{"vg_name":"x"}]}]}'));
    expectParseError(() => parseLvmReport('{"report":"nope"}'));
    expectParseError(() => parseLvmReport(fixture('lvm', 'fullreport-lvmreport-7.json.txt').slice(0, 200)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseLvmReport(bad));
  });
});
