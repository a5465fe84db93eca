// Small process helpers: argv-only execution (never a shell), polling, /proc scans.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { connect } from 'node:net';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

// Run argv, never throw: the caller decides what a non-zero exit means.
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('empty argv');
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        cwd: opts.cwd,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const e = err as (Omit<NodeJS.ErrnoException, 'code'> & { code?: number | string; killed?: boolean }) | null;
        let code = 0;
        if (e) code = typeof e.code === 'number' ? e.code : 127;
        if (e && e.killed) code = 124;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

// Run argv and throw with its output when it fails.
export async function must(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`command failed (rc ${r.code}): ${argv.join(' ')}\n${r.stderr.trim()}\n${r.stdout.trim()}`.trim());
  }
  return r.stdout;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Poll fn until it returns a truthy value or the deadline passes.
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

// ---- /proc helpers ----

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

export function procState(pid: number): string | undefined {
  try {
    const m = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** alive = exists and is not a zombie (PID 1 here reaps lazily, so kill -0 lies) */
export function isAlive(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

export function procUid(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function nsInode(pid: number | 'self', kind: 'net' | 'pid' | 'mnt'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** inode id of a named netns as `net:[N]`, comparable with /proc/PID/ns/net */
export function netnsId(name: string): string | undefined {
  try {
    return `net:[${statSync(`/run/netns/${name}`).ino}]`;
  } catch {
    return undefined;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** our own pid and ancestors: never kill these during cleanup */
export function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    try {
      const m = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      pid = m ? Number(m[1]) : 0;
    } catch {
      break;
    }
  }
  return out;
}

/** TCP LISTEN sockets (and bound UDP sockets) on `port` in the netns of `pid`, read from /proc without spawning */
export function portBound(pid: number, proto: 'tcp' | 'udp', port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of [proto, `${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${f}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const st = cols[3];
      if (!local || !local.endsWith(`:${hexPort}`)) continue;
      if (proto === 'udp' || st === '0A') return true;
    }
  }
  return false;
}

/** TCP connect from the current (root) netns; used only for sanity tests of local things */
export function tcpProbe(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

export { spawn };
