// Manual discovery: probe the management ports of a host or a CIDR range with bounded concurrency
// and a short timeout; the SSH banner names the OS where it can.
import { lookup } from 'node:dns/promises';
import { isIPv4, Socket } from 'node:net';
import { AppError } from '../../../shared/errors';
import type { DiscoverySource, Sighting } from './sighting';

export const PROBE_PORTS: Record<number, string> = {
  22: 'ssh',
  80: 'http',
  443: 'https',
  445: 'smb',
  2049: 'nfs',
  3260: 'iscsi',
  5000: 'http',
  5001: 'https',
  8080: 'http',
};

const MAX_HOSTS = 1024;

const toInt = (ip: string) => ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** `10.0.0.0/24` → its host addresses (network and broadcast excluded); a host is itself. */
export async function expandTargets(targets: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const target of targets) {
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(target);
    if (cidr) {
      const bits = Number(cidr[2]);
      if (!isIPv4(cidr[1]!) || bits > 32)
        throw new AppError('INVALID_INPUT', `"${target}" is not a valid IPv4 CIDR range.`);
      const size = 2 ** (32 - bits);
      if (size > MAX_HOSTS * 4)
        throw new AppError('INVALID_INPUT', `"${target}" has ${size} addresses; probe at most a /22 at a time.`);
      const base = toInt(cidr[1]!) - (toInt(cidr[1]!) % size);
      const [first, last] = size <= 2 ? [base, base + size - 1] : [base + 1, base + size - 2];
      for (let n = first; n <= last; n++) out.push(toIp(n));
    } else {
      try {
        out.push((await lookup(target, { family: 4 })).address);
      } catch {
        throw new AppError('UNREACHABLE', `"${target}" does not resolve to an address.`, { target });
      }
    }
  }
  if (out.length > MAX_HOSTS)
    throw new AppError('INVALID_INPUT', `That is ${out.length} hosts; probe at most ${MAX_HOSTS} at a time.`);
  return [...new Set(out)];
}

/** Opens a TCP connection: null if closed; else '' or, with readBanner, the server's first line (SSH). */
export function probePort(
  host: string,
  port: number,
  timeoutMs: number,
  readBanner = port === 22,
): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    let banner = '';
    const done = (value: string | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(banner || (socket.remoteAddress ? '' : null)));
    socket.once('error', () => done(null));
    socket.connect(port, host, () => {
      if (!readBanner) return done('');
      socket.setTimeout(Math.min(timeoutMs, 1000), () => done(''));
    });
    socket.on('data', (chunk: Buffer) => {
      banner += chunk.toString('latin1');
      const nl = banner.indexOf('\n');
      if (nl >= 0 || banner.length > 255) done(banner.slice(0, nl >= 0 ? nl : 255).trim());
    });
  });
}

export interface ProbeOptions {
  targets: string[];
  ports?: number[];
  concurrency?: number;
  timeoutMs?: number;
  /** Ports that speak SSH (their banner names the OS); default 22. */
  sshPorts?: number[];
  /** Called as hosts finish, for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

export class ProbeSource implements DiscoverySource {
  readonly name = 'probe' as const;
  private stopped = false;

  constructor(private readonly options: ProbeOptions) {}

  async start(onSighting: (s: Sighting) => void): Promise<void> {
    this.stopped = false;
    const hosts = await expandTargets(this.options.targets);
    const ports = this.options.ports ?? Object.keys(PROBE_PORTS).map(Number);
    const timeoutMs = this.options.timeoutMs ?? 800;
    const sshPorts = this.options.sshPorts ?? [22];
    const jobs = hosts.flatMap((host) => ports.map((port) => ({ host, port })));
    const open = new Map<string, Array<{ port: number; banner: string }>>();
    const remaining = new Map(hosts.map((h) => [h, ports.length]));
    let finished = 0;
    let next = 0;
    const worker = async () => {
      while (!this.stopped && next < jobs.length) {
        const { host, port } = jobs[next++]!;
        const banner = await probePort(host, port, timeoutMs, sshPorts.includes(port));
        if (banner !== null) open.set(host, [...(open.get(host) ?? []), { port, banner }]);
        const left = remaining.get(host)! - 1;
        remaining.set(host, left);
        if (left > 0) continue;
        this.options.onProgress?.(++finished, hosts.length);
        const found = open.get(host);
        if (!found?.length) continue;
        const sshBanner = found.find((f) => sshPorts.includes(f.port))?.banner;
        onSighting({
          source: 'probe',
          key: host,
          addresses: [host],
          services: found.map((f) => ({
            type: sshPorts.includes(f.port) ? 'ssh' : (PROBE_PORTS[f.port] ?? `tcp-${f.port}`),
            port: f.port,
          })),
          ...(sshBanner ? { facts: { sshBanner } } : {}),
          ttl: 600,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 64, jobs.length) }, worker));
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
