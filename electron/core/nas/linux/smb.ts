// SMB shares through Samba's registry (`net conf`): Nasdeck adds and removes registry shares
// only. Shares defined in smb.conf are listed read-only, never rewritten. If the registry is not
// included, a registry share would never be served: that is said, with the fix, before anything changes.
import type { Share } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { ShareChange, ShareSpec } from '../adapter';
import { parseNetConfList, registryActive, sambaSharesFromTestparm, toShare } from './parsers/samba';
import type { Argv } from '../../remote/quote';
import type { Shell } from './shell';

export const REGISTRY_FIX =
  'Add "include = registry" to the [global] section of /etc/samba/smb.conf (then `smbcontrol smbd reload-config`), so shares made by Nasdeck are served.';

export async function smbShares(sh: Shell): Promise<Share[]> {
  if (!(await sh.has('net')) || !(await sh.has('testparm'))) return [];
  const [registry, testparm] = await Promise.all([
    sh.out(['net', 'conf', 'list'], { description: 'List Samba registry shares', sudo: true }),
    sh.out(['testparm', '-s'], { description: 'Read the Samba configuration', sudo: true }),
  ]);
  const managed = parseNetConfList(registry).filter((s) => s.name.toLowerCase() !== 'global');
  const names = new Set(managed.map((s) => s.name.toLowerCase()));
  const fromConf = sambaSharesFromTestparm(testparm).filter(
    (s) =>
      !names.has(s.name.toLowerCase()) && !['global', 'printers', 'print$', 'homes'].includes(s.name.toLowerCase()),
  );
  return [...managed.map((s) => toShare(s, 'registry')), ...fromConf.map((s) => toShare(s, 'smb.conf'))];
}

export async function smbRegistryActive(sh: Shell): Promise<boolean> {
  if (!(await sh.has('testparm'))) return false;
  return registryActive(await sh.out(['testparm', '-s'], { description: 'Read the Samba configuration', sudo: true }));
}

export async function addSmbShare(
  sh: Shell,
  spec: ShareSpec,
  path: string,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<void> {
  if (!(await smbRegistryActive(sh)))
    throw new AppError('NOT_SUPPORTED', 'Samba registry shares are not enabled on this NAS.', { fix: REGISTRY_FIX });
  await sh.out(
    ['net', 'conf', 'addshare', spec.name, path, spec.readOnly ? 'writeable=n' : 'writeable=y', 'guest_ok=n'],
    {
      description: `Add SMB share ${spec.name} for ${path}`,
      sudo: true,
      mutates: true,
    },
  );
  onUndo(() =>
    sh.run(['net', 'conf', 'delshare', spec.name], {
      description: 'Undo: remove the share',
      sudo: true,
      mutates: true,
    }),
  );
  if (spec.users.length) {
    await sh.out(['net', 'conf', 'setparm', spec.name, 'valid users', spec.users.join(' ')], {
      description: `Allow only ${spec.users.join(', ')}`,
      sudo: true,
      mutates: true,
    });
  }
}

const SMB_CONF_FIX =
  'Edit it in /etc/samba/smb.conf by hand, or remove it there and recreate it with Nasdeck as a registry share.';

/** Sets one registry parameter, or removes it when `value` is null. */
function setSmbParam(sh: Shell, share: string, key: string, value: string | null, description: string) {
  const argv: Argv =
    value === null ? ['net', 'conf', 'delparm', share, key] : ['net', 'conf', 'setparm', share, key, value];
  return sh.out(argv, { description, sudo: true, mutates: true });
}

/**
 * Changes a registry share's "read only", "valid users" and "hosts allow" (an empty list removes the
 * parameter: everyone may connect). Only what differs is written; each step's undo restores the old value.
 */
export async function updateSmbShare(
  sh: Shell,
  share: Share,
  change: ShareChange,
  onUndo: (u: () => Promise<unknown>) => void,
): Promise<Share> {
  if (share.managed === false) {
    throw new AppError(
      'NOT_SUPPORTED',
      `SMB share ${share.name} is defined in smb.conf; Nasdeck does not edit that file.`,
      { fix: SMB_CONF_FIX },
    );
  }
  const lists: Array<['users' | 'clients', string, string]> = [
    ['users', 'valid users', 'Allow only'],
    ['clients', 'hosts allow', 'Accept connections only from'],
  ];
  if (change.readOnly !== undefined && change.readOnly !== share.readOnly) {
    const yesNo = (ro: boolean) => (ro ? 'yes' : 'no');
    await setSmbParam(
      sh,
      share.name,
      'read only',
      yesNo(change.readOnly),
      `Make SMB share ${share.name} ${change.readOnly ? 'read-only' : 'read-write'}`,
    );
    onUndo(() => setSmbParam(sh, share.name, 'read only', yesNo(share.readOnly), 'Undo: restore "read only"'));
  }
  for (const [field, key, verb] of lists) {
    const next = change[field];
    const before = share[field];
    if (next === undefined || next.join(' ') === before.join(' ')) continue;
    if (next.length === 0 && before.length === 0) continue;
    await setSmbParam(
      sh,
      share.name,
      key,
      next.length ? next.join(' ') : null,
      next.length ? `${verb} ${next.join(', ')}` : `Remove "${key}" from SMB share ${share.name}`,
    );
    onUndo(() => setSmbParam(sh, share.name, key, before.length ? before.join(' ') : null, `Undo: restore "${key}"`));
  }
  return {
    ...share,
    readOnly: change.readOnly ?? share.readOnly,
    users: change.users ?? share.users,
    clients: change.clients ?? share.clients,
  };
}

export async function deleteSmbShare(sh: Shell, share: Share): Promise<void> {
  if (share.managed === false) {
    throw new AppError(
      'NOT_SUPPORTED',
      `SMB share ${share.name} is defined in smb.conf; Nasdeck does not edit that file.`,
      {
        fix: 'Remove it from /etc/samba/smb.conf by hand, or recreate it as a registry share.',
      },
    );
  }
  await sh.out(['net', 'conf', 'delshare', share.name], {
    description: `Remove SMB share ${share.name} (the data stays)`,
    sudo: true,
    mutates: true,
  });
}

/** `smbpasswd -a -s`: the password twice on stdin (after sudo's own line), never in argv. */
export async function setSmbPassword(sh: Shell, user: string, password: string): Promise<void> {
  if (/[\r\n]/.test(password)) throw new AppError('INVALID_INPUT', 'Passwords may not contain line breaks.');
  const exists = await sh.run(['id', '-u', '--', user], { description: `Check that ${user} exists on the NAS` });
  if (exists.code !== 0) {
    throw new AppError('NOT_FOUND', `There is no user ${user} on the NAS; SMB users must be system users first.`, {
      fix: `Create it on the NAS (useradd ${user}).`,
    });
  }
  await sh.out(['smbpasswd', '-a', '-s', '--', user], {
    description: `Set the SMB password of ${user}`,
    sudo: true,
    mutates: true,
    stdin: `${password}\n${password}\n`,
    secrets: [password],
  });
}
