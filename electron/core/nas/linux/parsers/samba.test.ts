import { describe, expect, it } from 'vitest';
import { mergeSambaShares, parseNetConfList, registryActive, sambaSharesFromTestparm, toShare } from './samba';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('samba', n);

describe('parseNetConfList', () => {
  it('registry shares, with and without [global]', () => {
    const s = parseNetConfList(fx('net-conf-list.txt'));
    expect(s.map((x) => x.name)).toEqual(['share1', 'share2', 'media files']);
    expect(s[0]!.params).toEqual({
      path: '/tmp/nasdeck-lab/ndparse/nas1/pool/share1',
      comment: 'Lab share one',
      'guest ok': 'no',
      'read only': 'no',
      'valid users': 'ndparse-smb',
      'vfs objects': 'btrfs',
    });
    const g = parseNetConfList(fx('net-conf-list-with-global.txt'));
    expect(g[0]).toEqual({ name: 'global', params: { 'log level': '1' } });
  });
  it('an empty registry is []', () => {
    expect(parseNetConfList('')).toEqual([]);
  });
  it('hostile input', () => {
    expectParseError(() => parseNetConfList('path = /x\n'));
    for (const [, bad] of hostileInputs().filter(([n]) => n !== 'empty string' && n !== 'whitespace'))
      expectParseError(() => parseNetConfList(bad));
  });
});

describe('testparm', () => {
  it('registry is active when testparm says "registry shares = Yes"', () => {
    expect(registryActive(fx('testparm-registry.txt'))).toBe(true);
    expect(registryActive(fx('testparm-file-and-registry.txt'))).toBe(true);
    expect(registryActive(fx('testparm-no-registry.txt'))).toBe(false);
  });
  it('shares from smb.conf and the registry; defaults omitted by testparm mean read-only', () => {
    const t = sambaSharesFromTestparm(fx('testparm-file-and-registry.txt'));
    expect(t.map((s) => s.name)).toEqual(['legacy', 'homes', 'share1', 'share2', 'media files']);
    const merged = mergeSambaShares(t, parseNetConfList(fx('net-conf-list.txt')));
    expect(merged.map((s) => [s.name, s.managed, s.readOnly])).toEqual([
      ['legacy', false, false],
      ['homes', false, false],
      ['share1', true, false],
      ['share2', true, true],
      ['media files', true, true],
    ]);
    expect(merged[0]!.users).toEqual(['alice', 'bob', '@admins']);
    expect(merged[3]!.users).toEqual(['@staff', 'ndparse-smb']);
    expect(merged[4]!.clients).toEqual(['10.0.0.0/8', '192.168.1.']);
  });
  it('stderr noise mixed in is skipped', () => {
    const withNoise = fx('testparm-file-and-registry.stderr.txt') + fx('testparm-file-and-registry.txt');
    expect(sambaSharesFromTestparm(withNoise)).toHaveLength(5);
  });
  it('toShare maps writeable and guest ok', () => {
    expect(toShare({ name: 'x', params: { path: '/srv/x', writeable: 'yes', 'guest ok': 'yes' } }, 'smb.conf')).toEqual(
      {
        name: 'x',
        protocol: 'smb',
        path: '/srv/x',
        readOnly: false,
        users: [],
        clients: [],
        managed: false,
        guestOk: true,
      },
    );
  });
  it('hostile input', () => {
    for (const [, bad] of hostileInputs()) {
      expectParseError(() => sambaSharesFromTestparm(bad));
      expectParseError(() => registryActive(bad));
    }
  });
});
