import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/domain';
import { EventBus } from '../events';
import { JobManager } from './jobs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobManager', () => {
  it('reports progress events and ends succeeded', async () => {
    const events = new EventBus();
    const seen: Job[] = [];
    events.on('jobs.progress', (j) => seen.push(j));
    const jobs = new JobManager(events);
    const job = jobs.start('test', 'Counting', async (ctx) => {
      for (let i = 1; i <= 3; i++) {
        await sleep(120);
        ctx.progress(i / 3, `step ${i}`);
      }
    });
    const final = await jobs.wait(job.id);
    expect(final.state).toBe('succeeded');
    expect(final.progress).toBe(1);
    expect(seen[0]!.state).toBe('running');
    expect(seen.some((j) => j.message === 'step 2')).toBe(true);
    expect(seen.at(-1)!.state).toBe('succeeded');
  });

  it('cancels through the signal', async () => {
    const jobs = new JobManager(new EventBus());
    const job = jobs.start(
      'test',
      'Forever',
      (ctx) => new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    );
    jobs.cancel(job.id);
    const final = await jobs.wait(job.id);
    expect(final.state).toBe('cancelled');
    expect(final.error?.code).toBe('CANCELLED');
  });

  it('keeps the typed error of a failed job', async () => {
    const jobs = new JobManager(new EventBus());
    const job = jobs.start('test', 'Fails', async () => {
      throw Object.assign(new Error('boom'), { code: 'TIMEOUT' });
    });
    expect((await jobs.wait(job.id)).error).toEqual({ code: 'TIMEOUT', message: 'boom' });
    expect(() => jobs.get('nope')).toThrow(/No job/);
  });
});
