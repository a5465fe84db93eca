// Long operations (scrubs, changes on a NAS): jobs.list once, then every jobs.progress push.
// One store for the whole app, so the drawer and the Storage tab show the same numbers.
import { SvelteMap } from 'svelte/reactivity';
import type { Job } from '../../../../shared/domain';
import { call, on, onReconnected } from '../../lib/client';
import { describeError, type ErrorText } from '../../lib/errors';

const byStart = (a: Job, b: Job) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0);

export class JobsStore {
  private readonly map = new SvelteMap<string, Job>();

  /** Newest first; a job keeps its place as it progresses (no jumping rows). */
  readonly jobs: Job[] = $derived([...this.map.values()].sort(byStart));
  readonly running: Job[] = $derived(this.jobs.filter((j) => j.state === 'running'));

  loadError = $state<ErrorText | null>(null);
  cancelError = $state<{ job: Job; error: ErrorText } | null>(null);
  cancelling = $state<string | null>(null);

  // Callbacks, not UI state: a plain list on purpose.
  private listeners: Array<(job: Job) => void> = [];
  private started = 0;
  private stops: Array<() => void> = [];

  start(): () => void {
    if (this.started++ === 0) {
      this.stops = [on('jobs.progress', (job) => this.upsert(job)), onReconnected(() => void this.load())];
      void this.load();
    }
    return () => {
      if (--this.started === 0) for (const stop of this.stops.splice(0)) stop();
    };
  }

  async load(): Promise<void> {
    try {
      for (const job of await call('jobs.list', {})) this.upsert(job);
      this.loadError = null;
    } catch (err) {
      this.loadError = describeError(err);
    }
  }

  get(id: string | null | undefined): Job | undefined {
    return id ? this.map.get(id) : undefined;
  }

  /** Records a job a command just returned, and every later update of it. */
  upsert(job: Job): void {
    const known = this.map.get(job.id);
    // A late list answer must not put back progress older than what a push already showed.
    if (known && known.state !== 'running' && job.state === 'running') return;
    if (known && known.state === 'running' && job.state === 'running' && (job.progress ?? 0) < (known.progress ?? 0))
      return;
    this.map.set(job.id, job);
    for (const listener of this.listeners) listener(job);
  }

  /** Runs `fn` on every update (to reload a page when its job ends). */
  onUpdate(fn: (job: Job) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  async cancel(job: Job): Promise<void> {
    this.cancelling = job.id;
    this.cancelError = null;
    try {
      this.upsert(await call('jobs.cancel', { id: job.id }));
    } catch (err) {
      const error = describeError(err);
      this.cancelError = error ? { job, error } : null;
    } finally {
      this.cancelling = null;
    }
  }
}

export const jobsStore = new JobsStore();
