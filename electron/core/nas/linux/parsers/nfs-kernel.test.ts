import { describe, expect, it } from 'vitest';
import { formatExportsLine, parseExportfs, parseExportsFile } from './nfs-kernel';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('nfs-kernel', n);

describe('parseExportfs', () => {
  it('a CIDR client on the same line', () => {
    expect(parseExportfs(fx('exportfs-v-cidr.txt'))).toEqual([
      {
        path: '/data/nfs',
        clients: [
          {
            host: '192.168.6.0/24',
            options: [
              'rw',
              'wdelay',
              'root_squash',
              'no_subtree_check',
              'sec=sys',
              'rw',
              'root_squash',
              'no_all_squash',
            ],
          },
        ],
      },
    ]);
  });
  it('<world> and long paths wrapped onto the next line', () => {
    const [e] = parseExportfs(fx('exportfs-v-world-wrapped.txt'));
    expect(e!.path).toBe('/srv/nfs/kubedata');
    expect(e!.clients[0]!.host).toBe('*');
    expect(parseExportfs(fx('exportfs-v-three.txt')).map((x) => x.path)).toEqual([
      '/opt/dados',
      '/opt/prometheus',
      '/opt/alertmanager',
    ]);
  });
  it('nothing exported is []; truncated and hostile input throw', () => {
    expect(parseExportfs('')).toEqual([]);
    expectParseError(() => parseExportfs('/srv/nfs/kubedata\n'));
    expectParseError(() => parseExportfs('/data/nfs \t192.168.6.0/24(rw,wdel'));
    for (const [, bad] of hostileInputs().filter(([n]) => n !== 'empty string' && n !== 'whitespace'))
      expectParseError(() => parseExportfs(bad));
  });
});

describe('parseExportsFile', () => {
  it('the exports(5) example', () => {
    const r = parseExportsFile(fx('exports-man5-example.txt'));
    expect(r.errors).toEqual([]);
    expect(r.exports.map((e) => e.path)).toEqual([
      '/',
      '/projects',
      '/usr',
      '/home/joe',
      '/pub',
      '/srv/www',
      '/foo',
      '/build',
    ]);
    expect(r.exports[5]).toEqual({
      path: '/srv/www',
      line: 7,
      defaultOptions: ['sync', 'rw'],
      clients: [
        { host: 'server', options: ['sync', 'rw'] },
        { host: '@trusted', options: ['sync', 'rw'] },
        { host: '@external', options: ['sync', 'rw', 'ro'] },
      ],
    });
    expect(r.exports[6]!.clients.map((c) => c.host)).toEqual(['2001:db8:9:e54::/64', '192.0.2.0/24']);
  });
  it('one malformed line does not break the others', () => {
    const text = [
      fx('exports-man5-example.txt'),
      'relative/path host(rw)',
      '/bad   host(rw',
      '/space host (rw)',
      '"/unterminated host(rw)',
      '/quoted\\040path host(rw)',
      '"/srv/with space" 10.0.0.0/8(ro) # comment',
      '/cont  a(rw) \\',
      '       b(ro)',
    ].join('\n');
    const r = parseExportsFile(text);
    // the fixture ends with a newline, so the appended lines start at line 11
    expect(r.errors.map((e) => e.line)).toEqual([11, 12, 13, 14]);
    expect(r.errors[2]!.reason).toMatch(/everyone/);
    expect(r.exports.slice(8).map((e) => e.path)).toEqual(['/quoted path', '/srv/with space', '/cont']);
    expect(r.exports[10]!.clients.map((c) => c.host)).toEqual(['a', 'b']);
  });
  it('hostile input', () => {
    for (const [, bad] of hostileInputs().filter(([n]) => !['empty string', 'whitespace', 'random prose'].includes(n)))
      expectParseError(() => parseExportsFile(bad));
    expect(parseExportsFile('sh: 1: command not found\n').errors).toHaveLength(1);
  });
});

describe('formatExportsLine', () => {
  it('formats, quotes spaces, and round-trips', () => {
    const line = formatExportsLine('/srv/media files', [
      { host: '192.168.1.0/24', options: ['rw', 'sync', 'no_subtree_check'] },
      { host: '@trusted', options: ['ro'] },
      { host: '*', options: [] },
    ]);
    expect(line).toBe('"/srv/media files" 192.168.1.0/24(rw,sync,no_subtree_check) @trusted(ro) *');
    const r = parseExportsFile(line);
    expect(r.errors).toEqual([]);
    expect(r.exports[0]!.path).toBe('/srv/media files');
    expect(r.exports[0]!.clients.map((c) => [c.host, c.options])).toEqual([
      ['192.168.1.0/24', ['rw', 'sync', 'no_subtree_check']],
      ['@trusted', ['ro']],
      ['*', []],
    ]);
  });
  it('refuses injection', () => {
    const ok = [{ host: 'h', options: ['rw'] }];
    for (const p of ['relative', '/a"b', '/a\nb', '/a\\b', '/a#b', '/a\u0000b'])
      expectParseError(() => formatExportsLine(p, ok), 'INVALID_INPUT');
    for (const c of [
      { host: 'h (rw)', options: [] },
      { host: 'h(rw)', options: [] },
      { host: 'a b', options: [] },
      { host: 'h', options: ['rw) *(rw'] },
      { host: 'h', options: ['rw,no_root_squash'] },
      { host: 'h', options: ['rw\n/etc *(rw)'] },
    ])
      expectParseError(() => formatExportsLine('/srv', [c]), 'INVALID_INPUT');
    expectParseError(() => formatExportsLine('/srv', []), 'INVALID_INPUT');
  });
});
