// One NAS as its page shows it: status (pools, disks, alerts), shares, snapshots, iSCSI targets,
// and the changes made from the page. Every change can be previewed first (dryRun → PlanStep[]).
import type { CommandParams } from '../../../../shared/api';
import type { Device, IscsiTarget, NasStatus, Outcome, PlanStep, Share, Snapshot } from '../../../../shared/domain';
import { call } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';
import { jobsStore, type JobsStore } from '../jobs/jobs.svelte';

export type ShareSpec = Omit<CommandParams<'shares.create'>, 'device' | 'dryRun'>;
export type IscsiSpec = Omit<CommandParams<'iscsi.create'>, 'device' | 'dryRun'>;
/** What an edit changes on a share: only the fields given (at least one). */
export type ShareChange = Pick<CommandParams<'shares.update'>, 'readOnly' | 'users' | 'clients'>;

/** A loadable part of the page: its value, or why it failed. */
class Part<T> {
  value = $state<T | null>(null);
  error = $state<ErrorText | null>(null);
  loading = $state(false);

  async load(fetch: () => Promise<T>): Promise<void> {
    this.loading = true;
    try {
      this.value = await fetch();
      this.error = null;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loading = false;
    }
  }
}

/** The last change: what ran (or failed), for the status line and the alert. */
export interface ActionResult {
  ok: boolean;
  text: string;
  error?: ErrorText | null;
}

export class DeviceStore {
  readonly device = new Part<Device>();
  readonly status = new Part<NasStatus>();
  readonly shares = new Part<Share[]>();
  readonly snapshots = new Part<Snapshot[]>();
  readonly iscsi = new Part<IscsiTarget[]>();

  /** What the snapshot list shows: a share (subvolume) name. */
  snapshotsOf = $state('');
  /** The running scrub job of each pool, by pool id. */
  scrubJobs = $state<Record<string, string>>({});
  /** The change running now (its label), so buttons wait. */
  busy = $state<string | null>(null);
  result = $state<ActionResult | null>(null);

  constructor(
    readonly ref: string,
    private readonly jobs: JobsStore = jobsStore,
  ) {}

  /** Loads the page's data and reloads the status when one of its scrubs ends. */
  start(): () => void {
    void this.device.load(() => call('devices.get', { device: this.ref }));
    void this.loadStatus();
    const stopFeed = this.jobs.start();
    const stopJobs = this.jobs.onUpdate((job) => {
      if (job.state !== 'running' && Object.values(this.scrubJobs).includes(job.id)) void this.loadStatus();
    });
    return () => {
      stopJobs();
      stopFeed();
    };
  }

  loadStatus = () => this.status.load(() => call('nas.status', { device: this.ref }));
  loadShares = () => this.shares.load(() => call('shares.list', { device: this.ref }));
  loadIscsi = () => this.iscsi.load(() => call('iscsi.list', { device: this.ref }));
  loadSnapshots = (of = this.snapshotsOf) => {
    this.snapshotsOf = of;
    return this.snapshots.load(() => call('snapshots.list', of ? { device: this.ref, of } : { device: this.ref }));
  };

  /** Runs one change; the result line says what happened, an error says why not. */
  private async change<T>(label: string, done: string, run: () => Promise<T>): Promise<T | null> {
    if (this.busy) return null;
    this.busy = label;
    this.result = null;
    try {
      const value = await run();
      this.result = { ok: true, text: done };
      return value;
    } catch (err) {
      const error = describeError(err);
      this.result = error ? { ok: false, text: `Could not ${label.toLowerCase()}:`, error } : null;
      return null;
    } finally {
      this.busy = null;
    }
  }

  async scrub(poolId: string, poolName: string): Promise<void> {
    const job = await this.change(`Start a scrub of ${poolName}`, `Scrub of ${poolName} started.`, () =>
      call('pools.scrub', { device: this.ref, pool: poolId }),
    );
    if (job) {
      this.jobs.upsert(job);
      this.scrubJobs = { ...this.scrubJobs, [poolId]: job.id };
    }
  }

  async createSnapshot(of: string, name: string): Promise<void> {
    const trimmed = name.trim();
    const made = await this.change(`Take a snapshot of ${of}`, `Snapshot of ${of} taken.`, () =>
      call('snapshots.create', trimmed ? { device: this.ref, of, name: trimmed } : { device: this.ref, of }),
    );
    if (made?.applied) this.result = { ok: true, text: `Snapshot ${made.value.name} of ${of} taken.` };
    if (made) await this.loadSnapshots(of);
  }

  async rollback(snapshot: Snapshot): Promise<void> {
    const { of, name } = snapshot;
    const done = await this.change(`Roll ${of} back to ${name}`, `${of} is back at snapshot ${name}.`, () =>
      call('snapshots.rollback', { device: this.ref, of, name }),
    );
    if (done) await this.loadSnapshots(of);
  }

  async deleteSnapshot(snapshot: Snapshot): Promise<void> {
    const { of, name } = snapshot;
    const done = await this.change(`Delete snapshot ${name}`, `Snapshot ${name} deleted.`, () =>
      call('snapshots.delete', { device: this.ref, of, name }),
    );
    if (done) await this.loadSnapshots(of);
  }

  /** The steps a new share would take, without changing anything. */
  previewShare(spec: ShareSpec): Promise<PlanStep[] | null> {
    return this.change(`Preview the share ${spec.name}`, '', async () =>
      stepsOf(await call('shares.create', { ...spec, device: this.ref, dryRun: true })),
    ).finally(() => this.clearQuietResult());
  }

  async createShare(spec: ShareSpec): Promise<boolean> {
    const made = await this.change(
      `Create the share ${spec.name}`,
      `${spec.protocol.toUpperCase()} share ${spec.name} created.`,
      () => call('shares.create', { ...spec, device: this.ref }),
    );
    if (made) await this.loadShares();
    return made !== null;
  }

  /** The steps an edit of a share would take, without changing anything. */
  previewUpdateShare(share: Share, change: ShareChange): Promise<PlanStep[] | null> {
    return this.change(`Preview changing ${share.name}`, '', async () =>
      stepsOf(
        await call('shares.update', {
          ...change,
          device: this.ref,
          share: share.name,
          protocol: share.protocol,
          dryRun: true,
        }),
      ),
    ).finally(() => this.clearQuietResult());
  }

  async updateShare(share: Share, change: ShareChange): Promise<boolean> {
    const done = await this.change(`Change the share ${share.name}`, `Share ${share.name} changed.`, () =>
      call('shares.update', { ...change, device: this.ref, share: share.name, protocol: share.protocol }),
    );
    if (done) await this.loadShares();
    return done !== null;
  }

  previewDeleteShare(share: Share): Promise<PlanStep[] | null> {
    return this.change(`Preview deleting ${share.name}`, '', async () =>
      stepsOf(
        await call('shares.delete', { device: this.ref, share: share.name, protocol: share.protocol, dryRun: true }),
      ),
    ).finally(() => this.clearQuietResult());
  }

  async deleteShare(share: Share): Promise<void> {
    const done = await this.change(`Delete the share ${share.name}`, `Share ${share.name} deleted.`, () =>
      call('shares.delete', { device: this.ref, share: share.name, protocol: share.protocol }),
    );
    if (done) await this.loadShares();
  }

  previewIscsi(spec: IscsiSpec): Promise<PlanStep[] | null> {
    return this.change(`Preview the target ${spec.name}`, '', async () =>
      stepsOf(await call('iscsi.create', { ...spec, device: this.ref, dryRun: true })),
    ).finally(() => this.clearQuietResult());
  }

  async createIscsi(spec: IscsiSpec): Promise<boolean> {
    const made = await this.change(`Create the target ${spec.name}`, `iSCSI target ${spec.name} created.`, () =>
      call('iscsi.create', { ...spec, device: this.ref }),
    );
    if (made) await this.loadIscsi();
    return made !== null;
  }

  previewDeleteIscsi(target: IscsiTarget): Promise<PlanStep[] | null> {
    return this.change(`Preview deleting ${target.name}`, '', async () =>
      stepsOf(await call('iscsi.delete', { device: this.ref, target: target.name, dryRun: true })),
    ).finally(() => this.clearQuietResult());
  }

  async deleteIscsi(target: IscsiTarget): Promise<void> {
    const done = await this.change(`Delete the target ${target.name}`, `iSCSI target ${target.name} deleted.`, () =>
      call('iscsi.delete', { device: this.ref, target: target.name }),
    );
    if (done) await this.loadIscsi();
  }

  // A preview has no "done" line of its own: the plan it shows is the answer.
  private clearQuietResult() {
    if (this.result?.ok && this.result.text === '') this.result = null;
  }
}

const stepsOf = (outcome: Outcome<unknown>): PlanStep[] => outcome.steps;
