// iSCSI targets with tgt (tgtadm): a file-backed LUN, CHAP and an initiator ACL, rolled back
// step by step if any step fails. LIO (targetcli) is used where tgt is not installed.
import type { IscsiTarget } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { IscsiSpec } from '../adapter';
import { parseTargetcliConfig } from './parsers/lio';
import { parseTgtadmTargets, toIscsiTarget } from './parsers/tgt';
import type { Shell } from './shell';

const TGT = ['tgtadm', '--lld', 'iscsi'] as const;
const LIO_CONFIG = '/etc/rtslib-fb-target/saveconfig.json';

export function targetIqn(hostname: string, name: string): string {
  const host = hostname.toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'nas';
  return `iqn.2005-10.org.nasdeck:${host}.${name.toLowerCase()}`;
}

type Row = ReturnType<typeof parseTgtadmTargets>[number];

async function tgtRows(sh: Shell): Promise<Row[]> {
  return parseTgtadmTargets(
    await sh.out([...TGT, '--op', 'show', '--mode', 'target'], { description: 'List iSCSI targets', sudo: true }),
  );
}

/** tgtadm prints LUN sizes in rounded decimal MB: the backing files give the exact bytes. */
async function exactSizes(sh: Shell, targets: IscsiTarget[]): Promise<IscsiTarget[]> {
  const files = [...new Set(targets.flatMap((t) => t.luns.map((l) => l.backing)).filter((b) => b.startsWith('/')))];
  if (files.length === 0) return targets;
  const r = await sh.run(['stat', '-L', '-c', '%s %n', '--', ...files], {
    description: 'Read LUN file sizes',
    sudo: true,
  });
  const sizes = new Map(
    r.stdout
      .split('\n')
      .map((line) => /^(\d+) (.+)$/.exec(line))
      .flatMap((m) => (m ? [[m[2]!, Number(m[1])] as const] : [])),
  );
  return targets.map((t) => ({
    ...t,
    luns: t.luns.map((l) => ({ ...l, sizeBytes: sizes.get(l.backing) ?? l.sizeBytes })),
  }));
}

/** The sparse file behind a LUN, removed again if a later step fails (tgt and LIO alike). */
async function createLunFile(
  sh: Shell,
  sizeBytes: number,
  lunFile: string,
  onUndo: (u: () => Promise<unknown>) => void,
) {
  await sh.out(['truncate', '-s', String(sizeBytes), '--', lunFile], {
    description: `Create a ${sizeBytes}-byte LUN file ${lunFile}`,
    sudo: true,
    mutates: true,
  });
  onUndo(() =>
    sh.run(['rm', '-f', '--', lunFile], { description: 'Undo: remove the LUN file', sudo: true, mutates: true }),
  );
}

async function lioRows(sh: Shell) {
  const r = await sh.run(['cat', '--', LIO_CONFIG], { description: 'Read the LIO configuration', sudo: true });
  return r.code === 0 && r.stdout.trim() ? parseTargetcliConfig(JSON.parse(r.stdout)) : [];
}

export async function iscsiTargets(sh: Shell): Promise<IscsiTarget[]> {
  if (await sh.has('tgtadm')) return exactSizes(sh, (await tgtRows(sh)).map(toIscsiTarget));
  if (await sh.has('targetcli')) return exactSizes(sh, (await lioRows(sh)).map(toIscsiTarget));
  return [];
}

/** LIO through targetcli: a fileio backstore, the target, its LUN, ACLs with CHAP, then saveconfig. */
export async function createLioTarget(
  sh: Shell,
  spec: IscsiSpec,
  iqn: string,
  lunFile: string,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<void> {
  if ((await lioRows(sh)).some((t) => t.iqn === iqn))
    throw new AppError('CONFLICT', `iSCSI target ${iqn} already exists.`);
  const tc = (args: string[], description: string, secrets?: string[]) =>
    sh.out(['targetcli', ...args], { description, sudo: true, mutates: true, ...(secrets ? { secrets } : {}) });
  const tpg = `/iscsi/${iqn}/tpg1`;
  await createLunFile(sh, spec.sizeBytes, lunFile, onUndo);
  await tc(
    ['/backstores/fileio', 'create', `name=${spec.name}`, `file_or_dev=${lunFile}`],
    `Create backstore ${spec.name}`,
  );
  onUndo(() => tc(['/backstores/fileio', 'delete', spec.name], 'Undo: remove the backstore'));
  await tc(['/iscsi', 'create', iqn], `Create target ${iqn}`);
  onUndo(() => tc(['/iscsi', 'delete', iqn], 'Undo: remove the target'));
  await tc([`${tpg}/luns`, 'create', `/backstores/fileio/${spec.name}`], 'Attach the LUN');
  // LIO's CHAP secret, like tgt's, only goes in argv; it stays on the NAS and plans show ***.
  const chap = spec.chapUser && spec.chapSecret ? [`userid=${spec.chapUser}`, `password=${spec.chapSecret}`] : null;
  if (spec.initiators.length) {
    for (const initiator of spec.initiators) {
      await tc([`${tpg}/acls`, 'create', initiator], `Allow initiator ${initiator}`);
      if (chap)
        await tc([`${tpg}/acls/${initiator}`, 'set', 'auth', ...chap], `Require CHAP from ${initiator}`, [
          spec.chapSecret!,
        ]);
    }
  } else {
    await tc([tpg, 'set', 'attribute', 'generate_node_acls=1', 'demo_mode_write_protect=0'], 'Allow any initiator');
    if (chap) await tc([tpg, 'set', 'auth', ...chap], 'Require CHAP', [spec.chapSecret!]);
  }
  if (chap) await tc([tpg, 'set', 'attribute', 'authentication=1'], 'Turn CHAP on');
  await tc(['saveconfig'], 'Save the LIO configuration');
}

export async function deleteLioTarget(sh: Shell, target: string): Promise<{ lunFiles: string[] }> {
  const row = (await lioRows(sh)).find((t) => t.iqn === target || t.iqn.split(':').pop() === target);
  if (!row) throw new AppError('NOT_FOUND', `No iSCSI target ${target}.`);
  const tc = (args: string[], description: string) =>
    sh.out(['targetcli', ...args], { description, sudo: true, mutates: true });
  await tc(['/iscsi', 'delete', row.iqn], `Remove target ${row.iqn}`);
  for (const lun of row.luns) {
    // Backstores Nasdeck made are named after their LUN file, <pool>/iscsi/<name>.img.
    const name = lun.backing ? /\/iscsi\/([^/]+)\.img$/.exec(lun.backing)?.[1] : undefined;
    if (name) await tc(['/backstores/fileio', 'delete', name], `Remove backstore ${name}`);
  }
  await tc(['saveconfig'], 'Save the LIO configuration');
  return { lunFiles: row.luns.flatMap((l) => (l.backing?.startsWith('/') ? [l.backing] : [])) };
}

export async function createTgtTarget(
  sh: Shell,
  spec: IscsiSpec,
  iqn: string,
  lunFile: string,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<void> {
  if (!(await sh.has('tgtadm'))) {
    throw new AppError('NOT_SUPPORTED', 'Creating iSCSI targets needs tgt on this NAS.', {
      fix: 'Install the tgt package (tgtd).',
    });
  }
  const rows = await tgtRows(sh);
  if (rows.some((t) => t.iqn === iqn)) throw new AppError('CONFLICT', `iSCSI target ${iqn} already exists.`);
  const tid = String(Math.max(0, ...rows.map((t) => t.tid)) + 1);
  const step = (argv: string[], description: string, secrets?: string[]) =>
    sh.out([...TGT, ...argv], { description, sudo: true, mutates: true, ...(secrets ? { secrets } : {}) });

  await createLunFile(sh, spec.sizeBytes, lunFile, onUndo);
  await step(['--op', 'new', '--mode', 'target', '--tid', tid, '-T', iqn], `Create target ${iqn}`);
  onUndo(() => step(['--op', 'delete', '--mode', 'target', '--tid', tid, '--force'], 'Undo: remove the target'));
  await step(['--op', 'new', '--mode', 'logicalunit', '--tid', tid, '--lun', '1', '-b', lunFile], 'Attach the LUN');
  if (spec.chapUser && spec.chapSecret) {
    // tgtadm takes the CHAP secret only in argv; it stays on the NAS and is shown as *** in plans and errors.
    await step(
      ['--op', 'new', '--mode', 'account', '--user', spec.chapUser, '--password', spec.chapSecret],
      `Create CHAP account ${spec.chapUser}`,
      [spec.chapSecret],
    );
    onUndo(() =>
      step(['--op', 'delete', '--mode', 'account', '--user', spec.chapUser!], 'Undo: remove the CHAP account'),
    );
    await step(
      ['--op', 'bind', '--mode', 'account', '--tid', tid, '--user', spec.chapUser],
      'Require CHAP for this target',
    );
  }
  for (const initiator of spec.initiators.length ? spec.initiators : ['ALL']) {
    const flag = initiator === 'ALL' || /^[\d.]+(\/\d+)?$/.test(initiator) ? '-I' : '-Q';
    await step(['--op', 'bind', '--mode', 'target', '--tid', tid, flag, initiator], `Allow initiator ${initiator}`);
  }
}

export async function deleteTgtTarget(sh: Shell, target: string): Promise<{ lunFiles: string[] }> {
  const row = (await tgtRows(sh)).find((t) => t.iqn === target || t.iqn.split(':').pop() === target);
  if (!row) throw new AppError('NOT_FOUND', `No iSCSI target ${target}.`);
  await sh.out([...TGT, '--op', 'delete', '--mode', 'target', '--tid', String(row.tid), '--force'], {
    description: `Remove target ${row.iqn}`,
    sudo: true,
    mutates: true,
  });
  for (const user of row.accounts) {
    await sh.run([...TGT, '--op', 'delete', '--mode', 'account', '--user', user], {
      description: `Remove CHAP account ${user}`,
      sudo: true,
      mutates: true,
    });
  }
  return { lunFiles: row.luns.flatMap((l) => (l.backing ? [l.backing] : [])) };
}
