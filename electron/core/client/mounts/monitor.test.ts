// The liveness check on real sockets of this machine: a NAS whose port refuses is offline at
// once, even while the listing of its mount hangs (as it does on a dead SMB/NFS mount).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MountProfile } from '../../../../shared/domain';
import type { Exec } from '../exec';
import { LinuxMounts } from './linux';
import { whyNotAlive } from './monitor';

let open: Server;
let openPort: number;
let closedPort: number;

const listen = () =>
  new Promise<Server>((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as { port: number }).port;

beforeAll(async () => {
  open = await listen();
  openPort = portOf(open);
  const closed = await listen();
  closedPort = portOf(closed);
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(() => new Promise((resolve) => open.close(resolve)));

const profile = (port: number): MountProfile => ({
  id: 'mnt-1',
  name: 'media',
  url: `nfs://127.0.0.1:${port}/export/media`,
  mountPoint: '/home/ann/NAS/media',
  hasPassword: false,
  persistent: false,
  autoReconnect: true,
});
const seen = { mounted: true, path: '/run/user/1000/gvfs/nfs:host=127.0.0.1,prefix=%2Fexport%2Fmedia' };
const env = { home: '/home/ann', uid: 1000, gid: 1000, runtimeDir: '/run/user/1000', sessionBus: true };
const hangs: Exec = () => new Promise(() => undefined); // a listing of a dead mount that never returns
const lists: Exec = async () => ({ code: 0, stdout: '.\n..\n', stderr: '' });
const fails: Exec = async () => ({ code: 2, stdout: '', stderr: 'Input/output error' });

describe('whyNotAlive', () => {
  it('says the port does not answer without waiting for a listing that hangs', async () => {
    const why = await whyNotAlive(new LinuxMounts(hangs, env), hangs, profile(closedPort), seen);
    expect(why).toBe(`127.0.0.1 does not answer on port ${closedPort}.`);
  });

  it('blames the files when the port answers but the listing fails', async () => {
    const why = await whyNotAlive(new LinuxMounts(fails, env), fails, profile(openPort), seen);
    expect(why).toMatch(/^The files on 127\.0\.0\.1 do not answer/);
  });

  it('is null only when both the port and the listing answer', async () => {
    expect(await whyNotAlive(new LinuxMounts(lists, env), lists, profile(openPort), seen)).toBeNull();
    expect(await whyNotAlive(new LinuxMounts(lists, env), lists, profile(openPort), { mounted: false })).toBe(
      'It is not mounted any more.',
    );
  });
});
