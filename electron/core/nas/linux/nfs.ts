// NFS exports: NFS-Ganesha (Nasdeck's exports in their own included file, then a reload) or
// nfs-kernel-server (/etc/exports.d/nasdeck.exports, then exportfs -ra). Nasdeck rewrites only
// its own file, so one bad line elsewhere never breaks, and is never broken by, these exports.
import type { Share } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { ShareChange, ShareSpec } from '../adapter';
import { formatGaneshaExport, parseGaneshaExports, type GaneshaExport } from './parsers/ganesha';
import { formatExportsLine, parseExportfs, parseExportsFile } from './parsers/nfs-kernel';
import type { Shell } from './shell';

export const GANESHA_CONF = '/etc/ganesha/ganesha.conf';
export const GANESHA_MANAGED = '/etc/ganesha/nasdeck-exports.conf';
export const KERNEL_MANAGED = '/etc/exports.d/nasdeck.exports';
const INCLUDE_LINE = `%include "${GANESHA_MANAGED}"`;

type Backend = 'ganesha' | 'kernel' | null;

export async function nfsBackend(sh: Shell): Promise<Backend> {
  if (await sh.has('ganesha.nfsd')) return 'ganesha';
  if (await sh.has('exportfs')) return 'kernel';
  return null;
}

/** A file's content, or '' when it does not exist. */
async function readFileOrEmpty(sh: Shell, path: string): Promise<string> {
  const r = await sh.run(['cat', '--', path], { description: `Read ${path}`, sudo: true });
  return r.code === 0 ? r.stdout : '';
}

/** Replaces a file's content through stdin (never through argv), as root. */
function writeFile(sh: Shell, path: string, content: string, description: string) {
  return sh.out(['tee', '--', path], { description, sudo: true, stdin: content, mutates: true });
}

/** Exports in a ganesha config file; an empty or missing file has none. */
const exportsIn = (text: string): GaneshaExport[] => (text.trim() ? parseGaneshaExports(text) : []);

const ganeshaToShare = (e: GaneshaExport, managed: boolean): Share => ({
  name: (e.pseudo ?? e.path).split('/').filter(Boolean).pop() ?? String(e.exportId),
  protocol: 'nfs',
  // What clients mount: the pseudo path (NFSv4) when there is one, else the export path.
  path: e.pseudo ?? e.path,
  readOnly: !e.clients.some((c) => /rw/i.test(c.accessType)) && !/rw/i.test(e.accessType ?? ''),
  users: [],
  clients: e.clients.flatMap((c) => c.clients),
  managed,
});

export async function nfsShares(sh: Shell): Promise<Share[]> {
  const backend = await nfsBackend(sh);
  if (backend === 'ganesha') {
    const [main, managed] = await Promise.all([
      readFileOrEmpty(sh, GANESHA_CONF),
      readFileOrEmpty(sh, GANESHA_MANAGED),
    ]);
    const ours = exportsIn(managed);
    return [...exportsIn(main).map((e) => ganeshaToShare(e, false)), ...ours.map((e) => ganeshaToShare(e, true))];
  }
  if (backend === 'kernel') {
    const [active, managed] = await Promise.all([
      sh.out(['exportfs', '-v'], { description: 'List NFS exports', sudo: true }),
      readFileOrEmpty(sh, KERNEL_MANAGED),
    ]);
    const ourPaths = new Set(managed.trim() ? parseExportsFile(managed).exports.map((e) => e.path) : []);
    return parseExportfs(active).map((e) => ({
      name: e.path.split('/').filter(Boolean).pop() ?? e.path,
      protocol: 'nfs' as const,
      path: e.path,
      readOnly: e.clients.every((c) => !c.options.includes('rw')),
      users: [],
      clients: e.clients.map((c) => c.host),
      managed: ourPaths.has(e.path),
    }));
  }
  return [];
}

export async function addNfsExport(
  sh: Shell,
  spec: ShareSpec,
  path: string,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<void> {
  const backend = await nfsBackend(sh);
  const clients = spec.clients.length ? spec.clients : ['*'];
  if (backend === 'ganesha') {
    const [main, managed] = await Promise.all([
      readFileOrEmpty(sh, GANESHA_CONF),
      readFileOrEmpty(sh, GANESHA_MANAGED),
    ]);
    const existing = [...exportsIn(main), ...exportsIn(managed)];
    if (existing.some((e) => e.pseudo === `/${spec.name}`))
      throw new AppError('CONFLICT', `An NFS export /${spec.name} already exists.`);
    const exportId = Math.max(99, ...existing.map((e) => e.exportId)) + 1;
    const block = formatGaneshaExport({
      exportId,
      path,
      pseudo: `/${spec.name}`,
      accessType: 'None',
      protocols: ['3', '4'],
      squash: 'Root_Squash',
      fsal: 'VFS',
      clients: [{ clients, accessType: spec.readOnly ? 'RO' : 'RW' }],
    });
    await writeFile(
      sh,
      GANESHA_MANAGED,
      `${managed.trimEnd()}\n${block}\n`.trimStart(),
      `Add NFS export /${spec.name} to ${GANESHA_MANAGED}`,
    );
    onUndo(() => writeFile(sh, GANESHA_MANAGED, managed, 'Undo: restore the previous exports'));
    if (!main.split('\n').some((l) => l.trim() === INCLUDE_LINE)) {
      await writeFile(
        sh,
        GANESHA_CONF,
        `${main.trimEnd()}\n${INCLUDE_LINE}\n`,
        `Include ${GANESHA_MANAGED} from ${GANESHA_CONF}`,
      );
      onUndo(() => writeFile(sh, GANESHA_CONF, main, `Undo: restore ${GANESHA_CONF}`));
    }
    await reloadGanesha(sh);
    return;
  }
  if (backend === 'kernel') {
    const managed = await readFileOrEmpty(sh, KERNEL_MANAGED);
    const line = formatExportsLine(
      path,
      clients.map((host) => ({
        host,
        options: [spec.readOnly ? 'ro' : 'rw', 'sync', 'no_subtree_check', 'root_squash'],
      })),
    );
    await sh.out(['mkdir', '-p', '/etc/exports.d'], {
      description: 'Create /etc/exports.d',
      sudo: true,
      mutates: true,
    });
    await writeFile(
      sh,
      KERNEL_MANAGED,
      `${managed.trimEnd()}\n${line}\n`.trimStart(),
      `Add ${path} to ${KERNEL_MANAGED}`,
    );
    onUndo(async () => {
      await writeFile(sh, KERNEL_MANAGED, managed, 'Undo: restore the previous exports');
      await sh.run(['exportfs', '-ra'], { description: 'Undo: re-export', sudo: true, mutates: true });
    });
    await sh.out(['exportfs', '-ra'], { description: 'Re-export everything', sudo: true, mutates: true });
    return;
  }
  throw new AppError('NOT_SUPPORTED', 'No NFS server on this NAS.', {
    fix: 'Install nfs-kernel-server or nfs-ganesha.',
  });
}

export async function deleteNfsExport(sh: Shell, share: Share): Promise<void> {
  if (share.managed === false) {
    throw new AppError('NOT_SUPPORTED', `NFS export ${share.path} was not made by Nasdeck; it is left as it is.`);
  }
  const backend = await nfsBackend(sh);
  if (backend === 'ganesha') {
    const managed = await readFileOrEmpty(sh, GANESHA_MANAGED);
    const keep = exportsIn(managed).filter((e) => e.pseudo !== share.path);
    await writeFile(sh, GANESHA_MANAGED, keep.map(formatGaneshaExport).join('\n'), `Remove NFS export ${share.path}`);
    await reloadGanesha(sh);
  } else if (backend === 'kernel') {
    const managed = await readFileOrEmpty(sh, KERNEL_MANAGED);
    const lines = managed
      .split('\n')
      .filter((l) => !(l.trim().startsWith(share.path + ' ') || l.trim().startsWith(`"${share.path}"`)));
    await writeFile(sh, KERNEL_MANAGED, lines.join('\n'), `Remove ${share.path} from ${KERNEL_MANAGED}`);
    await sh.out(['exportfs', '-ra'], { description: 'Re-export everything', sudo: true, mutates: true });
  }
}

/** Swaps ro/rw in an exports(5) option list, adding one when neither is there. */
function withAccess(options: string[], readOnly: boolean): string[] {
  const rest = options.filter((o) => o !== 'ro' && o !== 'rw');
  return [readOnly ? 'ro' : 'rw', ...rest];
}

/**
 * Rewrites Nasdeck's own entry for an export with new clients and/or read-only, then reloads. Other
 * entries of the file stay byte for byte; the undo puts the old file back. An empty client list
 * means everyone, as when creating.
 */
export async function updateNfsExport(
  sh: Shell,
  share: Share,
  change: ShareChange,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<Share> {
  if (share.managed === false) {
    throw new AppError('NOT_SUPPORTED', `NFS export ${share.path} was not made by Nasdeck; it is left as it is.`, {
      fix: 'Change it where it is defined (/etc/exports or ganesha.conf), or recreate it with Nasdeck.',
    });
  }
  if (change.users !== undefined && change.users.length > 0) {
    throw new AppError('INVALID_INPUT', 'NFS exports are limited by client address, not by user.', {
      fix: 'Give clients (addresses or CIDR ranges) instead of users for an NFS share.',
    });
  }
  const readOnly = change.readOnly ?? share.readOnly;
  const clients = change.clients === undefined ? null : change.clients.length ? change.clients : ['*'];
  const backend = await nfsBackend(sh);
  if (backend === 'ganesha') {
    const managed = await readFileOrEmpty(sh, GANESHA_MANAGED);
    const all = exportsIn(managed);
    const target = all.find((e) => e.pseudo === share.path);
    if (!target) throw new AppError('NOT_FOUND', `NFS export ${share.path} is not in ${GANESHA_MANAGED}.`);
    const access = readOnly ? 'RO' : 'RW';
    const updated: GaneshaExport = {
      ...target,
      clients: clients ? [{ clients, accessType: access }] : target.clients.map((c) => ({ ...c, accessType: access })),
    };
    const next = all.map((e) => formatGaneshaExport(e === target ? updated : e)).join('\n');
    await writeFile(sh, GANESHA_MANAGED, `${next}\n`, `Change NFS export ${share.path} in ${GANESHA_MANAGED}`);
    onUndo(async () => {
      await writeFile(sh, GANESHA_MANAGED, managed, 'Undo: restore the previous exports');
      await reloadGanesha(sh);
    });
    await reloadGanesha(sh);
    return { ...share, readOnly, clients: updated.clients.flatMap((c) => c.clients) };
  }
  if (backend === 'kernel') {
    const managed = await readFileOrEmpty(sh, KERNEL_MANAGED);
    const entry = (managed.trim() ? parseExportsFile(managed).exports : []).find((e) => e.path === share.path);
    if (!entry) throw new AppError('NOT_FOUND', `NFS export ${share.path} is not in ${KERNEL_MANAGED}.`);
    const template = entry.clients[0]?.options ?? ['sync', 'no_subtree_check', 'root_squash'];
    const specs = clients
      ? clients.map((host) => ({ host, options: withAccess(template, readOnly) }))
      : entry.clients.map((c) => ({ host: c.host, options: withAccess(c.options, readOnly) }));
    const line = formatExportsLine(share.path, specs);
    const isEntry = (l: string) => l.trim().startsWith(share.path + ' ') || l.trim().startsWith(`"${share.path}"`);
    let replaced = false;
    const lines = managed.split('\n').flatMap((l) => {
      if (!isEntry(l)) return [l];
      if (replaced) return [];
      replaced = true;
      return [line];
    });
    await writeFile(sh, KERNEL_MANAGED, lines.join('\n'), `Change ${share.path} in ${KERNEL_MANAGED}`);
    onUndo(async () => {
      await writeFile(sh, KERNEL_MANAGED, managed, 'Undo: restore the previous exports');
      await sh.run(['exportfs', '-ra'], { description: 'Undo: re-export', sudo: true, mutates: true });
    });
    await sh.out(['exportfs', '-ra'], { description: 'Re-export everything', sudo: true, mutates: true });
    return { ...share, readOnly, clients: specs.map((c) => c.host) };
  }
  throw new AppError('NOT_SUPPORTED', 'No NFS server on this NAS.', {
    fix: 'Install nfs-kernel-server or nfs-ganesha.',
  });
}

function reloadGanesha(sh: Shell) {
  // SIGHUP re-reads exports (ganesha's D-Bus interface is often not there).
  return sh.out(['pkill', '-HUP', '-x', 'ganesha.nfsd'], {
    description: 'Reload NFS-Ganesha exports',
    sudo: true,
    mutates: true,
  });
}
