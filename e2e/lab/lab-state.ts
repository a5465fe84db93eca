// Test-side helpers: read the running lab's state and talk to it from the client namespace.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INSTANCE, naming, type LabState } from './config';
import { clientExec } from './lab';
import { run, type RunResult } from './proc';

export { clientExec, nasExec, nasPath } from './lab';
export type { LabState, NasState } from './config';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');

/** the lab brought up by global-setup (env NASDECK_LAB_STATE / NASDECK_LAB_INSTANCE), or another instance by name */
export function readLabState(instance?: string): LabState {
  const file = instance
    ? naming(instance).stateFile
    : (process.env.NASDECK_LAB_STATE ?? naming(process.env.NASDECK_LAB_INSTANCE ?? DEFAULT_INSTANCE).stateFile);
  let state: LabState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch (e) {
    throw new Error(`no lab state at ${file} (is the lab up? npm run lab:up): ${String(e)}`);
  }
  if (state.phase !== 'up') throw new Error(`lab ${state.instance} is not up (phase ${state.phase})`);
  return state;
}

/** TCP connect from the client namespace; true when the port accepts */
export async function clientTcpConnect(state: LabState, host: string, port: number, timeoutSec = 3): Promise<boolean> {
  // constant script; host and port are positional arguments, never spliced into it
  const r = await clientExec(state, [
    'timeout',
    String(timeoutSec),
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$1/$2"',
    'tcp-probe',
    host,
    String(port),
  ]);
  return r.code === 0;
}

export interface MdnsRecord {
  from: string;
  section: string;
  type: string;
  name: string;
  data: unknown;
}

/** Node multicast-dns query run as a child inside the client namespace */
export async function mdnsQuery(
  state: LabState,
  questions: { name: string; type: 'A' | 'PTR' | 'SRV' | 'TXT' | 'ANY' }[],
  waitMs = 2000,
  expectA?: string[],
): Promise<{ records: MdnsRecord[]; elapsedMs: number }> {
  const input = JSON.stringify({ iface: state.client.address, questions, waitMs, expectA });
  const r = await clientExec(
    state,
    [process.execPath, '--import', 'tsx', join(HERE, 'probes', 'mdns-query.ts'), input],
    { cwd: REPO, timeoutMs: waitMs + 20_000 },
  );
  if (r.code !== 0) throw new Error(`mdns probe failed rc ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { records: MdnsRecord[]; elapsedMs: number };
}

/** WS-Discovery Probe (UDP multicast 239.255.255.250:3702) from a Node child in the client namespace */
export async function wsdProbe(
  state: LabState,
  waitMs = 2000,
): Promise<{ from: string; endpoint: string; types: string; ms: number }[]> {
  const r = await clientExec(
    state,
    [process.execPath, '--import', 'tsx', join(HERE, 'probes', 'wsd-probe.ts'), state.client.address, String(waitMs)],
    {
      cwd: REPO,
      timeoutMs: waitMs + 20_000,
    },
  );
  if (r.code !== 0) throw new Error(`wsd probe failed rc ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { matches: { from: string; endpoint: string; types: string; ms: number }[] }).matches;
}

/** poll an async check until it passes (services such as nmbd answer a moment after they bind) */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    v = await fn();
  }
  return v;
}

export { run, type RunResult };
