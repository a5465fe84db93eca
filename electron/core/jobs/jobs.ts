// Long operations run as jobs: progress events the UI and CLI render the same way, and
// cancellation through an AbortSignal that the job's commands honour.
import { randomUUID } from 'node:crypto';
import type { Job } from '../../../shared/domain';
import { AppError, toWireError } from '../../../shared/errors';
import type { EventBus } from '../events';

export interface JobContext {
  signal: AbortSignal;
  /** fraction in 0..1 (null while unknown) and a short human message. */
  progress(fraction: number | null, message?: string): void;
}

const FINISHED_KEPT = 50;
const PROGRESS_EVERY_MS = 100;

export class JobManager {
  private readonly jobs = new Map<string, { job: Job; controller: AbortController; done: Promise<Job> }>();

  constructor(private readonly events: EventBus) {}

  start(kind: string, title: string, run: (ctx: JobContext) => Promise<void>): Job {
    const controller = new AbortController();
    const job: Job = {
      id: randomUUID(),
      kind,
      title,
      state: 'running',
      progress: 0,
      message: '',
      startedAt: new Date().toISOString(),
    };
    let lastEmit = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (fraction, message) => {
        if (job.state !== 'running') return;
        job.progress = fraction === null ? null : Math.min(1, Math.max(0, fraction));
        if (message !== undefined) job.message = message;
        const now = Date.now();
        if (now - lastEmit >= PROGRESS_EVERY_MS) {
          lastEmit = now;
          this.emit(job);
        }
      },
    };
    const done = (async () => {
      this.emit(job);
      try {
        await run(ctx);
        if (controller.signal.aborted) throw new AppError('CANCELLED', 'Cancelled');
        job.state = 'succeeded';
        job.progress = 1;
      } catch (err) {
        const wire = controller.signal.aborted ? { code: 'CANCELLED', message: 'Cancelled' } : toWireError(err);
        job.state = wire.code === 'CANCELLED' ? 'cancelled' : 'failed';
        job.error = { code: wire.code, message: wire.message };
      }
      job.endedAt = new Date().toISOString();
      this.emit(job);
      this.prune();
      return { ...job };
    })();
    this.jobs.set(job.id, { job, controller, done });
    return { ...job };
  }

  list(): Job[] {
    return [...this.jobs.values()].map((e) => ({ ...e.job }));
  }

  get(id: string): Job {
    return { ...this.entry(id).job };
  }

  /** Resolves with the job's final state. */
  wait(id: string): Promise<Job> {
    return this.entry(id).done;
  }

  cancel(id: string): Job {
    const entry = this.entry(id);
    if (entry.job.state === 'running') entry.controller.abort(new AppError('CANCELLED', 'Cancelled'));
    return { ...entry.job };
  }

  private entry(id: string) {
    const entry = this.jobs.get(id);
    if (!entry) throw new AppError('NOT_FOUND', `No job ${id}`);
    return entry;
  }

  private emit(job: Job) {
    this.events.emit('jobs.progress', { ...job });
  }

  private prune() {
    const finished = [...this.jobs.values()].filter((e) => e.job.state !== 'running');
    for (const e of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) this.jobs.delete(e.job.id);
  }
}
