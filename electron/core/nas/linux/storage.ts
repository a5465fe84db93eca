// Pools, scrub and snapshots on a Linux NAS. btrfs is managed (health, members, errors, scrub
// with progress, read-only snapshots in <pool>/.snapshots); ZFS and md RAID are read from their
// status commands. Sizes in bytes; one health vocabulary.
import { basename } from 'node:path/posix';
import type { Pool, Snapshot } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/jobs';
import {
  parseBtrfsDeviceStats,
  parseBtrfsScrubStatus,
  parseBtrfsShow,
  parseBtrfsSubvolumes,
  parseBtrfsUsage,
} from './parsers/btrfs';
import { healthFromBtrfs, healthFromMd, healthFromZpool } from './parsers/health';
import { parseLvmReport } from './parsers/lvm';
import { parseMdstat } from './parsers/mdadm';
import { parseZfsList, parseZpoolList, parseZpoolStatus } from './parsers/zfs';
import type { Shell } from './shell';

export const SNAPSHOT_DIR = '.snapshots';

interface BtrfsMount {
  uuid: string;
  target: string;
}

/** Top-level mounts of each btrfs filesystem (subvolume mounts of the same fs are skipped). */
export async function btrfsMounts(sh: Shell): Promise<BtrfsMount[]> {
  if (!(await sh.has('btrfs')) || !(await sh.has('findmnt'))) return [];
  const json = await sh.out(['findmnt', '-J', '-t', 'btrfs', '-o', 'TARGET,UUID,FSROOT'], {
    description: 'Find btrfs mounts',
    ok: [0, 1],
  });
  if (!json.trim()) return [];
  const rows =
    (JSON.parse(json) as { filesystems?: Array<{ target: string; uuid: string; fsroot: string }> }).filesystems ?? [];
  const byUuid = new Map<string, BtrfsMount>();
  for (const r of rows.sort((a, b) => Number(b.fsroot === '/') - Number(a.fsroot === '/'))) {
    if (!byUuid.has(r.uuid)) byUuid.set(r.uuid, { uuid: r.uuid, target: r.target });
  }
  return [...byUuid.values()];
}

async function btrfsPool(sh: Shell, m: BtrfsMount): Promise<Pool> {
  const run = (args: string[], description: string, ok?: number[]) =>
    sh.out(['btrfs', ...args], { description, sudo: true, ...(ok ? { ok } : {}) });
  const [show, usage, stats, scrub] = await Promise.all([
    run(['filesystem', 'show', '--raw', m.target], 'Read btrfs members'),
    run(['filesystem', 'usage', '-b', m.target], 'Read btrfs usage'),
    // exit 64 just means some counter is nonzero
    run(['--format', 'json', 'device', 'stats', m.target], 'Read btrfs error counters', [0, 64]),
    run(['scrub', 'status', '-R', m.target], 'Read btrfs scrub status', [0, 1, 2]),
  ]);
  const fs = parseBtrfsShow(show).find((f) => f.uuid === m.uuid) ?? parseBtrfsShow(show)[0];
  if (!fs) throw new AppError('INTERNAL', `btrfs reported no filesystem at ${m.target}`);
  const use = parseBtrfsUsage(usage);
  const counters = parseBtrfsDeviceStats(JSON.parse(stats));
  const sc = parseBtrfsScrubStatus(scrub, { totalBytes: use.usedBytes });
  const errorsOf = (path: string | null) =>
    counters
      .filter((c) => c.device === path)
      .reduce((n, c) => n + c.writeIoErrs + c.readIoErrs + c.flushIoErrs + c.corruptionErrs + c.generationErrs, 0);
  const health = healthFromBtrfs({
    show: fs,
    profiles: [use.dataProfile, use.metadataProfile],
    scrub: sc,
    deviceStats: counters,
  });
  return {
    id: fs.uuid,
    name: fs.label ?? basename(m.target),
    kind: 'btrfs',
    raidLevel: use.dataProfile.toLowerCase(),
    state: health.state,
    rawState: health.rawState,
    sizeBytes: use.deviceSizeBytes,
    usedBytes: use.usedBytes,
    devices: fs.devices.map((d) => ({
      name: d.missing || !d.path ? `devid ${d.devid} (missing)` : d.path,
      state: d.missing ? ('failed' as const) : errorsOf(d.path) > 0 ? ('degraded' as const) : ('healthy' as const),
    })),
    scrub: {
      state: sc.state,
      progress:
        sc.state === 'finished'
          ? 1
          : (sc.progress ?? (use.usedBytes ? Math.min(1, sc.bytesScrubbed / use.usedBytes) : 0)),
      errorsCorrected: sc.errorsCorrected,
      errorsUncorrectable: sc.errorsUncorrectable,
    },
    mountPoint: m.target,
  } as Pool & { mountPoint: string };
}

async function zfsPools(sh: Shell): Promise<Pool[]> {
  if (!(await sh.has('zpool'))) return [];
  const [list, status] = await Promise.all([
    sh.out(['zpool', 'list', '-Hp', '-o', 'name,size,alloc,free,health'], { description: 'List ZFS pools' }),
    sh.out(['zpool', 'status'], { description: 'Read ZFS pool status' }),
  ]);
  const details = parseZpoolStatus(status);
  return parseZpoolList(list).map((p) => {
    const d = details.find((x) => x.name === p.name);
    const health = healthFromZpool(d?.state ?? p.health, d?.scan ?? null);
    const top = d?.vdevs ?? [];
    return {
      id: p.name,
      name: p.name,
      kind: 'zfs' as const,
      raidLevel: top.map((v) => v.kind).filter((k) => k !== 'disk')[0] ?? (top.length > 1 ? 'stripe' : 'single'),
      state: health.state,
      rawState: health.rawState,
      sizeBytes: p.sizeBytes,
      usedBytes: p.allocatedBytes,
      devices: top
        .flatMap((v) => (v.children.length ? v.children : [v]))
        .map((v) => ({ name: v.name, state: healthFromZpool(v.state, null).state })),
      ...(d?.scan && d.scan.kind !== 'none'
        ? {
            scrub: {
              state: d.scan.state,
              progress: d.scan.progress ?? 0,
              errorsCorrected: d.scan.errorsRepaired ?? 0,
              errorsUncorrectable: d.scan.errors ?? 0,
            },
          }
        : {}),
    };
  });
}

async function mdPools(sh: Shell): Promise<Pool[]> {
  if (!(await sh.has('mdstat'))) return [];
  const text = await sh.out(['cat', '/proc/mdstat'], { description: 'Read md RAID status' });
  return parseMdstat(text).map((md) => {
    const health = healthFromMd(md);
    return {
      id: md.name,
      name: md.name,
      kind: 'md' as const,
      raidLevel: md.level,
      state: health.state,
      rawState: health.rawState,
      sizeBytes: 0,
      usedBytes: 0,
      devices: md.devices.map((d) => ({ name: d.name, state: d.faulty ? ('failed' as const) : ('healthy' as const) })),
    };
  });
}

/** LVM volume groups, from one JSON report (`lvm fullreport`): size, free space, member PVs. */
async function lvmPools(sh: Shell): Promise<Pool[]> {
  if (!(await sh.has('lvs'))) return [];
  // The raw text: some lvm2 versions print trailing commas, which the parser accepts.
  const report = parseLvmReport(
    await sh.out(['lvm', 'fullreport', '--reportformat', 'json', '--units', 'b', '--nosuffix'], {
      description: 'Read LVM volume groups',
      sudo: true,
    }),
  );

  return report.vgs.map((vg) => {
    // vg_attr's 4th character is "p" when a physical volume is missing (a partial VG).
    const partial = (vg.fields.vg_attr ?? '').charAt(3) === 'p';
    const size = vg.sizeBytes ?? 0;
    return {
      id: vg.name,
      name: vg.name,
      kind: 'lvm' as const,
      raidLevel: 'lvm',
      state: partial ? ('degraded' as const) : ('healthy' as const),
      rawState: vg.fields.vg_attr ?? '',
      sizeBytes: size,
      usedBytes: Math.max(0, size - (vg.freeBytes ?? 0)),
      devices: report.pvs
        .filter((pv) => pv.vgName === vg.name)
        .map((pv) => ({ name: pv.name, state: 'healthy' as const })),
    };
  });
}

export async function pools(sh: Shell): Promise<Array<Pool & { mountPoint?: string }>> {
  const mounts = await btrfsMounts(sh);
  const parts = await Promise.all([
    Promise.all(mounts.map((m) => btrfsPool(sh, m))),
    zfsPools(sh),
    mdPools(sh),
    lvmPools(sh),
  ]);
  return parts.flat();
}

/** A pool by id, name or mount point. */
export async function findPool(sh: Shell, ref: string): Promise<Pool & { mountPoint?: string }> {
  const all = await pools(sh);
  const pool = all.find((p) => p.id === ref || p.name === ref || p.mountPoint === ref);
  if (!pool)
    throw new AppError('NOT_FOUND', `No pool "${ref}". Pools: ${all.map((p) => p.name).join(', ') || 'none'}.`);
  return pool;
}

export async function scrub(sh: Shell, ref: string, ctx: JobContext): Promise<Pool> {
  const pool = await findPool(sh, ref);
  if (pool.kind === 'zfs') {
    await sh.out(['zpool', 'scrub', pool.name], {
      description: `Start a scrub of ${pool.name}`,
      sudo: true,
      mutates: true,
    });
  } else if (pool.kind === 'btrfs' && pool.mountPoint) {
    await sh.out(['btrfs', 'scrub', 'start', pool.mountPoint], {
      description: `Start a scrub of ${pool.name}`,
      sudo: true,
      mutates: true,
    });
  } else {
    throw new AppError('NOT_SUPPORTED', `Scrubbing ${pool.kind} pools is not supported.`);
  }
  if (!sh.live) return pool;
  const cancel = () =>
    pool.kind === 'zfs'
      ? sh.run(['zpool', 'scrub', '-s', pool.name], { description: 'Stop the scrub', sudo: true, mutates: true })
      : sh.run(['btrfs', 'scrub', 'cancel', pool.mountPoint!], {
          description: 'Stop the scrub',
          sudo: true,
          mutates: true,
        });
  const started = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    if (ctx.signal.aborted) {
      await cancel();
      throw new AppError('CANCELLED', 'Scrub cancelled');
    }
    const now = await findPool(sh, pool.id);
    const s = now.scrub;
    ctx.progress(
      s?.progress ?? null,
      s
        ? `${Math.round((s.progress ?? 0) * 100)}% · ${s.errorsCorrected} corrected · ${s.errorsUncorrectable} uncorrectable`
        : 'scrubbing',
    );
    // Right after start, btrfs may say "no stats available" (read as never) for a moment.
    const starting = s?.state === 'never' && Date.now() - started < 15_000;
    if (!starting && (!s || !['running', 'scrubbing'].includes(s.state))) return now;
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots (btrfs): <pool>/.snapshots/<subvolume>@<name>, read-only.

interface Located {
  mountPoint: string;
  subvolume: string;
}

/** The pool and subvolume a share or dataset name refers to. */
async function locate(sh: Shell, of: string): Promise<Located> {
  const shareLike = of.replace(/^\/+|\/+$/g, '');
  for (const m of await btrfsMounts(sh)) {
    const subs = parseBtrfsSubvolumes(
      await sh.out(['btrfs', 'subvolume', 'list', '-o', m.target], { description: 'List subvolumes', sudo: true }),
    );
    const direct = subs.find((s) => s.path === shareLike || `${m.target}/${s.path}` === of);
    if (direct) return { mountPoint: m.target, subvolume: direct.path };
  }
  throw new AppError('NOT_FOUND', `No btrfs subvolume "${of}" to snapshot.`, { of });
}

// ZFS: snapshots are dataset@name; `of` must be an existing dataset (so it is never an option).

async function zfsDataset(sh: Shell, of: string): Promise<string | null> {
  if (!(await sh.has('zfs'))) return null;
  const rows = parseZfsList(
    await sh.out(['zfs', 'list', '-Hp', '-o', 'name,used,avail,refer,mountpoint,type', '-t', 'filesystem,volume'], {
      description: 'List ZFS datasets',
    }),
  );
  return rows.some((r) => r.kind === 'dataset' && r.name === of) ? of : null;
}

async function zfsSnapshots(sh: Shell, of?: string): Promise<Snapshot[]> {
  if (!(await sh.has('zfs'))) return [];
  const rows = parseZfsList(
    await sh.out(['zfs', 'list', '-Hp', '-t', 'snapshot', '-o', 'name,used,creation'], {
      description: 'List ZFS snapshots',
    }),
  );
  return rows.flatMap((r) =>
    r.kind === 'snapshot' && (!of || r.of === of)
      ? [{ name: r.snapshot, of: r.of, createdAt: r.createdAt, sizeBytes: r.usedBytes }]
      : [],
  );
}

export async function snapshots(sh: Shell, of?: string): Promise<Snapshot[]> {
  const out: Snapshot[] = await zfsSnapshots(sh, of);
  for (const m of await btrfsMounts(sh)) {
    const text = await sh.out(['btrfs', 'subvolume', 'list', '-s', m.target], {
      description: 'List snapshots',
      sudo: true,
    });
    for (const s of parseBtrfsSubvolumes(text)) {
      const match = new RegExp(`^${SNAPSHOT_DIR}/(.+)@([^/@]+)$`).exec(s.path);
      if (!match || (of && match[1] !== of.replace(/^\/+|\/+$/g, ''))) continue;
      out.push({ name: match[2]!, of: match[1]!, createdAt: s.createdAt ?? '' });
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

const snapPath = (l: Located, name: string) => `${l.mountPoint}/${SNAPSHOT_DIR}/${l.subvolume}@${name}`;

export async function createSnapshot(sh: Shell, of: string, name: string): Promise<Snapshot> {
  const ds = await zfsDataset(sh, of);
  if (ds) {
    if ((await zfsSnapshots(sh, ds)).some((s) => s.name === name))
      throw new AppError('CONFLICT', `Snapshot ${ds}@${name} already exists.`);
    await sh.out(['zfs', 'snapshot', `${ds}@${name}`], {
      description: `Take a snapshot of ${ds} named ${name}`,
      sudo: true,
      mutates: true,
    });
    return { name, of: ds, createdAt: new Date().toISOString() };
  }
  const l = await locate(sh, of);
  if ((await snapshots(sh, l.subvolume)).some((s) => s.name === name))
    throw new AppError('CONFLICT', `Snapshot ${l.subvolume}@${name} already exists.`);
  await sh.out(['mkdir', '-p', '--', `${l.mountPoint}/${SNAPSHOT_DIR}`], {
    description: 'Make sure the snapshot folder exists',
    sudo: true,
    mutates: true,
  });
  await sh.out(['btrfs', 'subvolume', 'snapshot', '-r', '--', `${l.mountPoint}/${l.subvolume}`, snapPath(l, name)], {
    description: `Take a read-only snapshot of ${l.subvolume} named ${name}`,
    sudo: true,
    mutates: true,
  });
  return { name, of: l.subvolume, createdAt: new Date().toISOString() };
}

export async function deleteSnapshot(sh: Shell, of: string, name: string): Promise<void> {
  const ds = await zfsDataset(sh, of);
  if (ds) {
    if (!(await zfsSnapshots(sh, ds)).some((s) => s.name === name))
      throw new AppError('NOT_FOUND', `No snapshot ${ds}@${name}.`);
    await sh.out(['zfs', 'destroy', `${ds}@${name}`], {
      description: `Delete snapshot ${ds}@${name}`,
      sudo: true,
      mutates: true,
    });
    return;
  }
  const l = await locate(sh, of);
  if (!(await snapshots(sh, l.subvolume)).some((s) => s.name === name))
    throw new AppError('NOT_FOUND', `No snapshot ${l.subvolume}@${name}.`);
  await sh.out(['btrfs', 'subvolume', 'delete', '--', snapPath(l, name)], {
    description: `Delete snapshot ${l.subvolume}@${name}`,
    sudo: true,
    mutates: true,
  });
}

/** Swaps the live subvolume for a writable copy of the snapshot; the replaced state is kept as a
 * read-only snapshot (before-rollback-…), so a rollback can itself be undone. */
export async function rollbackSnapshot(
  sh: Shell,
  of: string,
  name: string,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<void> {
  const ds = await zfsDataset(sh, of);
  if (ds) {
    const all = (await zfsSnapshots(sh, ds)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const at = all.findIndex((s) => s.name === name);
    if (at < 0) throw new AppError('NOT_FOUND', `No snapshot ${ds}@${name}.`);
    // ZFS rolls back only to the latest snapshot; `-r` would destroy the newer ones silently.
    const newer = all.slice(at + 1).map((s) => s.name);
    if (newer.length) {
      throw new AppError(
        'CONFLICT',
        `Newer snapshots of ${ds} exist (${newer.join(', ')}); delete them first to roll back to ${name}.`,
      );
    }
    await sh.out(['zfs', 'rollback', `${ds}@${name}`], {
      description: `Roll ${ds} back to ${name}`,
      sudo: true,
      mutates: true,
    });
    return;
  }
  const l = await locate(sh, of);
  if (!(await snapshots(sh, l.subvolume)).some((s) => s.name === name))
    throw new AppError('NOT_FOUND', `No snapshot ${l.subvolume}@${name}.`);
  const live = `${l.mountPoint}/${l.subvolume}`;
  const staged = `${live}.nasdeck-rollback`;
  const old = `${live}.nasdeck-old`;
  const keepName = `before-rollback-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const step = (argv: [string, ...string[]], description: string) =>
    sh.out(argv, { description, sudo: true, mutates: true });
  await step(
    ['btrfs', 'subvolume', 'snapshot', '-r', '--', live, snapPath(l, keepName)],
    `Keep the current ${l.subvolume} as snapshot ${keepName}`,
  );
  onUndo(() => step(['btrfs', 'subvolume', 'delete', '--', snapPath(l, keepName)], 'Undo: remove that snapshot'));
  await step(['btrfs', 'subvolume', 'snapshot', '--', snapPath(l, name), staged], `Make a writable copy of ${name}`);
  onUndo(() => step(['btrfs', 'subvolume', 'delete', '--', staged], 'Undo: remove the copy'));
  await step(['mv', '-T', '--', live, old], `Move the current ${l.subvolume} aside`);
  onUndo(() => step(['mv', '-T', '--', old, live], `Undo: put ${l.subvolume} back`));
  await step(['mv', '-T', '--', staged, live], `Put the copy of ${name} in place of ${l.subvolume}`);
  // The old content lives on in the read-only snapshot taken first.
  await sh.run(['btrfs', 'subvolume', 'delete', '--', old], {
    description: 'Remove the moved-aside subvolume',
    sudo: true,
    mutates: true,
  });
}
