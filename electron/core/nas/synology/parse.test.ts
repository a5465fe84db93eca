// The DSM parsers on the reference's captured fixtures (see __fixtures__/SOURCES.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import {
  healthFromDsm,
  parseDisks,
  parseLuns,
  parseNfsRules,
  parsePools,
  parseShareList,
  parseSnapshots,
  parseTargets,
  raidLevel,
  snapshotDate,
  toIscsiTarget,
  toShares,
} from './parse';

const fixture = (name: string) =>
  (JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8')) as { data: unknown }).data;

describe('DSM parsers on captured fixtures', () => {
  it('load_info (DS1819+): an SHR-2 pool with its volume, sizes as numbers, models trimmed', () => {
    const data = fixture('load_info.ds1819.json');
    const [pool] = parsePools(data);
    expect(pool).toEqual({
      id: 'reuse_1',
      name: 'Storage Pool 1',
      kind: 'vendor',
      raidLevel: 'SHR-2',
      state: 'healthy',
      rawState: 'normal',
      sizeBytes: 7681771159552,
      // DSM's pool "used" is the space allocated to volumes (all of it); the data on the volume counts.
      usedBytes: 2724878606336,
      devices: [
        { name: '/dev/sda', state: 'healthy' },
        { name: '/dev/sdb', state: 'healthy' },
      ],
      scrub: { state: 'done', progress: 1, errorsCorrected: 0, errorsUncorrectable: 0 },
      volumes: [
        {
          id: 'volume_1',
          path: '/volume1',
          fsType: 'btrfs',
          state: 'healthy',
          rawState: 'normal',
          sizeBytes: 7499321278464,
          usedBytes: 2724878606336,
        },
      ],
    });
    expect(parseDisks(data)).toEqual([
      {
        name: '/dev/sda',
        model: 'WD80EFAX-68KNBN0',
        serial: 'VAHG7V1L',
        sizeBytes: 8001563222016,
        temperatureC: 39,
        smart: 'ok',
      },
      {
        name: '/dev/sdb',
        model: 'WD80EFAX-68KNBN0',
        serial: 'VAHGLLPL',
        sizeBytes: 8001563222016,
        temperatureC: 40,
        smart: 'ok',
      },
    ]);
  });

  it('maps DSM words onto the health vocabulary; an unknown word is never healthy', () => {
    expect(['normal', 'degraded', 'crashed', 'repairing', 'data_scrubbing', 'attention'].map(healthFromDsm)).toEqual([
      'healthy',
      'degraded',
      'failed',
      'rebuilding',
      'scrubbing',
      'degraded',
    ]);
    expect(raidLevel('shr_without_disk_protect', 'SHR')).toBe('SHR (no protection)');
    expect(raidLevel('raid_5', '')).toBe('raid5');
    expect(raidLevel('weird', 'Custom')).toBe('Custom');
  });

  it('shares with NFS rules, snapshots with dates, targets with their LUNs', () => {
    const shares = parseShareList(fixture('share_list.dsm6.json'));
    expect(shares.map((s) => [s.name, s.volPath, s.supportSnapshot])).toEqual([
      ['test_share', '/volume1', true],
      ['homes', '/volume1', true],
    ]);
    const rules = parseNfsRules(fixture('nfs_privilege_load.json'));
    expect(toShares(shares[0]!, rules, [])).toEqual([
      {
        name: 'test_share',
        protocol: 'smb',
        path: '/volume1/test_share',
        readOnly: false,
        users: [],
        clients: [],
        managed: true,
      },
      {
        name: 'test_share',
        protocol: 'nfs',
        path: '/volume1/test_share',
        readOnly: false,
        users: [],
        clients: ['192.168.1.0/24'],
        managed: true,
      },
    ]);
    expect(parseSnapshots(fixture('snapshot_list.json'), 'test_share')).toEqual([
      {
        name: 'GMT+02-2025.06.01-03.00.00',
        of: 'test_share',
        createdAt: '2025-06-01T01:00:00.000Z',
        sizeBytes: 1048576,
      },
      { name: 'GMT+09-2023.09.11-23.23.40', of: 'test_share', createdAt: '2023-09-11T14:23:40.000Z' },
    ]);
    expect(snapshotDate('GMT-05-2024.01.01-00.00.00')).toBe('2024-01-01T05:00:00.000Z');
    const target = parseTargets(fixture('target_list.json'))[0]!;
    expect(toIscsiTarget(target, parseLuns(fixture('lun_list.json')))).toEqual({
      name: 'Target-1',
      iqn: 'iqn.2000-01.com.synology:ds920.Target-1.2c4a1e0b6d',
      luns: [{ id: 1, sizeBytes: 1073741824, backing: '/volume1/LUN-1' }],
      initiators: ['ALL'],
    });
  });

  it('a wrong type names the field in a typed error', () => {
    const err = (() => {
      try {
        parsePools({ storagePools: [{ id: 'reuse_1', size: { total: { x: 1 } } }] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/storagePools\[0\]\.size\.total is not a number/);
  });
});
