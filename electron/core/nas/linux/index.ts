// The Linux adapter: a plain Linux NAS (Debian/Ubuntu, OpenMediaVault, Unraid…) over SSH.
// It detects what the host has and manages it with the host's own tools.
import type {
  Alert,
  Capabilities,
  Disk,
  IscsiTarget,
  Pool,
  Share,
  Snapshot,
  SystemInfo,
} from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/jobs';
import type { Runner } from '../../remote/runner';
import {
  diskAlerts,
  withRollback,
  type IscsiSpec,
  type NasAdapter,
  type ShareChange,
  type ShareSpec,
} from '../adapter';
import { createLioTarget, createTgtTarget, deleteLioTarget, deleteTgtTarget, iscsiTargets, targetIqn } from './iscsi';
import { addNfsExport, deleteNfsExport, nfsBackend, nfsShares, updateNfsExport } from './nfs';
import { parseLsblk, parseSmartctl, toDisk } from './parsers/disks';
import { Shell, type Tool } from './shell';
import {
  addSmbShare,
  deleteSmbShare,
  REGISTRY_FIX,
  setSmbPassword,
  smbRegistryActive,
  smbShares,
  updateSmbShare,
} from './smb';
import * as storage from './storage';

// Constant: prints hostname, kernel, uptime, OS name and the board's product name, one per line.
const SYSTEM_SCRIPT =
  'hostname; uname -r; cut -d" " -f1 /proc/uptime; (. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-Linux}"); cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null || echo';

export class LinuxAdapter implements NasAdapter {
  readonly vendor = 'linux' as const;
  readonly sh: Shell;

  constructor(runner: Runner, tools?: Promise<Set<Tool>>) {
    this.sh = new Shell(runner, tools);
  }

  async capabilities(): Promise<Capabilities> {
    const t = await this.sh.tools();
    const notes: string[] = [];
    const smb = t.has('net') && t.has('testparm');
    const registry = smb && (await smbRegistryActive(this.sh));
    if (smb && !registry) notes.push(`Samba registry shares are off. ${REGISTRY_FIX}`);
    if (!smb) notes.push('No Samba tools (net, testparm): install samba to manage SMB shares.');
    const nfs = (await nfsBackend(this.sh)) !== null;
    if (!nfs) notes.push('No NFS server: install nfs-kernel-server or nfs-ganesha to manage NFS exports.');
    const iscsi = t.has('tgtadm');
    if (!iscsi)
      notes.push(
        t.has('targetcli')
          ? 'LIO targets are listed; creating targets needs tgt.'
          : 'No iSCSI target software: install tgt.',
      );
    if (!t.has('smartctl')) notes.push('smartctl is missing: install smartmontools for disk health.');
    return {
      pools: t.has('btrfs') || t.has('zpool') || t.has('mdstat'),
      scrub: t.has('btrfs') || t.has('zpool'),
      snapshots: t.has('btrfs'),
      smbShares: registry,
      nfsShares: nfs,
      iscsi,
      disks: t.has('lsblk'),
      smart: t.has('smartctl'),
      notes,
    };
  }

  async systemInfo(): Promise<SystemInfo> {
    const lines = (await this.sh.out(['sh', '-c', SYSTEM_SCRIPT], { description: 'Read system information' })).split(
      '\n',
    );
    const uptime = Number(lines[2]);
    return {
      hostname: lines[0]?.trim() ?? '',
      kernel: lines[1]?.trim() || null,
      uptimeSeconds: Number.isFinite(uptime) ? Math.round(uptime) : null,
      os: lines[3]?.trim() || 'Linux',
      model: lines[4]?.trim() || null,
    };
  }

  // One request reads the pools once (disks() needs the members too); adapters live per request.
  private poolsOnce: Promise<Pool[]> | undefined;
  pools(): Promise<Pool[]> {
    this.poolsOnce ??= storage.pools(this.sh);
    return this.poolsOnce;
  }

  async disks(): Promise<Disk[]> {
    if (!(await this.sh.has('lsblk'))) return [];
    const tree = parseLsblk(
      JSON.parse(
        await this.sh.out(['lsblk', '-J', '-b', '-o', 'NAME,PATH,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,MOUNTPOINT,FSTYPE'], {
          description: 'List block devices',
        }),
      ),
    );
    // Physical disks, and loop devices that are pool members (a lab or a file-backed pool).
    const members = new Set((await this.pools()).flatMap((p) => p.devices.map((d) => d.name)));
    const disks = tree.filter(
      (d) => d.type === 'disk' || (d.type === 'loop' && d.path !== null && members.has(d.path)),
    );
    const smart = await this.sh.has('smartctl');
    return Promise.all(
      disks.map(async (d) => {
        if (!smart || d.type !== 'disk' || !d.path) return toDisk(d);
        // smartctl's exit status is a bit mask (bit 3 = failing); its JSON is still there.
        const r = await this.sh.run(['smartctl', '-j', '-a', d.path], {
          description: `Read SMART data of ${d.path}`,
          sudo: true,
        });
        try {
          return toDisk(d, parseSmartctl(JSON.parse(r.stdout)));
        } catch {
          return toDisk(d);
        }
      }),
    );
  }

  async shares(): Promise<Share[]> {
    const [smb, nfs] = await Promise.all([smbShares(this.sh), nfsShares(this.sh)]);
    return [...smb, ...nfs];
  }

  snapshots(of?: string): Promise<Snapshot[]> {
    return storage.snapshots(this.sh, of);
  }

  iscsiTargets(): Promise<IscsiTarget[]> {
    return iscsiTargets(this.sh);
  }

  async alerts(pools: Pool[], disks: Disk[]): Promise<Alert[]> {
    const alerts: Alert[] = [];
    for (const p of pools) {
      if (p.state === 'failed')
        alerts.push({
          level: 'critical',
          source: `pool ${p.name}`,
          message: `Pool ${p.name} has failed: ${p.rawState}.`,
        });
      else if (p.state === 'degraded')
        alerts.push({
          level: 'critical',
          source: `pool ${p.name}`,
          message: `Pool ${p.name} is degraded: ${p.rawState}.`,
        });
      else if (p.state === 'rebuilding')
        alerts.push({ level: 'warning', source: `pool ${p.name}`, message: `Pool ${p.name} is rebuilding.` });
      for (const d of p.devices.filter((x) => x.state === 'degraded'))
        alerts.push({
          level: 'warning',
          source: `pool ${p.name}`,
          message: `${d.name} has recorded I/O or checksum errors; scrub the pool and watch it.`,
        });
      if (p.sizeBytes > 0 && p.usedBytes / p.sizeBytes > 0.9)
        alerts.push({
          level: 'warning',
          source: `pool ${p.name}`,
          message: `Pool ${p.name} is ${Math.round((100 * p.usedBytes) / p.sizeBytes)}% full.`,
        });
    }
    alerts.push(...diskAlerts(disks));
    return alerts;
  }

  scrub(pool: string, ctx: JobContext): Promise<Pool> {
    return storage.scrub(this.sh, pool, ctx);
  }

  /** Where a new share's data goes: the given path, else a new subvolume (btrfs) or folder on the pool. */
  private async sharePath(spec: ShareSpec, onUndo: (u: () => Promise<unknown>) => void): Promise<string> {
    if (spec.path) return spec.path;
    const all = await storage.pools(this.sh);
    const pool = spec.pool
      ? all.find((p) => p.id === spec.pool || p.name === spec.pool)
      : all.find((p) => p.mountPoint);
    if (!pool?.mountPoint)
      throw new AppError(
        'INVALID_INPUT',
        spec.pool ? `No mounted pool "${spec.pool}".` : 'No mounted pool: give --path.',
      );
    const path = `${pool.mountPoint}/${spec.name}`;
    const exists = await this.sh.run(['test', '-e', path], { description: `Check ${path}` });
    if (exists.code === 0) return path; // sharing existing data: keep it
    // NFS-Ganesha cannot export a btrfs subvolume mounted inside its parent: a plain folder there.
    const subvolume = pool.kind === 'btrfs' && !(spec.protocol === 'nfs' && (await nfsBackend(this.sh)) === 'ganesha');
    await this.sh.out(subvolume ? ['btrfs', 'subvolume', 'create', path] : ['mkdir', '-p', '--', path], {
      description: `Create ${subvolume ? 'subvolume' : 'folder'} ${path}`,
      sudo: true,
      mutates: true,
    });
    onUndo(() =>
      this.sh.run(subvolume ? ['btrfs', 'subvolume', 'delete', path] : ['rmdir', '--', path], {
        description: `Undo: remove ${path}`,
        sudo: true,
        mutates: true,
      }),
    );
    if (spec.users[0]) {
      await this.sh.out(['chown', `${spec.users[0]}:`, '--', path], {
        description: `Give ${path} to ${spec.users[0]}`,
        sudo: true,
        mutates: true,
      });
    }
    return path;
  }

  async createShare(spec: ShareSpec): Promise<Share> {
    const existing = await this.shares();
    if (existing.some((s) => s.protocol === spec.protocol && s.name.toLowerCase() === spec.name.toLowerCase())) {
      throw new AppError('CONFLICT', `A ${spec.protocol.toUpperCase()} share named ${spec.name} already exists.`);
    }
    return withRollback(async (onUndo) => {
      const path = await this.sharePath(spec, onUndo);
      if (spec.protocol === 'smb') await addSmbShare(this.sh, spec, path, onUndo);
      else await addNfsExport(this.sh, spec, path, onUndo);
      return {
        name: spec.name,
        protocol: spec.protocol,
        path: spec.protocol === 'nfs' ? `/${spec.name}` : path,
        readOnly: spec.readOnly,
        users: spec.users,
        clients: spec.clients,
        managed: true,
      };
    });
  }

  setSmbPassword(user: string, password: string): Promise<void> {
    return setSmbPassword(this.sh, user, password);
  }

  /** The one share with this name (and protocol, when given). */
  private async findShare(name: string, protocol?: 'smb' | 'nfs'): Promise<Share> {
    const matches = (await this.shares()).filter((s) => s.name === name && (!protocol || s.protocol === protocol));
    if (matches.length === 0) throw new AppError('NOT_FOUND', `No share ${name}.`);
    if (matches.length > 1)
      throw new AppError('CONFLICT', `Both an SMB and an NFS share are named ${name}: say which with --protocol.`);
    return matches[0]!;
  }

  async updateShare(name: string, protocol: 'smb' | 'nfs' | undefined, change: ShareChange): Promise<Share> {
    const share = await this.findShare(name, protocol);
    return withRollback((onUndo) =>
      share.protocol === 'smb'
        ? updateSmbShare(this.sh, share, change, onUndo)
        : updateNfsExport(this.sh, share, change, onUndo),
    );
  }

  async deleteShare(name: string, protocol?: 'smb' | 'nfs'): Promise<void> {
    const share = await this.findShare(name, protocol);
    if (share.protocol === 'smb') await deleteSmbShare(this.sh, share);
    else await deleteNfsExport(this.sh, share);
  }

  createSnapshot(of: string, name: string): Promise<Snapshot> {
    return storage.createSnapshot(this.sh, of, name);
  }

  deleteSnapshot(of: string, name: string): Promise<void> {
    return storage.deleteSnapshot(this.sh, of, name);
  }

  rollbackSnapshot(of: string, name: string): Promise<void> {
    return withRollback((onUndo) => storage.rollbackSnapshot(this.sh, of, name, onUndo));
  }

  async createIscsiTarget(spec: IscsiSpec): Promise<IscsiTarget> {
    const host = (await this.systemInfo()).hostname;
    const iqn = targetIqn(host, spec.name);
    const pool = (await storage.pools(this.sh)).find((p) => p.mountPoint);
    if (!pool?.mountPoint) throw new AppError('NOT_SUPPORTED', 'No mounted pool to hold the LUN file.');
    const dir = `${pool.mountPoint}/iscsi`;
    const lunFile = `${dir}/${spec.name}.img`;
    await withRollback(async (onUndo) => {
      await this.sh.out(['mkdir', '-p', '--', dir], {
        description: `Make sure ${dir} exists`,
        sudo: true,
        mutates: true,
      });
      if (await this.sh.has('tgtadm')) await createTgtTarget(this.sh, spec, iqn, lunFile, onUndo);
      else if (await this.sh.has('targetcli')) await createLioTarget(this.sh, spec, iqn, lunFile, onUndo);
      else
        throw new AppError('NOT_SUPPORTED', 'No iSCSI target software on this NAS.', {
          fix: 'Install tgt or targetcli (LIO).',
        });
    });
    return {
      name: spec.name,
      iqn,
      luns: [{ id: 1, sizeBytes: spec.sizeBytes, backing: lunFile }],
      ...(spec.chapUser ? { chapUser: spec.chapUser } : {}),
      initiators: spec.initiators.length ? spec.initiators : ['ALL'],
    };
  }

  async deleteIscsiTarget(target: string): Promise<void> {
    const { lunFiles } = (await this.sh.has('tgtadm'))
      ? await deleteTgtTarget(this.sh, target)
      : await deleteLioTarget(this.sh, target);
    const pools = await storage.pools(this.sh);
    for (const file of lunFiles) {
      // Only LUN files Nasdeck made (in <pool>/iscsi/) are removed; other backing stores stay.
      if (pools.some((p) => p.mountPoint && file.startsWith(`${p.mountPoint}/iscsi/`))) {
        await this.sh.out(['rm', '-f', '--', file], {
          description: `Remove LUN file ${file}`,
          sudo: true,
          mutates: true,
        });
      }
    }
  }
}
