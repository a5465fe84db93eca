// One health vocabulary (shared/domain.ts HealthState) from each Linux storage stack's own words.
// The tool's word is kept in `rawState`. Precedence everywhere: failed > rebuilding > degraded >
// scrubbing > healthy — a scrub on a degraded pool still reads "degraded" (lost redundancy matters more),
// while a rebuild implies degradation and says more.
import type { HealthState } from '../../../../../shared/domain';
import type { BtrfsDeviceStats, BtrfsFilesystem, BtrfsScrubStatus } from './btrfs';
import type { MdstatArray } from './mdadm';
import type { ZfsScan } from './zfs';

export interface Health {
  state: HealthState;
  rawState: string;
}

/** How many members each btrfs profile can lose and still serve all data. */
const BTRFS_TOLERANCE: Record<string, number> = {
  single: 0,
  dup: 0,
  raid0: 0,
  raid1: 1,
  raid1c3: 2,
  raid1c4: 3,
  raid10: 1,
  raid5: 1,
  raid6: 2,
};

/**
 * btrfs has no pool state of its own, so it is derived:
 * - devices missing ("MISSING" in `filesystem show`) → degraded, or failed when the data/metadata profile
 *   cannot survive that many losses (single/raid0: any; raid1: more than one…);
 * - a device replace in progress → rebuilding; a running scrub → scrubbing;
 * - uncorrectable errors in the last scrub → **degraded**, not failed. Chosen because the filesystem is
 *   still mounted and almost all data is readable; only the affected files return EIO. "failed" is kept for
 *   a pool that cannot serve data at all (as ZFS FAULTED/UNAVAIL), and data loss must never read "healthy".
 *   The rawState names the count so the UI can say which.
 * - corrected errors / nonzero device-stats counters alone stay healthy (redundancy repaired them; ZFS
 *   likewise stays ONLINE with CKSUM counts) but are named in rawState.
 */
export function healthFromBtrfs(input: {
  show: BtrfsFilesystem;
  /** e.g. "RAID1", "single+RAID1" (usage dataProfile); the least tolerant one counts. */
  profiles?: string[];
  scrub?: BtrfsScrubStatus;
  deviceStats?: BtrfsDeviceStats[];
  replaceRunning?: boolean;
}): Health {
  const { show, scrub } = input;
  const missing = Math.max(show.devices.filter((d) => d.missing).length, show.totalDevices - show.devices.length);
  const notes: string[] = [];
  if (missing > 0) notes.push(`${missing} device(s) missing`);
  const uncorrectable = scrub?.errorsUncorrectable ?? 0;
  if (uncorrectable > 0) notes.push(`${uncorrectable} uncorrectable error(s)`);
  if ((scrub?.errorsCorrected ?? 0) > 0) notes.push(`${scrub!.errorsCorrected} corrected error(s)`);
  const counters = (input.deviceStats ?? []).reduce(
    (n, d) => n + d.writeIoErrs + d.readIoErrs + d.flushIoErrs + d.corruptionErrs + d.generationErrs,
    0,
  );
  if (counters > 0) notes.push(`device error counters: ${counters}`);
  if (scrub && scrub.state === 'running') notes.push('scrub running');
  if (input.replaceRunning) notes.push('replace running');
  const rawState = notes.length ? notes.join(', ') : 'ok';

  if (missing > 0) {
    const profiles = (input.profiles ?? []).flatMap((p) => p.toLowerCase().split('+')).filter(Boolean);
    const tolerance = profiles.length ? Math.min(...profiles.map((p) => BTRFS_TOLERANCE[p] ?? 0)) : 1;
    if (missing > tolerance) return { state: 'failed', rawState };
    return { state: input.replaceRunning ? 'rebuilding' : 'degraded', rawState };
  }
  if (input.replaceRunning) return { state: 'rebuilding', rawState };
  if (uncorrectable > 0) return { state: 'degraded', rawState };
  if (scrub?.state === 'running') return { state: 'scrubbing', rawState };
  return { state: 'healthy', rawState };
}

/** ZFS: ONLINE→healthy, DEGRADED→degraded, FAULTED/UNAVAIL/SUSPENDED→failed; resilver running→rebuilding; scrub running→scrubbing. */
export function healthFromZpool(state: string, scan?: Pick<ZfsScan, 'kind' | 'state'> | null): Health {
  const s = state.trim().toUpperCase();
  const running = scan?.state === 'running' ? scan.kind : null;
  const rawState = running ? `${s} (${running} in progress)` : s;
  if (s === 'FAULTED' || s === 'UNAVAIL' || s === 'SUSPENDED' || s === 'REMOVED' || s === 'OFFLINE')
    return { state: 'failed', rawState };
  if (running === 'resilver') return { state: 'rebuilding', rawState };
  if (s === 'DEGRADED') return { state: 'degraded', rawState };
  if (s === 'ONLINE') return { state: running === 'scrub' ? 'scrubbing' : 'healthy', rawState };
  return { state: 'unknown', rawState };
}

/** A vdev or disk row of `zpool status`. */
export function healthFromZfsVdev(state: string): HealthState {
  const s = state.trim().toUpperCase();
  if (s === 'ONLINE' || s === 'AVAIL' || s === 'INUSE') return 'healthy';
  if (s === 'DEGRADED') return 'degraded';
  if (s === 'FAULTED' || s === 'UNAVAIL' || s === 'OFFLINE' || s === 'REMOVED') return 'failed';
  return 'unknown';
}

const MD_TOLERANCE: Record<string, number> = {
  raid0: 0,
  linear: 0,
  raid1: Infinity,
  raid4: 1,
  raid5: 1,
  raid6: 2,
  raid10: 1,
};

/**
 * md: inactive → failed; recovery/reshape/resync → rebuilding; a "_" in [UU_] → degraded (failed when
 * more members are gone than the level survives: raid1 until none is left, raid5 one, raid6 two; raid10
 * is judged conservatively as one); check/repair → scrubbing.
 */
export function healthFromMd(
  a: Pick<MdstatArray, 'state' | 'level' | 'expected' | 'working' | 'statusMap' | 'action'>,
): Health {
  const down = Math.max(0, a.expected - a.working, (a.statusMap.match(/_/g) ?? []).length);
  const rawState =
    `${a.state}${a.level ? ` ${a.level}` : ''} ${a.statusMap || `[${a.working}/${a.expected}]`}${a.action ? ` ${a.action.kind} ${(a.action.progress * 100).toFixed(1)}%` : ''}`.trim();
  if (a.state === 'inactive') return { state: 'failed', rawState };
  const tol = MD_TOLERANCE[a.level] ?? 0;
  if (down > 0 && (a.working === 0 || down > (tol === Infinity ? a.expected - 1 : tol)))
    return { state: 'failed', rawState };
  if (a.action && a.action.kind !== 'check') return { state: 'rebuilding', rawState };
  if (down > 0) return { state: 'degraded', rawState };
  if (a.action?.kind === 'check') return { state: 'scrubbing', rawState };
  return { state: 'healthy', rawState };
}

/** `mdadm --detail` State line: "clean, degraded, recovering", "active, FAILED, Not Started"… */
export function healthFromMdadmState(state: string): Health {
  const s = state.toLowerCase();
  const rawState = state.trim();
  if (/failed|not started|inactive/.test(s)) return { state: 'failed', rawState };
  if (/recovering|resyncing|reshaping/.test(s)) return { state: 'rebuilding', rawState };
  if (/degraded/.test(s)) return { state: 'degraded', rawState };
  if (/checking/.test(s)) return { state: 'scrubbing', rawState };
  if (/^(clean|active)/.test(s)) return { state: 'healthy', rawState };
  return { state: 'unknown', rawState };
}
