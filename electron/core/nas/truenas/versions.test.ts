// The one place that knows how TrueNAS releases differ: version strings → profile, and the REST
// v2.0 URL rules for a JSON-RPC method.
import { describe, expect, it } from 'vitest';
import { jsonRpcAvailable, profileFor, restRoute } from './versions';

describe('TrueNAS API profiles', () => {
  it.each([
    [
      'TrueNAS-13.0-U6.2',
      {
        release: '13.0',
        edition: 'core',
        snapshotService: 'zfs.snapshot',
        nfsPathField: 'paths',
        smbReadOnlyField: 'ro',
      },
    ],
    [
      'TrueNAS-SCALE-24.10.2.4',
      {
        release: '24.10',
        edition: 'scale',
        snapshotService: 'zfs.snapshot',
        nfsPathField: 'path',
        smbReadOnlyField: 'ro',
      },
    ],
    ['TrueNAS-SCALE-25.04.2.6', { release: '25.04', snapshotService: 'zfs.snapshot', smbReadOnlyField: 'ro' }],
    [
      'TrueNAS-25.10.0',
      { release: '25.10', snapshotService: 'pool.snapshot', nfsPathField: 'path', smbReadOnlyField: 'readonly' },
    ],
    ['TrueNAS-26.04.0-MASTER', { release: '26.04', snapshotService: 'pool.snapshot', smbReadOnlyField: 'readonly' }],
  ])('%s', (version, expected) => {
    expect(profileFor(version)).toMatchObject({ version, ...expected });
  });

  it('refuses a version it cannot read', () => {
    expect(() => profileFor('<html>')).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
  });

  it('JSON-RPC from 25.04 only', () => {
    expect(jsonRpcAvailable(['v25.04.0', 'v25.04.2'])).toBe(true);
    expect(jsonRpcAvailable(['v24.10'])).toBe(false);
    expect(jsonRpcAvailable([])).toBe(false);
  });
});

describe('REST v2.0 routes (restful.py rules)', () => {
  it.each([
    ['pool.query', [], { verb: 'GET', path: '/pool' }],
    ['pool.dataset.query', [[['id', '=', 'tank/media']]], { verb: 'GET', path: '/pool/dataset?id=tank%2Fmedia' }],
    ['core.get_jobs', [[['id', '=', 5]]], { verb: 'GET', path: '/core/get_jobs?id=5' }],
    ['iscsi.global.config', [], { verb: 'GET', path: '/iscsi/global' }],
    ['system.info', [], { verb: 'GET', path: '/system/info' }],
    ['sharing.smb.create', [{ name: 'x' }], { verb: 'POST', path: '/sharing/smb', body: { name: 'x' } }],
    ['user.update', [7, { password: 'p' }], { verb: 'PUT', path: '/user/id/7', body: { password: 'p' } }],
    ['zfs.snapshot.delete', ['tank/ds@s1'], { verb: 'DELETE', path: '/zfs/snapshot/id/tank%2Fds%40s1' }],
    [
      'pool.dataset.delete',
      ['tank/x', { recursive: true }],
      { verb: 'DELETE', path: '/pool/dataset/id/tank%2Fx', body: { recursive: true } },
    ],
    [
      'zfs.snapshot.rollback',
      ['t@s', { force: false }],
      { verb: 'POST', path: '/zfs/snapshot/rollback', body: { id: 't@s', options: { force: false } } },
    ],
    ['pool.scrub', [1, 'START'], { verb: 'POST', path: '/pool/id/1/scrub', body: 'START' }],
    ['disk.temperatures', [['sda']], { verb: 'POST', path: '/disk/temperatures', body: { names: ['sda'] } }],
  ] as const)('%s', (method, params, route) => {
    expect(restRoute(method, params as unknown as unknown[])).toEqual(route);
  });
});
