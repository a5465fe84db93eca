// macOS has no built-in iSCSI initiator (client-commands §2.4). We look for a third-party one so
// the message can name it, and otherwise explain and point to SMB/NFS, which macOS mounts natively.
import { access } from 'node:fs/promises';
import type { InitiatorSession, InitiatorTarget } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { InitiatorBackend, Step } from './backend';

/** Where the known initiators install themselves (◐: vendor install locations, not re-verified). */
export const THIRD_PARTY_INITIATORS: ReadonlyArray<{ name: string; paths: string[] }> = [
  {
    name: 'iSCSIInitiator (iscsi-osx, open source)',
    paths: ['/usr/local/bin/iscsictl', '/Library/Extensions/iSCSIInitiator.kext'],
  },
  {
    name: 'ATTO Xtend SAN',
    paths: ['/Applications/ATTO Xtend SAN iSCSI Initiator.app', '/Library/Extensions/ATTOiSCSI.kext'],
  },
  { name: 'globalSAN', paths: ['/Library/PreferencePanes/globalSAN.prefPane', '/Applications/globalSAN.app'] },
  { name: 'KernSafe iSCSI Initiator', paths: ['/Applications/KernSafe iSCSI Initiator.app'] },
];

export type PathExists = (path: string) => Promise<boolean>;

export const realPathExists: PathExists = (path) =>
  access(path).then(
    () => true,
    () => false,
  );

export class MacosInitiator implements InitiatorBackend {
  readonly os = 'macos' as const;

  constructor(private readonly exists: PathExists = realPathExists) {}

  /** The installed third-party initiators, by name. */
  async detect(): Promise<string[]> {
    const found: string[] = [];
    for (const { name, paths } of THIRD_PARTY_INITIATORS) {
      for (const path of paths) {
        if (await this.exists(path)) {
          found.push(name);
          break;
        }
      }
    }
    return found;
  }

  private async unsupported(): Promise<AppError> {
    return this.explain(await this.detect());
  }

  private explain(found: string[]): AppError {
    const smbNfs =
      'Share the same data over SMB or NFS instead (`nasdeck mount add smb://nas/share`): macOS mounts those natively.';
    if (found.length > 0) {
      return new AppError(
        'NOT_SUPPORTED',
        `macOS has no built-in iSCSI initiator. ${found.join(', ')} is installed; connect through its own app — Nasdeck does not drive third-party initiators.`,
        { found, fix: smbNfs },
      );
    }
    return new AppError(
      'NOT_SUPPORTED',
      'macOS has no built-in iSCSI initiator, and no third-party one (ATTO Xtend SAN, globalSAN, iscsi-osx) is installed.',
      {
        found,
        fix: `${smbNfs} For block storage, install a third-party initiator (on Apple silicon its kernel extension needs Reduced Security).`,
      },
    );
  }

  async discover(): Promise<InitiatorTarget[]> {
    throw await this.unsupported();
  }
  /** A plan for macOS has no steps to show: the explanation is the answer. */
  planConnect(): Step[] {
    throw this.explain([]);
  }
  async connect(): Promise<InitiatorSession> {
    throw await this.unsupported();
  }
  planDisconnect(): Step[] {
    throw this.explain([]);
  }
  async disconnect(): Promise<InitiatorSession[]> {
    throw await this.unsupported();
  }
  /** Nothing can be connected without an initiator: an empty list, not an error, so screens render. */
  async list(): Promise<InitiatorSession[]> {
    return [];
  }
}
