// NFS exports: NFS-Ganesha (Nasdeck's exports in their own included file, then a reload) or
// nfs-kernel-server (/etc/exports.d/nasdeck.exports, then exportfs -ra). Nasdeck rewrites only
// its own file, so one bad line elsewhere never breaks, and is never broken by, these exports.
import type { Share } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { ShareSpec } from '../adapter';
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

function reloadGanesha(sh: Shell) {
  // SIGHUP re-reads exports (ganesha's D-Bus interface is often not there).
  return sh.out(['pkill', '-HUP', '-x', 'ganesha.nfsd'], {
    description: 'Reload NFS-Ganesha exports',
    sudo: true,
    mutates: true,
  });
}
