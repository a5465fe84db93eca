import { describe, expect, it } from 'vitest';
import { parseTargetcliConfig } from './lio';
import { toIscsiTarget } from './tgt';
import { expectParseError, fixture, hostileInputs } from './test-helpers';

describe('parseTargetcliConfig', () => {
  it('a targetcli-generated config: five block LUNs, generated ACLs (open to all)', () => {
    const [t] = parseTargetcliConfig(fixture('lio', 'saveconfig-suse-ha-sap.trimmed.json.txt'));
    expect(t).toMatchObject({
      tid: 1,
      iqn: 'iqn.1996-04.de.suse:01:a66aed20e2f3',
      state: 'ready',
      initiators: ['ALL'],
      accounts: [],
    });
    expect(t!.luns.map((l) => [l.id, l.type, l.backing])).toEqual([
      [0, 'block', "{{ grains['iscsidev'] }}1"],
      [1, 'block', "{{ grains['iscsidev'] }}2"],
      [2, 'block', "{{ grains['iscsidev'] }}3"],
      [3, 'block', "{{ grains['iscsidev'] }}4"],
      [4, 'block', "{{ grains['iscsidev'] }}5"],
    ]);
    expect(toIscsiTarget(t!).luns).toHaveLength(5);
  });
  it('an empty saveconfig', () => {
    expect(parseTargetcliConfig(fixture('lio', 'saveconfig-empty-targetcli-fb-issue-39.json.txt'))).toEqual([]);
  });
  it('node ACLs with CHAP (shape per saveconfig.json(5); not a captured file)', () => {
    const cfg = {
      storage_objects: [{ name: 'lun1', plugin: 'fileio', dev: '/srv/iscsi/lun1.img', size: 134217728 }],
      targets: [
        {
          wwn: 'iqn.2024-01.example:t1',
          fabric: 'iscsi',
          tpgs: [
            {
              tag: 1,
              attributes: { authentication: 1, generate_node_acls: 0 },
              luns: [{ index: 0, storage_object: '/backstores/fileio/lun1' }],
              node_acls: [
                { node_wwn: 'iqn.2024-01.example:client', chap_userid: 'user1', chap_mutual_userid: 'target1' },
              ],
            },
          ],
        },
      ],
    };
    expect(parseTargetcliConfig(cfg)).toEqual([
      {
        tid: 1,
        iqn: 'iqn.2024-01.example:t1',
        state: 'ready',
        luns: [{ id: 0, sizeBytes: 134217728, backing: '/srv/iscsi/lun1.img', type: 'fileio' }],
        accounts: ['user1'],
        outgoingAccounts: ['target1'],
        initiators: ['iqn.2024-01.example:client'],
        sessions: [],
      },
    ]);
  });
  it('hostile input', () => {
    expectParseError(() => parseTargetcliConfig('{"targets":[{"tpgs":[]}]}'));
    expectParseError(() => parseTargetcliConfig('{"targets":{}}'));
    expectParseError(() => parseTargetcliConfig('{"hello":1}'));
    expectParseError(() =>
      parseTargetcliConfig(fixture('lio', 'saveconfig-suse-ha-sap.trimmed.json.txt').slice(0, 500)),
    );
    for (const [, bad] of hostileInputs()) expectParseError(() => parseTargetcliConfig(bad));
  });
});
