import { describe, expect, it } from 'vitest';
import { formatGaneshaExport, parseGaneshaConfig, parseGaneshaExports, type GaneshaExport } from './ganesha';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('ganesha', n);

describe('parseGaneshaExports', () => {
  it('the lab config (EXPORT_DEFAULTS, one-line blocks, quoted paths)', () => {
    expect(parseGaneshaExports(fx('lab-ganesha.conf'))).toEqual([
      {
        exportId: 1,
        path: '/tmp/nasdeck-lab/ndparse/nas1/exports/nfs1',
        pseudo: '/export',
        accessType: 'None',
        protocols: ['3', '4'],
        transports: ['TCP'],
        squash: 'No_Root_Squash',
        fsal: 'VFS',
        clients: [{ clients: ['10.225.172.0/24'], accessType: 'RW' }],
      },
    ]);
  });
  it('two exports, comments, two CLIENT blocks, brace on its own line (accepted by ganesha 4.3)', () => {
    const [, ro] = parseGaneshaExports(fx('lab-ganesha-two-exports.conf'));
    expect(ro).toEqual({
      exportId: 2,
      path: '/tmp/nasdeck-lab/ndparse/nas1/exports/ro1',
      pseudo: '/ro',
      accessType: 'RO',
      protocols: ['4'],
      squash: 'root_squash',
      fsal: 'VFS',
      clients: [
        { clients: ['10.225.172.0/24', '192.168.1.10'], accessType: 'RW' },
        { clients: ['*'], accessType: 'RO', squash: 'All_Squash' },
      ],
    });
  });
  it('other blocks are parsed too', () => {
    const core = parseGaneshaConfig(fx('lab-ganesha.conf')).find((b) => b.name === 'NFS_CORE_PARAM')!;
    expect(core.params['protocols']).toEqual(['3', '4']);
  });
  it('malformed and hostile input', () => {
    expectParseError(() => parseGaneshaExports('EXPORT { Export_Id = 1; Path = "/x"'));
    expectParseError(() => parseGaneshaExports('EXPORT { Export_Id = 1; Path = "/x; }'));
    expectParseError(() => parseGaneshaExports('EXPORT { Path = "/x"; }'));
    expectParseError(() => parseGaneshaExports('}'));
    expectParseError(() => parseGaneshaExports('Path = /x;'));
    expectParseError(() => parseGaneshaExports('{'.repeat(100)));
    for (const [, bad] of hostileInputs()) expectParseError(() => parseGaneshaExports(bad));
  });
});

describe('formatGaneshaExport', () => {
  const base: GaneshaExport = {
    exportId: 7,
    path: '/srv/nfs/media files',
    pseudo: '/media',
    accessType: 'RO',
    protocols: ['4'],
    squash: 'root_squash',
    fsal: 'VFS',
    clients: [
      { clients: ['10.0.0.0/24', 'host1.example.lan', 'fd00::/64'], accessType: 'RW' },
      { clients: ['*'], accessType: 'RO', squash: 'all_squash' },
    ],
  };
  it('round-trips through the parser (lab exports too)', () => {
    expect(parseGaneshaExports(formatGaneshaExport(base))).toEqual([base]);
    for (const ex of parseGaneshaExports(fx('lab-ganesha-two-exports.conf')))
      expect(parseGaneshaExports(formatGaneshaExport(ex))).toEqual([ex]);
  });
  it('a formatted block (path with a space) was accepted by ganesha 4.3 in the lab and parses back', () => {
    const exports = parseGaneshaExports(fx('lab-ganesha-formatted-accepted.conf'));
    expect(exports.map((e) => e.exportId)).toEqual([1, 2, 3]);
    expect(exports[2]).toMatchObject({
      path: '/tmp/nasdeck-lab/ndparse/nas1/exports/fmt dir',
      pseudo: '/fmt',
      transports: ['TCP'],
    });
    expect(formatGaneshaExport(exports[2]!)).toBe(
      fx('lab-ganesha-formatted-accepted.conf').slice(
        fx('lab-ganesha-formatted-accepted.conf').lastIndexOf('EXPORT {'),
      ),
    );
  });
  it('refuses values that could break out of the block', () => {
    const bad: Array<Partial<GaneshaExport>> = [
      { path: 'relative/path' },
      { path: '/x"; } EXPORT { Path = "/' },
      { path: '/x\n}' },
      { path: '/x;y' },
      { pseudo: '/a{b' },
      { exportId: 0 },
      { exportId: 1.5 },
      { accessType: 'RW; Squash = None' },
      { squash: 'none; }' },
      { protocols: ['4;'] },
      { protocols: [] },
      { clients: [{ clients: ['10.0.0.0/24; Access_Type = RW'], accessType: 'RO' }] },
      { clients: [{ clients: ['"*"'], accessType: 'RO' }] },
      { clients: [{ clients: [], accessType: 'RO' }] },
      { clients: [{ clients: ['a b'], accessType: 'RO' }] },
    ];
    for (const b of bad) expectParseError(() => formatGaneshaExport({ ...base, ...b }), 'INVALID_INPUT');
  });
});
