import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import { AppError, errorWords } from '../../../../shared/errors';
import { installFakeBridge } from '../../test/fake-bridge';
import { makeJob } from '../../test/nas';
import JobsDrawer from './JobsDrawer.svelte';
import { JobsStore } from './jobs.svelte';

const scrub = makeJob({ id: 'j1', title: 'Scrub tank', progress: 0.1 });

async function openDrawer() {
  await fireEvent.click(screen.getByRole('button', { name: /^Jobs/ }));
  return screen.getByRole('complementary', { name: 'Jobs' });
}

describe('Jobs drawer', () => {
  test('shows progress from jobs.progress; Cancel calls jobs.cancel and shows the end state', async () => {
    const bridge = installFakeBridge({
      'jobs.list': () => [scrub],
      'jobs.cancel': () => ({ ...scrub, state: 'cancelled', message: 'Cancelled by the user' }),
    });
    render(JobsDrawer, { store: new JobsStore() });
    await waitFor(() => expect(screen.getByRole('button', { name: /Jobs\s*1 running/ })).toBeTruthy());
    const drawer = await openDrawer();
    const bar = within(drawer).getByRole('progressbar', { name: 'Progress of Scrub tank' }) as HTMLProgressElement;
    expect(bar.value).toBeCloseTo(0.1);

    bridge.emit('jobs.progress', { ...scrub, progress: 0.6 });
    await waitFor(() => expect(bar.value).toBeCloseTo(0.6));
    // A stale, lower figure arriving late does not move the bar back.
    bridge.emit('jobs.progress', { ...scrub, progress: 0.3 });
    expect(bar.value).toBeCloseTo(0.6);

    await fireEvent.click(within(drawer).getByRole('button', { name: 'Cancel Scrub tank' }));
    expect(bridge.callsOf('jobs.cancel')).toEqual([{ id: 'j1' }]);
    await waitFor(() => expect(within(drawer).getByText('Cancelled')).toBeTruthy());
    expect(within(drawer).queryByRole('progressbar')).toBeNull();
    expect(screen.getByRole('button', { name: /Jobs\s*0 running/ })).toBeTruthy();
  });

  test('a failed job shows its error; a failed cancel is explained', async () => {
    const bridge = installFakeBridge({
      'jobs.list': () => [scrub],
      'jobs.cancel': () => {
        throw new AppError('NOT_FOUND', 'No job j1.');
      },
    });
    render(JobsDrawer, { store: new JobsStore() });
    await waitFor(() => expect(screen.getByRole('button', { name: /Jobs\s*1 running/ })).toBeTruthy());
    const drawer = await openDrawer();
    await fireEvent.click(within(drawer).getByRole('button', { name: 'Cancel Scrub tank' }));
    expect((await within(drawer).findByRole('alert')).textContent).toContain(errorWords.NOT_FOUND.title);

    bridge.emit('jobs.progress', {
      ...scrub,
      state: 'failed',
      error: { code: 'TIMEOUT', message: 'btrfs scrub status timed out' },
    });
    await waitFor(() => expect(within(drawer).getByText('Failed')).toBeTruthy());
    expect(drawer.textContent).toContain('btrfs scrub status timed out');
  });

  test('Escape closes the drawer and returns focus to its button', async () => {
    installFakeBridge({ 'jobs.list': () => [] });
    render(JobsDrawer, { store: new JobsStore() });
    const drawer = await openDrawer();
    expect(drawer.hidden).toBe(false);
    expect(drawer.textContent).toContain('No jobs yet');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(drawer.hidden).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Jobs/ }));
  });
});
