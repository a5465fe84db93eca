import { describe, expect, it } from 'vitest';
import type { Device, NasStatus } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { HealthWatch, isManaged } from './health-watch';

const device = (id: string, access: Partial<Device['access']> = {}): Device => ({
  id,
  name: id,
  host: `${id}.local`,
  addresses: [],
  vendor: 'linux',
  model: null,
  osVersion: null,
  services: [],
  macs: [],
  access: { secrets: [], ...access },
  addedAt: '2026-11-30T09:00:00.000Z',
});

const status = (id: string) => ({ device: id }) as NasStatus;

describe('health watch', () => {
  it('only asks devices it has credentials for', () => {
    expect(isManaged(device('a'))).toBe(false);
    expect(isManaged(device('b', { user: 'admin', secrets: ['password'] }))).toBe(true);
    expect(isManaged(device('c', { secrets: ['apiKey'] }))).toBe(true);
    expect(isManaged(device('d', { user: 'admin', identityFile: '/home/me/.ssh/id_ed25519' }))).toBe(true);
    expect(isManaged(device('e', { user: 'admin' }))).toBe(false);
  });

  it('asks each managed device in turn and passes on what answered', async () => {
    const asked: string[] = [];
    const seen: string[] = [];
    const watch = new HealthWatch({
      listDevices: async () => [
        device('a', { secrets: ['password'] }),
        device('asleep', { secrets: ['password'] }),
        device('unmanaged'),
        device('c', { secrets: ['apiKey'] }),
      ],
      status: async (id) => {
        asked.push(id);
        if (id === 'asleep') throw new AppError('UNREACHABLE', 'No answer');
        return status(id);
      },
      onStatus: (s, d) => seen.push(`${s.device}:${d.name}`),
    });
    await watch.check();
    expect(asked).toEqual(['a', 'asleep', 'c']);
    expect(seen).toEqual(['a:a', 'c:c']);
  });

  it('never throws when the device list cannot be read, and runs one round at a time', async () => {
    let lists = 0;
    const watch = new HealthWatch({
      listDevices: async () => {
        lists++;
        throw new Error('config unreadable');
      },
      status: async (id) => status(id),
      onStatus: () => undefined,
    });
    await Promise.all([watch.check(), watch.check()]);
    expect(lists).toBe(1);
    await watch.check();
    expect(lists).toBe(2);
  });

  it('runs rounds on its timer until stopped', async () => {
    let rounds = 0;
    let resolveTwo: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const watch = new HealthWatch({
      listDevices: async () => {
        if (++rounds === 2) resolveTwo();
        return [];
      },
      status: async (id) => status(id),
      onStatus: () => undefined,
      firstDelayMs: 1,
      intervalMs: 1,
    });
    watch.start();
    await two;
    watch.stop();
    const after = rounds;
    await new Promise((r) => setTimeout(r, 20));
    expect(rounds).toBe(after);
  });
});
