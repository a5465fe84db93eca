// Discovery from real mDNS and WS-Discovery traffic: four NAS namespaces (Linux, and responders
// advertising exactly what Synology, TrueNAS and QNAP send) found by the `nasdeck discover`
// CLI running in the lab's client namespace, where multicast cannot leave the lab.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { clientExec, startDaemon, stopDaemon } from '../../../e2e/lab/lab';
import { CLI_FROM_SOURCE, ownLab, REPO } from '../../../e2e/lab/own-lab';

const cli = CLI_FROM_SOURCE;
const env = () => ({
  PATH: process.env.PATH!,
  HOME: tmpdir(),
  NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-disc-')),
});

const lab = ownLab('dsc', {
  nas: 4,
  personas: ['linux', 'synology', 'truenas', 'qnap'],
  services: ['avahi', 'wsdd', 'ssh'],
});

async function discover(seconds: number): Promise<DiscoveredDevice[]> {
  const r = await clientExec(lab.state, [...cli, 'discover', '--json', '--timeout', String(seconds)], {
    env: env(),
    cwd: REPO,
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DiscoveredDevice[];
}

describe('nasdeck discover on the lab network', () => {
  it('finds every NAS within a couple of seconds and names its vendor and model', async () => {
    const devices = await discover(2.5);
    const byHost = new Map(devices.map((d) => [d.hostname, d]));
    const [linux, syno, truenas, qnap] = lab.state.nas;

    expect(byHost.get(`${linux!.hostname}.local`)).toMatchObject({
      name: linux!.hostname,
      vendor: 'linux',
      addresses: [linux!.address],
    });
    // Only SSH runs here besides avahi and wsdd, so the SSH banner (Debian's OpenSSH) names it.
    expect(byHost.get(`${linux!.hostname}.local`)!.services).toEqual(
      expect.arrayContaining([{ type: '_ssh._tcp', port: 22 }]),
    );
    expect(byHost.get(`${syno!.hostname}.local`)).toMatchObject({
      vendor: 'synology',
      model: 'DS920+',
      osVersion: expect.stringMatching(/^DSM 7\.2/),
      macs: [syno!.mac],
      addresses: [syno!.address],
    });
    expect(byHost.get(`${truenas!.hostname}.local`)).toMatchObject({
      vendor: 'truenas',
      addresses: [truenas!.address],
    });
    expect(byHost.get(`${qnap!.hostname}.local`)).toMatchObject({ vendor: 'qnap', addresses: [qnap!.address] });
    expect(byHost.get(`${qnap!.hostname}.local`)!.model).toBeTruthy();
    // wsdd answered too, and its sighting merged into the same device (by address), not a second entry.
    expect(devices).toHaveLength(4);
    expect(devices.filter((d) => d.sources.includes('wsd')).length).toBeGreaterThanOrEqual(1);
  });

  it('survives malformed mDNS and WS-Discovery packets from the network, and keeps listing', async () => {
    const child = spawn('ip', ['netns', 'exec', lab.state.client.namespace, ...cli, 'discover', '--watch', '--json'], {
      env: env(),
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await new Promise((r) => setTimeout(r, 2500));
      // A constant script; random and truncated DNS/SOAP payloads to both multicast groups.
      const flood = [
        'import os, socket, random',
        's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
        'hdr = bytes([0,0,0x84,0,0,0,0,5,0,0,0,0])',
        'for i in range(400):',
        '    body = os.urandom(random.randint(0, 1400))',
        '    s.sendto(hdr + body if i % 2 else body, ("224.0.0.251", 5353))',
        `    s.sendto(b'<?xml version="1.0"?><soap:Envelope><soap:Body><ProbeMatches>' + body[:300], ("239.255.255.250", 3702))`,
      ].join('\n');
      const { nasExec } = await import('../../../e2e/lab/lab');
      const r = await nasExec(lab.state, lab.state.nas[1]!.index, ['python3', '-c', flood]);
      expect(r.code, r.stderr).toBe(0);
      await new Promise((r2) => setTimeout(r2, 1500));
      expect(child.exitCode).toBeNull(); // still running
      const devices = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { device: DiscoveredDevice });
      expect(new Set(devices.map((e) => e.device.addresses[0])).size).toBeGreaterThanOrEqual(4);
      expect(devices.every((e) => e.device.addresses.every((a) => /^10\./.test(a)))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('marks a device lost when its responders say goodbye, and finds it again when it returns', async () => {
    const child = spawn('ip', ['netns', 'exec', lab.state.client.namespace, ...cli, 'discover', '--watch', '--json'], {
      env: env(),
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Array<{ event: string; device: DiscoveredDevice }> = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const waitFor = async (pred: () => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!pred()) {
        const seen = events.map((e) => `${e.event} ${e.device.name} [${e.device.sources}]`).join('\n');
        throw new Error(`timed out waiting for ${what}; events:\n${seen}\nstderr: ${stderr}`);
      }
      return true;
    };
    const target = lab.state.nas[0]!;
    const host = `${target.hostname}.local`;
    try {
      await waitFor(
        () => events.some((e) => e.event !== 'deviceLost' && e.device.hostname === host),
        10_000,
        'the device to be found',
      );
      // wsdd answers for the same box, so after avahi's goodbye the device is still there, seen by WS-Discovery only…
      await stopDaemon(target.index, 'avahi', lab.instance);
      await waitFor(
        () =>
          events.some(
            (e) =>
              e.event === 'deviceUpdated' &&
              e.device.addresses.includes(target.address) &&
              !e.device.sources.includes('mdns'),
          ),
        10_000,
        'an update without mdns after avahi stopped',
      );
      // …until wsdd says Bye too.
      await stopDaemon(target.index, 'wsdd', lab.instance);
      await waitFor(
        () => events.some((e) => e.event === 'deviceLost' && e.device.addresses.includes(target.address)),
        10_000,
        'deviceLost',
      );
      const lostAt = events.length;
      await startDaemon(target.index, 'avahi', lab.instance);
      await startDaemon(target.index, 'wsdd', lab.instance);
      // A returning responder announces itself; no new query is needed.
      await waitFor(
        () => events.slice(lostAt).some((e) => e.event !== 'deviceLost' && e.device.hostname === host),
        15_000,
        'the device to return',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});
