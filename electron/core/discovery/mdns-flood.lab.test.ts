// A flood of 10,000 well-formed fake service instances over real mDNS traffic on the lab bridge
// (sent from a NAS namespace by e2e/lab/probes/mdns-flood.ts) against `nasdeck discover --watch`
// in the client namespace: the process stays up, the live list stays capped (evicting the least
// recently seen), memory stays bounded, and it still answers to a real NAS announcing itself after.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DiscoveredDevice } from '../../../shared/domain';
import { nasExec, startDaemon, stopDaemon } from '../../../e2e/lab/lab';
import { CLI_FROM_SOURCE, ownLab, REPO } from '../../../e2e/lab/own-lab';
import { LIMITS } from './sighting';

const cli = CLI_FROM_SOURCE;

const lab = ownLab('fl', {
  nas: 2,
  personas: ['synology', 'linux'],
  services: ['avahi'],
});

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('mDNS flood on the lab network', () => {
  it('10,000 fake instances: alive, capped, bounded memory, and a real NAS is still found after', async () => {
    const child = spawn('ip', ['netns', 'exec', lab.state.client.namespace, ...cli, 'discover', '--watch', '--json'], {
      env: { PATH: process.env.PATH!, HOME: tmpdir(), NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nd-flood-')) },
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const live = new Map<string, DiscoveredDevice>();
    let maxLive = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const e = JSON.parse(buffer.slice(0, nl)) as { event: string; device: DiscoveredDevice };
        buffer = buffer.slice(nl + 1);
        if (e.event === 'deviceLost') live.delete(e.device.id);
        else live.set(e.device.id, e.device);
        maxLive = Math.max(maxLive, live.size);
      }
    });
    const until = async (pred: () => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!pred()) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
    };
    const [syno, flooder] = lab.state.nas;
    const isSyno = (d: DiscoveredDevice) => d.hostname === `${syno!.hostname}.local`;
    try {
      await until(() => [...live.values()].some(isSyno), 15_000, 'the Synology before the flood');
      const r = await nasExec(lab.state, flooder!.index, [
        process.execPath,
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, // the NAS runs it from /
        join(REPO, 'e2e', 'lab', 'probes', 'mdns-flood.ts'),
        JSON.stringify({ iface: flooder!.address, count: 10_000 }),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ sent: 10_000, packets: 1000 });
      // the flood reached it: many fake hosts came and (past the cap) went
      await until(() => [...live.values()].some((d) => d.hostname?.startsWith('flood')), 10_000, 'flood devices');
      await new Promise((r) => setTimeout(r, 2000)); // let it drain what is queued
      expect(child.exitCode).toBeNull();
      expect(maxLive).toBeLessThanOrEqual(LIMITS.devices);
      const rss = rssMiB(child.pid!);
      console.error(`[flood] at most ${maxLive} devices listed at once; discover RSS ${rss.toFixed(0)} MiB after`);
      expect(rss).toBeLessThan(400);
      // still responsive: a real NAS that announces itself again is found
      await stopDaemon(syno!.index, 'avahi', lab.instance);
      await until(() => ![...live.values()].some(isSyno), 10_000, 'the Synology to say goodbye');
      await startDaemon(syno!.index, 'avahi', lab.instance);
      await until(() => [...live.values()].some((d) => isSyno(d) && d.vendor === 'synology'), 15_000, 'it again');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
