import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { SshPool } from './pool';
import type { SshSession, SshTarget } from './ssh';

function fakeSession(log: string[]): SshSession {
  let open = true;
  const listeners: Array<() => void> = [];
  return {
    get isOpen() {
      return open;
    },
    onClose: (l: () => void) => (listeners.push(l), () => undefined),
    exec: async (argv: readonly string[]) => {
      log.push(argv.join(' '));
      await new Promise((r) => setTimeout(r, 5));
      return { code: 0, stdout: '', stderr: '' };
    },
    close: () => {
      open = false;
      listeners.forEach((l) => l());
    },
  } as unknown as SshSession;
}

const target: SshTarget = { host: 'nas', username: 'u', auth: {} };

describe('SshPool', () => {
  it('shares one connection between callers that arrive together, and closes it', async () => {
    const sessions: SshSession[] = [];
    const log: string[] = [];
    const pool = new SshPool({
      connect: async () => {
        await new Promise((r) => setTimeout(r, 10));
        const s = fakeSession(log);
        sessions.push(s);
        return s;
      },
    });
    const runner = pool.runner('dev', async () => target);
    await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run(['echo', String(i)], { description: 'x' })));
    expect(sessions).toHaveLength(1);
    expect(log).toHaveLength(20);
    pool.closeAll();
    await new Promise((r) => setTimeout(r, 0));
    expect(sessions[0]!.isOpen).toBe(false);
  });

  it('reconnects after the connection drops, and retries a refused connect with backoff', async () => {
    let attempts = 0;
    const sessions: SshSession[] = [];
    const pool = new SshPool({
      retries: 2,
      connect: async () => {
        attempts += 1;
        if (attempts === 1) throw new AppError('UNREACHABLE', 'refused');
        const s = fakeSession([]);
        sessions.push(s);
        return s;
      },
    });
    const runner = pool.runner('dev', async () => target);
    await runner.run(['true'], { description: 'x' });
    expect(attempts).toBe(2);
    sessions[0]!.close();
    await runner.run(['true'], { description: 'x' });
    expect(sessions).toHaveLength(2);
    pool.closeAll();
  });

  it('runs mutations on one host one at a time', async () => {
    const order: string[] = [];
    const pool = new SshPool({
      connect: async () =>
        ({
          isOpen: true,
          onClose: () => () => undefined,
          close: () => undefined,
          exec: async (argv: readonly string[]) => {
            order.push(`start ${argv[0]}`);
            await new Promise((r) => setTimeout(r, argv[0] === 'slow' ? 30 : 1));
            order.push(`end ${argv[0]}`);
            return { code: 0, stdout: '', stderr: '' };
          },
        }) as unknown as SshSession,
    });
    const runner = pool.runner('dev', async () => target);
    await Promise.all([
      runner.run(['slow'], { description: 'a', mutates: true }),
      runner.run(['fast'], { description: 'b', mutates: true }),
    ]);
    expect(order).toEqual(['start slow', 'end slow', 'start fast', 'end fast']);
    pool.closeAll();
  });
});
