import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandTargets, probePort, ProbeSource } from './probe';
import type { Sighting } from './sighting';

let ssh: Server;
let plain: Server;
let closedPort: number;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

beforeAll(async () => {
  ssh = createServer((s) => s.on('error', () => undefined).end('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
  plain = createServer((s) => s.on('error', () => undefined));
  await listen(ssh);
  await listen(plain);
  const tmp = createServer();
  closedPort = await listen(tmp);
  await new Promise((r) => tmp.close(r));
});
afterAll(() => {
  ssh.close();
  plain.close();
});

describe('port probe', () => {
  it('reads an SSH banner, sees an open port, and a closed one', async () => {
    const sshPort = (ssh.address() as { port: number }).port;
    expect(await probePort('127.0.0.1', sshPort, 1000)).toBe('');
    expect(await probePort('127.0.0.1', sshPort, 1000, true)).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3');
    expect(await probePort('127.0.0.1', closedPort, 1000)).toBeNull();
  });

  it('turns open ports into one sighting per host, with the banner as a fact', async () => {
    const sightings: Sighting[] = [];
    const progress: number[] = [];
    const sshPort = (ssh.address() as { port: number }).port;
    const plainPort = (plain.address() as { port: number }).port;
    const source = new ProbeSource({
      targets: ['127.0.0.1'],
      ports: [sshPort, plainPort, closedPort],
      sshPorts: [sshPort],
      timeoutMs: 1000,
      onProgress: (d) => progress.push(d),
    });
    await source.start((s) => sightings.push(s));
    expect(sightings).toHaveLength(1);
    expect(sightings[0]).toMatchObject({
      source: 'probe',
      key: '127.0.0.1',
      addresses: ['127.0.0.1'],
      facts: { sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' },
    });
    expect(sightings[0]!.services).toEqual(
      expect.arrayContaining([
        { type: 'ssh', port: sshPort },
        { type: `tcp-${plainPort}`, port: plainPort },
      ]),
    );
    expect(sightings[0]!.services).toHaveLength(2);
    expect(progress).toEqual([1]);
  });

  it('expands CIDR ranges and refuses oversized or malformed ones', async () => {
    expect(await expandTargets(['10.1.2.0/30'])).toEqual(['10.1.2.1', '10.1.2.2']);
    expect(await expandTargets(['10.1.2.7/32'])).toEqual(['10.1.2.7']);
    expect((await expandTargets(['192.168.4.0/24'])).length).toBe(254);
    await expect(expandTargets(['10.0.0.0/8'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(expandTargets(['300.1.1.1/24'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(expandTargets(['no-such-host.invalid'])).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
