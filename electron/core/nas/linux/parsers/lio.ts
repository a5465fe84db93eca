// LIO kernel target: /etc/target/saveconfig.json as written by targetcli/targetctl (rtslib-fb), format in
// saveconfig.json(5). LIO cannot run in the lab (no target_core modules); see __fixtures__/lio/SOURCES.md.
import { checkJson, isRecord, parseFail } from './common';
import type { IscsiTargetRow } from './tgt';

const TOOL = 'saveconfig.json';

function arr(v: unknown, what: string, input: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw parseFail(TOOL, `${what} is not an array`, input);
  return v;
}

/**
 * Same row shape as tgt. `tid` is the TPG tag. LUN sizes come from the storage object's `size` when
 * saved (fileio/ramdisk); block backstores have none in the file (0 here; ask the device). Initiators:
 * the node_acls' WWNs, or "ALL" when the TPG generates ACLs for everyone (generate_node_acls = 1).
 * Accounts: TPG-level and per-ACL CHAP user ids.
 */
export function parseTargetcliConfig(input: unknown): IscsiTargetRow[] {
  const j = checkJson(TOOL, input);
  if (!isRecord(j) || (!('targets' in j) && !('storage_objects' in j)))
    throw parseFail(TOOL, 'no "targets" or "storage_objects"', input);
  const objects = new Map<string, { dev: string | null; size: number; plugin: string }>();
  for (const so of arr(j.storage_objects, 'storage_objects', input)) {
    if (!isRecord(so) || typeof so.name !== 'string' || typeof so.plugin !== 'string')
      throw parseFail(TOOL, 'a storage object lacks name or plugin', input);
    objects.set(`/backstores/${so.plugin}/${so.name}`, {
      dev: typeof so.dev === 'string' ? so.dev : null,
      size: typeof so.size === 'number' && Number.isSafeInteger(so.size) ? so.size : 0,
      plugin: so.plugin,
    });
  }
  const out: IscsiTargetRow[] = [];
  for (const t of arr(j.targets, 'targets', input)) {
    if (!isRecord(t) || typeof t.wwn !== 'string') throw parseFail(TOOL, 'a target has no wwn', input);
    if (t.fabric !== undefined && t.fabric !== 'iscsi') continue;
    for (const [i, tpg] of arr(t.tpgs, 'tpgs', input).entries()) {
      if (!isRecord(tpg)) throw parseFail(TOOL, 'a tpg is not an object', input);
      const attrs = isRecord(tpg.attributes) ? tpg.attributes : {};
      const acls = arr(tpg.node_acls, 'node_acls', input).map((a) => {
        if (!isRecord(a) || typeof a.node_wwn !== 'string') throw parseFail(TOOL, 'a node_acl has no node_wwn', input);
        return a;
      });
      const accounts = new Set<string>();
      const outgoing = new Set<string>();
      for (const src of [tpg, ...acls]) {
        if (typeof src.userid === 'string' && src.userid) accounts.add(src.userid);
        if (typeof src.chap_userid === 'string' && src.chap_userid) accounts.add(src.chap_userid);
        if (typeof src.mutual_userid === 'string' && src.mutual_userid) outgoing.add(src.mutual_userid);
        if (typeof src.chap_mutual_userid === 'string' && src.chap_mutual_userid) outgoing.add(src.chap_mutual_userid);
      }
      const initiators = acls.map((a) => a.node_wwn as string);
      if (attrs.generate_node_acls === 1 || attrs.generate_node_acls === true) initiators.unshift('ALL');
      out.push({
        tid: typeof tpg.tag === 'number' ? tpg.tag : i + 1,
        iqn: t.wwn,
        state: tpg.enable === false ? 'disabled' : 'ready',
        luns: arr(tpg.luns, 'luns', input).map((l) => {
          if (!isRecord(l) || typeof l.index !== 'number' || typeof l.storage_object !== 'string')
            throw parseFail(TOOL, 'a lun lacks index or storage_object', input);
          const so = objects.get(l.storage_object);
          return { id: l.index, sizeBytes: so?.size ?? 0, backing: so?.dev ?? null, type: so?.plugin ?? 'unknown' };
        }),
        accounts: [...accounts],
        outgoingAccounts: [...outgoing],
        initiators,
        sessions: [],
      });
    }
  }
  return out;
}
