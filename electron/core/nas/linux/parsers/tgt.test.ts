import { describe, expect, it } from 'vitest';
import { parseTgtadmTargets, toIscsiTarget } from './tgt';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

const fx = (n: string) => fixture('tgt', n);

describe('parseTgtadmTargets', () => {
  it('the lab target: CHAP user and an initiator-name ACL', () => {
    const [t] = parseTgtadmTargets(fx('show-target-lab.txt'));
    expect(t).toEqual({
      tid: 1,
      iqn: 'iqn.2024-01.local.ndparse:nas1-target1',
      state: 'ready',
      luns: [
        { id: 0, sizeBytes: 0, backing: null, type: 'controller' },
        { id: 1, sizeBytes: 134_000_000, backing: '/tmp/nasdeck-lab/ndparse/nas1/pool/iscsi/lun1.img', type: 'disk' },
      ],
      accounts: ['ndparse-chap'],
      outgoingAccounts: [],
      initiators: ['iqn.2024-01.local.ndparse:client'],
      sessions: [],
    });
    expect(toIscsiTarget(t!)).toEqual({
      name: 'nas1-target1',
      iqn: 'iqn.2024-01.local.ndparse:nas1-target1',
      luns: [{ id: 1, sizeBytes: 134_000_000, backing: '/tmp/nasdeck-lab/ndparse/nas1/pool/iscsi/lun1.img' }],
      chapUser: 'ndparse-chap',
      initiators: ['iqn.2024-01.local.ndparse:client'],
    });
  });
  it('ACL ALL, two LUNs, address ACLs, outgoing CHAP', () => {
    const [, open, byAddr] = parseTgtadmTargets(fx('show-target.txt'));
    expect(open!.initiators).toEqual(['ALL']);
    expect(open!.luns.map((l) => [l.id, l.sizeBytes])).toEqual([
      [0, 0],
      [1, 67_000_000],
      [2, 10_737_000_000],
    ]);
    expect(byAddr).toMatchObject({
      luns: [{ id: 0, type: 'controller' }],
      accounts: ['second-in', 'ndparse-chap'],
      outgoingAccounts: ['mutualout'],
      initiators: ['10.225.172.0/24', '192.168.7.20'],
    });
    expect(toIscsiTarget(byAddr!).luns).toEqual([]);
  });
  it('a connected session (I_T nexus)', () => {
    const t = parseTgtadmTargets(fx('show-target-with-session.txt')).find((x) => x.tid === 2)!;
    expect(t.sessions).toEqual([{ initiator: 'iqn.2024-01.local.ndparse:client', addresses: ['10.225.172.1'] }]);
  });
  it('no targets is []; truncated and hostile input throw', () => {
    expect(parseTgtadmTargets('')).toEqual([]);
    expectParseError(() => parseTgtadmTargets(fx('show-target-lab.txt').slice(0, 420)));
    expectParseError(() => parseTgtadmTargets('Target 1: iqn.x\n    LUN information:\n            Size: 10 MB\n'));
    for (const [, bad] of hostileInputs().filter(([n]) => n !== 'empty string' && n !== 'whitespace'))
      expectParseError(() => parseTgtadmTargets(bad));
  });
});
