// Which OS notifications to show, decided from core events: a mount lost or reconnected, a scrub
// finished, a pool degraded, a disk failing. Each names the page its click opens. Pure state
// machine with an injected clock; electron/main renders what it returns.
//
// Rate limit: per subject (one mount, one pool, one disk) at most `burst` notifications within
// `windowMs`. When a subject exceeds it (a flapping link), one "unstable" notice is shown and the
// subject stays quiet until the window has passed, so the user hears about it once, not forty times.
import type { Job, Mount, MountState, NasStatus } from '../../../shared/domain';
import { pageHref } from './routes';

export type NotificationKind =
  | 'mount-lost'
  | 'mount-reconnected'
  | 'scrub-finished'
  | 'scrub-failed'
  | 'pool-degraded'
  | 'disk-failing'
  | 'unstable';

export interface DesktopNotification {
  kind: NotificationKind;
  /** What the notification is about; the rate limit and the OS's replace-by-tag key on it. */
  subject: string;
  title: string;
  body: string;
  /** The page a click opens (`#/mounts`, `#/device/<id>`…). */
  route: string;
  urgency: 'normal' | 'critical';
}

export interface NotificationPolicyOptions {
  now?: () => number;
  burst?: number;
  windowMs?: number;
}

/** States where the share is expected to be there but is not. */
const LOST: ReadonlySet<MountState> = new Set(['offline', 'reconnecting', 'error']);

export class NotificationPolicy {
  private readonly now: () => number;
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly mountStates = new Map<string, MountState>();
  private readonly sent = new Map<string, number[]>();
  private readonly muted = new Map<string, number>();
  private readonly finishedJobs = new Set<string>();
  private readonly poolStates = new Map<string, string>();
  private readonly diskStates = new Map<string, string>();

  constructor(options: NotificationPolicyOptions = {}) {
    this.now = options.now ?? Date.now;
    this.burst = options.burst ?? 2;
    this.windowMs = options.windowMs ?? 10 * 60_000;
  }

  /** A `mounts.changed` payload. The first sight of a mount only records its state. */
  onMountsChanged(mounts: readonly Mount[]): DesktopNotification[] {
    const out: DesktopNotification[] = [];
    const seen = new Set<string>();
    for (const mount of mounts) {
      seen.add(mount.id);
      const before = this.mountStates.get(mount.id);
      this.mountStates.set(mount.id, mount.state);
      if (before === undefined || before === mount.state) continue;
      const subject = `mount:${mount.id}`;
      const route = pageHref('mounts');
      // Lost: it was mounted and now is not, without the user unmounting it. Offline → error
      // (gave up reconnecting) is news too; offline ↔ reconnecting is not.
      if (LOST.has(mount.state) && (before === 'mounted' || mount.state === 'error')) {
        const gaveUp = mount.state === 'error';
        out.push(
          ...this.limit(
            {
              kind: 'mount-lost',
              subject,
              title: gaveUp ? `${mount.name} could not be mounted` : `${mount.name} is offline`,
              body:
                (mount.reason ? `${mount.reason}. ` : '') +
                (gaveUp ? 'Open Nasdeck to try again.' : 'Nasdeck keeps trying to reconnect.'),
              route,
              urgency: gaveUp ? 'critical' : 'normal',
            },
            mount.name,
          ),
        );
      } else if (mount.state === 'mounted' && LOST.has(before)) {
        out.push(
          ...this.limit(
            {
              kind: 'mount-reconnected',
              subject,
              title: `${mount.name} is back`,
              body: `Mounted again at ${mount.mountPoint}.`,
              route,
              urgency: 'normal',
            },
            mount.name,
          ),
        );
      }
    }
    for (const id of [...this.mountStates.keys()]) if (!seen.has(id)) this.mountStates.delete(id);
    return out;
  }

  /** A `jobs.progress` payload: a scrub's end is told once. */
  onJobProgress(job: Job): DesktopNotification[] {
    if (job.kind !== 'scrub' || job.state === 'running' || this.finishedJobs.has(job.id)) return [];
    this.finishedJobs.add(job.id);
    if (job.state === 'cancelled') return [];
    const ok = job.state === 'succeeded';
    return this.limit(
      {
        kind: ok ? 'scrub-finished' : 'scrub-failed',
        subject: `job:${job.id}`,
        title: ok ? `${job.title}: finished` : `${job.title}: failed`,
        body: ok
          ? job.message || 'The scrub completed.'
          : (job.error?.message ?? (job.message || 'The scrub stopped.')),
        route: pageHref('storage'),
        urgency: ok ? 'normal' : 'critical',
      },
      job.title,
    );
  }

  /**
   * A device's health (`nas.status`): a pool turning degraded or failed, a disk turning failing.
   * Told when it turns bad, including the first time it is seen bad; not again while it stays so.
   */
  onNasStatus(status: NasStatus, deviceName = status.device): DesktopNotification[] {
    const out: DesktopNotification[] = [];
    const route = pageHref('device', status.device);
    for (const pool of status.pools) {
      const key = `${status.device}/${pool.id}`;
      const before = this.poolStates.get(key);
      this.poolStates.set(key, pool.state);
      const bad = pool.state === 'degraded' || pool.state === 'failed';
      const wasBad = before === 'degraded' || before === 'failed';
      if (!bad || (wasBad && before === pool.state)) continue;
      out.push(
        ...this.limit(
          {
            kind: 'pool-degraded',
            subject: `pool:${key}`,
            title: `${deviceName}: pool ${pool.name} is ${pool.state}`,
            body:
              pool.state === 'failed'
                ? 'The pool has failed; its data may be unavailable.'
                : 'A disk is missing or faulty; the pool has no redundancy left until it is repaired.',
            route,
            urgency: 'critical',
          },
          `${deviceName}: pool ${pool.name}`,
        ),
      );
    }
    for (const disk of status.disks) {
      const key = `${status.device}/${disk.serial || disk.name}`;
      const before = this.diskStates.get(key);
      this.diskStates.set(key, disk.smart);
      if (disk.smart !== 'failing' || before === 'failing') continue;
      out.push(
        ...this.limit(
          {
            kind: 'disk-failing',
            subject: `disk:${key}`,
            title: `${deviceName}: disk ${disk.name} is failing`,
            body: `SMART reports ${disk.model || 'the disk'}${disk.serial ? ` (${disk.serial})` : ''} as failing. Replace it soon.`,
            route,
            urgency: 'critical',
          },
          `${deviceName}: disk ${disk.name}`,
        ),
      );
    }
    return out;
  }

  /** Applies the per-subject rate limit; `label` names the subject in the "keeps changing" notice. */
  private limit(notification: DesktopNotification, label: string): DesktopNotification[] {
    const now = this.now();
    const { subject } = notification;
    const mutedUntil = this.muted.get(subject);
    if (mutedUntil !== undefined) {
      if (now < mutedUntil) return [];
      this.muted.delete(subject);
    }
    const recent = (this.sent.get(subject) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.burst) {
      this.muted.set(subject, now + this.windowMs);
      this.sent.set(subject, []);
      return [
        {
          kind: 'unstable',
          subject,
          title: `${label} keeps changing state`,
          body: `Notifications about it are paused for ${Math.round(this.windowMs / 60_000)} minutes. Click to see its current state.`,
          route: notification.route,
          urgency: 'normal',
        },
      ];
    }
    recent.push(now);
    this.sent.set(subject, recent);
    return [notification];
  }
}
