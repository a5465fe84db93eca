// The NasAdapter contract every vendor implements (Linux over SSH now; TrueNAS, Synology and
// QNAP APIs later). Reads return the shared domain shapes with one health vocabulary; every
// mutation goes through a Runner, so a dry run plans it instead of doing it.
import type {
  Alert,
  Capabilities,
  Disk,
  IscsiTarget,
  Pool,
  Share,
  Snapshot,
  SystemInfo,
  Vendor,
} from '../../../shared/domain';
import type { JobContext } from '../jobs/jobs';

export interface ShareSpec {
  protocol: 'smb' | 'nfs';
  name: string;
  path?: string;
  pool?: string;
  readOnly: boolean;
  users: string[];
  clients: string[];
}

/** What `updateShare` changes; fields left out keep their current value. */
export interface ShareChange {
  readOnly?: boolean;
  users?: string[];
  clients?: string[];
}

export interface IscsiSpec {
  name: string;
  sizeBytes: number;
  chapUser?: string;
  chapSecret?: string;
  initiators: string[];
}

export interface NasAdapter {
  readonly vendor: Vendor;
  capabilities(): Promise<Capabilities>;
  systemInfo(): Promise<SystemInfo>;
  pools(): Promise<Pool[]>;
  disks(): Promise<Disk[]>;
  shares(): Promise<Share[]>;
  snapshots(of?: string): Promise<Snapshot[]>;
  iscsiTargets(): Promise<IscsiTarget[]>;
  alerts(pools: Pool[], disks: Disk[]): Promise<Alert[]>;

  /** Runs until the scrub ends, reporting progress; cancelling stops the scrub. */
  scrub(pool: string, ctx: JobContext): Promise<Pool>;
  createShare(spec: ShareSpec): Promise<Share>;
  /** Sets (or creates) the SMB password of an existing NAS user. */
  setSmbPassword(user: string, password: string): Promise<void>;
  /** Changes the access rules of a share Nasdeck manages; protocol picks one when a name has both. */
  updateShare(name: string, protocol: 'smb' | 'nfs' | undefined, change: ShareChange): Promise<Share>;
  deleteShare(name: string, protocol?: 'smb' | 'nfs'): Promise<void>;
  createSnapshot(of: string, name: string): Promise<Snapshot>;
  deleteSnapshot(of: string, name: string): Promise<void>;
  rollbackSnapshot(of: string, name: string): Promise<void>;
  createIscsiTarget(spec: IscsiSpec): Promise<IscsiTarget>;
  deleteIscsiTarget(target: string): Promise<void>;
}

/** Multi-step changes: each step's undo runs, newest first, when a later step fails. */
export async function withRollback<T>(
  body: (onUndo: (undo: () => Promise<unknown>) => void) => Promise<T>,
): Promise<T> {
  const undos: Array<() => Promise<unknown>> = [];
  try {
    return await body((undo) => undos.push(undo));
  } catch (err) {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
    throw err;
  }
}

/** Disk alerts every vendor raises the same way: SMART state and temperature (55 °C unless the NAS says). */
export function diskAlerts(disks: Disk[], warnAtC = 55): Alert[] {
  const alerts: Alert[] = [];
  for (const d of disks) {
    const source = `disk ${d.name}`;
    if (d.smart === 'failing')
      alerts.push({ level: 'critical', source, message: `Disk ${d.name} (${d.model}) reports SMART failure.` });
    else if (d.smart === 'warning')
      alerts.push({ level: 'warning', source, message: `Disk ${d.name} (${d.model}) shows SMART warnings.` });
    if (d.temperatureC !== null && d.temperatureC >= warnAtC)
      alerts.push({ level: 'warning', source, message: `Disk ${d.name} is at ${d.temperatureC} °C.` });
  }
  return alerts;
}
