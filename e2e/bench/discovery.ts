// Discovery benchmark (not a test): Nasdeck's discovery against avahi-browse on the same lab LAN.
//   npx tsx e2e/bench/discovery.ts [--nas 20] [--rounds 5] [--gap 2500] [--instance ndbench]
// Brings up N NAS namespaces on one bridge (personas linux/synology/truenas/qnap in turn, each with
// avahi and sshd), then per round measures, in the lab's client namespace:
//  - Nasdeck: from Discovery.start() (first queries) until every NAS is in the list with an address
//    and its vendor identified (e2e/bench/discovery-runner.ts, one Node process per round);
//  - avahi-browse -arpkt against a client avahi-daemon on a private system D-Bus (lab.md §7), the
//    daemon restarted each round (cold cache) but already running when avahi-browse starts: from
//    avahi-browse's spawn until every NAS has a resolved (`=`) line.
// Rounds are spaced by --gap ms (≥ 2 s: responders rate-limit repeated answers, RFC 6762 §6) and
// alternate which tool goes first. Results: a table on stdout and e2e/output/bench-discovery.json.
// Everything started here (client avahi/dbus, the lab instance) is torn down, also on failure or ^C.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clientExec, down, PERSONAS, up, validateInstance, type LabState, type Persona } from '../lab/lab';
import { sleep, waitFor } from '../lab/proc';
import type { RunnerResult } from './discovery-runner';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const OUTPUT = join(REPO, 'e2e', 'output', 'bench-discovery.json');
const GOAL = 0.8;

const { values: args } = parseArgs({
  options: {
    nas: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    gap: { type: 'string', default: '2500' },
    timeout: { type: 'string', default: '20000' },
    instance: { type: 'string', default: 'ndbench' },
  },
});
const NAS = Number(args.nas);
const ROUNDS = Number(args.rounds);
const GAP_MS = Math.max(2000, Number(args.gap));
const TIMEOUT_MS = Number(args.timeout);
const INSTANCE = validateInstance(args.instance);
if (!Number.isInteger(NAS) || NAS < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: npx tsx e2e/bench/discovery.ts [--nas 1..20] [--rounds N] [--gap ms] [--instance name]');
  process.exit(2);
}

const log = (m: string) => console.error(`[bench] ${m}`);
const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return round1(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
};

// ---------------------------------------------------------------- client avahi-daemon on a private D-Bus

interface Daemon {
  child: ChildProcess;
  exited: Promise<void>;
}

function startDaemon(argv: string[], env: NodeJS.ProcessEnv, logFile: string): Daemon & { output: () => string } {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile, { flags: 'a' });
  let text = '';
  const take = (chunk: Buffer) => {
    text += chunk.toString();
    out.write(chunk);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => out.end());
  return { child, exited, output: () => text };
}

async function stopDaemon(d: Daemon | undefined): Promise<void> {
  if (!d || d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  const killed = await Promise.race([d.exited.then(() => true), sleep(3000).then(() => false)]);
  if (!killed) {
    d.child.kill('SIGKILL');
    await d.exited;
  }
}

class ClientAvahi {
  private dbus: Daemon | undefined;
  private avahi: Daemon | undefined;
  private readonly dir: string;
  private readonly socket: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(private readonly state: LabState) {
    this.dir = join(state.workDir, 'bench');
    this.socket = join(this.dir, 'system_bus_socket');
    this.env = { PATH: process.env.PATH, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${this.socket}` };
  }

  async startBus(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(
      join(this.dir, 'dbus.conf'),
      [
        '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"',
        ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
        '<busconfig>',
        '  <type>system</type>',
        `  <listen>unix:path=${this.socket}</listen>`,
        '  <auth>EXTERNAL</auth>',
        '  <policy context="default">',
        '    <allow user="*"/>',
        '    <allow own="*"/>',
        '    <allow send_destination="*"/>',
        '    <allow receive_sender="*"/>',
        '  </policy>',
        '</busconfig>',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.dir, 'avahi-daemon.conf'),
      [
        '[server]',
        `host-name=${this.state.instance}-bench`,
        'domain-name=local',
        'use-ipv4=yes',
        'use-ipv6=no',
        `allow-interfaces=${this.state.client.bridge}`,
        'enable-dbus=yes',
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'disable-publishing=yes',
        'publish-hinfo=no',
        'publish-workstation=no',
        'publish-aaaa-on-ipv4=no',
        '',
      ].join('\n'),
    );
    this.dbus = startDaemon(
      [
        'ip',
        'netns',
        'exec',
        this.state.client.namespace,
        'dbus-daemon',
        `--config-file=${join(this.dir, 'dbus.conf')}`,
        '--nofork',
        '--nopidfile',
      ],
      this.env,
      join(this.dir, 'dbus.log'),
    );
    await waitFor('the private system bus socket', () => existsSync(this.socket), 10_000, 20);
  }

  /** A fresh avahi-daemon (cold cache), returned once it reports startup complete. */
  async restart(): Promise<void> {
    await stopDaemon(this.avahi);
    // avahi's pid file and socket live at compiled-in /run paths: give it a private /run (lab.md §7).
    const d = startDaemon(
      [
        'ip',
        'netns',
        'exec',
        this.state.client.namespace,
        'unshare',
        '-m',
        '--propagation',
        'private',
        'bash',
        '-c',
        'mount -t tmpfs nasdeck-bench-run /run && exec "$@"',
        'bash',
        'avahi-daemon',
        '-f',
        join(this.dir, 'avahi-daemon.conf'),
        '--no-drop-root',
        '--no-chroot',
        '--no-rlimits',
        '--no-proc-title',
      ],
      this.env,
      join(this.dir, 'avahi.log'),
    );
    this.avahi = d;
    await waitFor(
      'the client avahi-daemon to start',
      () => {
        if (d.child.exitCode !== null) throw new Error(`client avahi-daemon exited:\n${d.output()}`);
        return d.output().includes('Server startup complete');
      },
      15_000,
      20,
    );
  }

  async stopAvahi(): Promise<void> {
    await stopDaemon(this.avahi);
    this.avahi = undefined;
  }

  async stop(): Promise<void> {
    await this.stopAvahi();
    await stopDaemon(this.dbus);
    this.dbus = undefined;
  }
}

// ---------------------------------------------------------------- the two measurements

async function runNasdeck(state: LabState, expected: string[]): Promise<RunnerResult> {
  const r = await clientExec(
    state,
    [
      process.execPath,
      '--import',
      'tsx',
      join(HERE, 'discovery-runner.ts'),
      JSON.stringify({ iface: state.client.address, expect: expected, timeoutMs: TIMEOUT_MS }),
    ],
    { cwd: REPO, timeoutMs: TIMEOUT_MS + 30_000, env: { PATH: process.env.PATH, HOME: '/tmp' } },
  );
  if (r.code !== 0) throw new Error(`discovery runner failed (rc ${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunnerResult;
}

interface AvahiResult {
  firstMs: number | null;
  /** Every expected host has a resolved (`=`) line with an address. */
  allResolvedMs: number | null;
  /** avahi-browse -t exited (all browsers said "all for now" and every resolve finished). */
  exitMs: number | null;
  resolvedLines: number;
  missing: string[];
}

async function runAvahiBrowse(state: LabState, env: NodeJS.ProcessEnv, expected: string[]): Promise<AvahiResult> {
  const want = new Set(expected.map((h) => h.toLowerCase()));
  const seen = new Set<string>();
  const result: AvahiResult = { firstMs: null, allResolvedMs: null, exitMs: null, resolvedLines: 0, missing: [] };
  const t0 = performance.now();
  // -a all types, -r resolve, -p parseable, -k no type-name lookups, -t terminate after "all for now"
  const child = spawn('ip', ['netns', 'exec', state.client.namespace, 'avahi-browse', '-arpkt'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const ms = performance.now() - t0;
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      // =;iface;proto;name;type;domain;hostname;address;port;txt
      const f = line.split(';');
      if (f[0] !== '=' || !f[7]) continue;
      result.resolvedLines++;
      const host = f[6]!.toLowerCase();
      if (!want.has(host) || seen.has(host)) continue;
      seen.add(host);
      result.firstMs ??= round1(ms);
      if (seen.size === want.size) result.allResolvedMs = round1(ms);
    }
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const code = await Promise.race([exited, sleep(TIMEOUT_MS).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  } else {
    result.exitMs = round1(performance.now() - t0);
    if (code !== 0 && result.allResolvedMs === null) throw new Error(`avahi-browse failed (rc ${code}): ${stderr}`);
  }
  result.missing = [...want].filter((h) => !seen.has(h));
  return result;
}

// ---------------------------------------------------------------- main

interface Round {
  round: number;
  order: string;
  nasdeck: RunnerResult;
  avahiBrowse: AvahiResult;
}

function table(rounds: Round[]) {
  const f = (v: number | null) => (v === null ? 'timeout' : `${v.toFixed(1)}`);
  const lines = [
    'round  order           | nasdeck complete  first  all-addressed | avahi-browse all-resolved  first  -t exit',
    '-----  --------------  | ----------------  -----  ------------- | -------------------------  -----  -------',
  ];
  for (const r of rounds) {
    lines.push(
      `${String(r.round).padEnd(5)}  ${r.order.padEnd(14)}  | ${f(r.nasdeck.completeMs).padStart(16)}  ${f(r.nasdeck.firstMs).padStart(5)}  ${f(r.nasdeck.allAddressedMs).padStart(13)} | ${f(r.avahiBrowse.allResolvedMs).padStart(25)}  ${f(r.avahiBrowse.firstMs).padStart(5)}  ${f(r.avahiBrowse.exitMs).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const personas: Persona[] = Array.from({ length: NAS }, (_, i) => PERSONAS[i % PERSONAS.length]!);
  let state: LabState | undefined;
  let client: ClientAvahi | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await client?.stop().catch((e: unknown) => log(`stopping client avahi/dbus: ${String(e)}`));
      const r = await down(INSTANCE, { log });
      log(`lab ${INSTANCE} down (${r.seconds.toFixed(1)} s, ${r.killed} processes)`);
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // sshd is there so a plain Linux box can be named at all (its Debian SSH banner); avahi alone
    // advertises nothing that tells Linux apart from unknown.
    state = await up({ instance: INSTANCE, nas: NAS, personas, services: ['avahi', 'ssh'], log });
    const expected = state.nas.map((n) => `${n.hostname}.local`);
    client = new ClientAvahi(state);
    await client.startBus();
    // let the NAS responders finish their start-up announcements
    await sleep(GAP_MS);
    const rounds: Round[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const nasdeckFirst = i % 2 === 1;
      let nasdeck: RunnerResult | undefined;
      let avahiBrowse: AvahiResult | undefined;
      for (const tool of nasdeckFirst ? ['nasdeck', 'avahi'] : ['avahi', 'nasdeck']) {
        if (tool === 'nasdeck') {
          // no avahi-daemon on the client while Nasdeck runs: it would cache the answers (and ask itself)
          await client.stopAvahi();
          await sleep(GAP_MS);
          nasdeck = await runNasdeck(state, expected);
        } else {
          await client.restart(); // cold cache; warm process
          await sleep(GAP_MS);
          avahiBrowse = await runAvahiBrowse(state, client.env, expected);
          await client.stopAvahi();
        }
      }
      const r: Round = {
        round: i,
        order: nasdeckFirst ? 'nasdeck→avahi' : 'avahi→nasdeck',
        nasdeck: nasdeck!,
        avahiBrowse: avahiBrowse!,
      };
      rounds.push(r);
      log(
        `round ${i}: nasdeck ${r.nasdeck.completeMs ?? 'timeout'} ms (missing ${r.nasdeck.missing.join(',') || '-'}), ` +
          `avahi-browse ${r.avahiBrowse.allResolvedMs ?? 'timeout'} ms (missing ${r.avahiBrowse.missing.join(',') || '-'})`,
      );
    }
    const ok = <T>(xs: Array<T | null>) => xs.filter((x): x is T => x !== null);
    const med = {
      nasdeckCompleteMs: median(ok(rounds.map((r) => r.nasdeck.completeMs))),
      nasdeckFirstMs: median(ok(rounds.map((r) => r.nasdeck.firstMs))),
      nasdeckAllAddressedMs: median(ok(rounds.map((r) => r.nasdeck.allAddressedMs))),
      avahiBrowseAllResolvedMs: median(ok(rounds.map((r) => r.avahiBrowse.allResolvedMs))),
      avahiBrowseFirstMs: median(ok(rounds.map((r) => r.avahiBrowse.firstMs))),
      avahiBrowseExitMs: median(ok(rounds.map((r) => r.avahiBrowse.exitMs))),
    };
    const ratio =
      med.nasdeckCompleteMs !== null && med.avahiBrowseAllResolvedMs
        ? Math.round((med.nasdeckCompleteMs / med.avahiBrowseAllResolvedMs) * 1000) / 1000
        : null;
    const failures = rounds.filter((r) => r.nasdeck.completeMs === null || r.avahiBrowse.allResolvedMs === null).length;
    const notes = [
      'Nasdeck: from Discovery.start() (first queries) to the list holding every NAS with an address and a vendor; Node start-up excluded.',
      'avahi-browse: from spawning `avahi-browse -arpkt` to a resolved (=) line for every NAS.',
      'The client avahi-daemon is restarted before each avahi-browse run, so its cache is cold (no cache advantage), ' +
        'but it is already running: its ~1 s start-up is not counted (a head start Nasdeck, which opens its sockets inside the timed window, does not get).',
      'avahi-browse only resolves services; it identifies no vendor. Nasdeck must also name the vendor ' +
        '(Linux boxes only through their SSH banner, read after mDNS finds them).',
      `Rounds alternate which tool goes first and are spaced ≥ ${GAP_MS} ms apart (RFC 6762 §6 answer rate limit).`,
    ];
    const out = {
      date: new Date().toISOString(),
      nas: NAS,
      rounds: ROUNDS,
      personas: [...new Set(personas)],
      services: ['avahi', 'ssh'],
      machine: { cpus: cpus().length, node: process.version },
      notes,
      perRound: rounds,
      median: med,
      ratioNasdeckToAvahiBrowse: ratio,
      goal: GOAL,
      failures,
    };
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nDiscovery benchmark: ${NAS} NAS (${out.personas.join('/')}), ${ROUNDS} rounds, times in ms\n`);
    console.log(table(rounds));
    console.log(
      `\nmedian  nasdeck complete ${med.nasdeckCompleteMs} (first device ${med.nasdeckFirstMs}, all addressed ${med.nasdeckAllAddressedMs})`,
    );
    console.log(
      `median  avahi-browse all resolved ${med.avahiBrowseAllResolvedMs} (first ${med.avahiBrowseFirstMs}, -t exit ${med.avahiBrowseExitMs})`,
    );
    console.log(
      `ratio   nasdeck / avahi-browse = ${ratio ?? 'n/a'}× (goal ≤ ${GOAL}×: ${ratio !== null && ratio <= GOAL ? 'met' : 'NOT met'})`,
    );
    if (failures) console.log(`WARNING: ${failures} round(s) timed out; medians use the completed ones`);
    console.log(`\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n\nresults: ${OUTPUT}`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
