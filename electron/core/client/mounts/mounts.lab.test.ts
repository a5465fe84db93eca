// The mount manager against the real lab NAS (Samba + NFS-Ganesha), through gvfs in a private
// desktop session, reached over the lab's host link: mount, write, read back, unmount; the NAS
// link cut and restored under the liveness monitor; and the password never visible to others.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cutLink, restoreLink } from '../../../../e2e/lab/lab';
import { readLabState, type LabState, type NasState } from '../../../../e2e/lab/lab-state';
import type { Mount } from '../../../../shared/domain';
import { EventBus } from '../../events';
import { JobManager } from '../../jobs/jobs';
import { MemoryVault } from '../../secrets/vault';
import { ConfigStore } from '../../store/config';
import { createExec } from '../exec';
import { startGvfsSession, type GvfsSession } from '../../../../e2e/support/gvfs-session';
import { MountService } from '.';

let state: LabState;
let nas: NasState;
let session: GvfsSession;
let service: MountService | undefined;
let configDir: string;
let events: EventBus;
const changes: Mount[][] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  deadlineMs: number,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  let last: T | undefined;
  while (Date.now() - start <= deadlineMs) {
    last = await read();
    if (ok(last)) return { value: last, ms: Date.now() - start };
    await sleep(100);
  }
  throw new Error(`${what} not within ${deadlineMs} ms; last: ${JSON.stringify(last)}`);
}

/** Every process's argv on the machine, sampled from /proc while `during` runs. */
async function sampleArgv<T>(during: () => Promise<T>): Promise<{ result: T; samples: number; cmdlines: Set<string> }> {
  const cmdlines = new Set<string>();
  let samples = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const c = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (c) cmdlines.add(c.replace(/\0/g, ' '));
      }
      samples++;
    }
  })();
  try {
    const result = await during();
    return { result, samples, cmdlines };
  } finally {
    done = true;
    await sampler;
  }
}

async function filesContaining(dir: string, needle: string, skip: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (skip.includes(path)) continue;
    if (entry.isDirectory()) hits.push(...(await filesContaining(path, needle, skip)));
    else if (entry.isFile() && (await readFile(path, 'latin1').catch(() => '')).includes(needle)) hits.push(path);
  }
  return hits;
}

function newService(monitor = false): MountService {
  events = new EventBus();
  events.on('mounts.changed', (e) => changes.push(e.mounts));
  const s = new MountService({
    store: new ConfigStore(configDir),
    vault: new MemoryVault(),
    events,
    jobs: new JobManager(events),
    env: { ...process.env, ...session.env },
    exec: createExec({ baseEnv: { ...process.env, ...session.env } }),
    hostOs: 'linux',
    // The defaults, spelled out: offline within 5 s needs a check every second that gives up after 2.5 s.
    monitor: { intervalMs: 1000, probeTimeoutMs: 2500, tcpTimeoutMs: 1500, backoffMs: 1000, maxBackoffMs: 4000 },
  });
  if (monitor) s.startMonitor();
  return s;
}

const smbUrl = () => `smb://${nas.address}/${nas.smb!.shares[0]}`;
const nfsUrl = () => `nfs://${nas.address}${nas.nfs!.exports[0]}`;

beforeAll(async () => {
  state = readLabState();
  nas = state.nas[0]!;
  session = await startGvfsSession();
});

afterEach(async () => {
  await restoreLink(nas.index, state.instance).catch(() => undefined);
  if (service) {
    await service.remove({ all: true }).catch(() => undefined);
    await service.close();
    service = undefined;
  }
});

afterAll(async () => {
  await session?.stop();
});

describe('mounts through gvfs on the lab NAS', () => {
  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'nasdeck-mounts-'));
  });

  it('mounts SMB and NFS, writes a file and reads it back, unmounts; the password stays out of argv and config', async () => {
    service = newService();
    const password = nas.smb!.password; // random per lab: a canary nothing else on this machine holds
    const { result, samples, cmdlines } = await sampleArgv(async () => {
      const smb = await service!.add({
        url: smbUrl(),
        user: nas.smb!.user,
        password,
        readOnly: false,
        persistent: false,
        autoReconnect: true,
        mountNow: true,
      });
      const nfs = await service!.add({
        url: nfsUrl(),
        readOnly: false,
        persistent: false,
        autoReconnect: true,
        mountNow: true,
      });
      return { smb, nfs };
    });
    expect(samples).toBeGreaterThan(3);
    expect([...cmdlines].some((c) => c.startsWith('gio mount smb://'))).toBe(true); // the sampler did see the mount
    expect([...cmdlines].filter((c) => c.includes(password))).toEqual([]);
    expect(await readFile(join(configDir, 'config.json'), 'utf8')).not.toContain(password);
    expect(JSON.stringify({ result, changes })).not.toContain(password);
    // nor in any file of the session (gvfs's and the keyring's state and logs), the FUSE mounts aside
    expect(await filesContaining(session.env.HOME!, password, [session.fuseDir])).toEqual([]);

    const mounts = await service.list();
    expect(mounts.map((m) => [m.name, m.state])).toEqual([
      [nas.smb!.shares[0], 'mounted'],
      ['export', 'mounted'],
    ]);
    for (const m of mounts) {
      const file = join(m.mountPoint, `nasdeck-${m.name}-${process.pid}.txt`);
      const text = `written through ${m.url} at ${new Date().toISOString()}\n`;
      await writeFile(file, text);
      expect(await readFile(file, 'utf8')).toBe(text);
    }

    const down = await service.down({ all: true });
    expect(down.applied && down.value.map((m) => m.state)).toEqual(['unmounted', 'unmounted']);
    const gio = await createExec({ baseEnv: { ...process.env, ...session.env } })({ argv: ['gio', 'mount', '-l'] });
    expect(gio.stdout).not.toContain(`${nas.address}`);
    expect((await service.list()).map((m) => m.state)).toEqual(['unmounted', 'unmounted']);
  });

  it('a wrong password is AUTH_FAILED and leaves no profile behind', async () => {
    service = newService();
    await expect(
      service.add({
        url: smbUrl(),
        user: nas.smb!.user,
        password: 'not-the-password',
        readOnly: false,
        persistent: false,
        autoReconnect: true,
        mountNow: true,
      }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(await service.list()).toEqual([]);
  });

  it('marks mounts offline within 5 s of the link going down, answers list() meanwhile, and remounts within 10 s of it coming back', async () => {
    service = newService(true);
    await service.add({
      url: smbUrl(),
      user: nas.smb!.user,
      password: nas.smb!.password,
      readOnly: false,
      persistent: false,
      autoReconnect: true,
      mountNow: true,
    });
    await service.add({ url: nfsUrl(), readOnly: false, persistent: false, autoReconnect: true, mountNow: true });
    await sleep(1500); // a few healthy monitor rounds first
    expect((await service.list()).map((m) => m.state)).toEqual(['mounted', 'mounted']);

    await cutLink(nas.index, state.instance);
    const offline = await until(
      'both offline',
      () => service!.list(),
      (ms) => ms.every((m) => m.state === 'offline'),
      5000,
    );
    expect(offline.value.every((m) => m.reason && m.reason.length > 0)).toBe(true);
    // While the NAS is gone every call still answers at once: nothing waits on the dead mounts.
    for (let i = 0; i < 5; i++) {
      const answered = await Promise.race([service.list().then(() => true), sleep(500).then(() => false)]);
      expect(answered).toBe(true);
    }
    // A process without the monitor (the CLI) checks for itself, bounded by the probe timeouts.
    const cliView = newService(false);
    const seenByCli = await Promise.race([cliView.list(), sleep(4000).then(() => null)]);
    expect(seenByCli?.map((m) => m.state)).toEqual(['offline', 'offline']);

    await restoreLink(nas.index, state.instance);
    const back = await until(
      'both mounted again',
      () => service!.list(),
      (ms) => ms.every((m) => m.state === 'mounted'),
      10_000,
    );
    for (const m of back.value) expect((await readdir(m.mountPoint)).length).toBeGreaterThanOrEqual(0);
    const file = join(back.value[0]!.mountPoint, `after-restore-${process.pid}.txt`);
    await writeFile(file, 'back');
    expect(await readFile(file, 'utf8')).toBe('back');
    const seen = changes.flat().map((m) => m.state);
    expect(seen).toContain('offline');
    console.error(`[mounts.lab] offline after ${offline.ms} ms, mounted again after ${back.ms} ms`);
  });

  it('mounts again by itself when something else unmounts the share', async () => {
    service = newService(true);
    const added = await service.add({
      url: nfsUrl(),
      readOnly: false,
      persistent: false,
      autoReconnect: true,
      mountNow: true,
    });
    expect(added.applied && added.value.state).toBe('mounted');
    const gone = await createExec({ baseEnv: { ...process.env, ...session.env } })({
      argv: ['gio', 'mount', '-u', nfsUrl()],
    });
    expect(gone.code).toBe(0);
    await until(
      'noticed',
      () => service!.list(),
      (ms) => ms[0]!.state !== 'mounted',
      5000,
    );
    const back = await until(
      'mounted again',
      () => service!.list(),
      (ms) => ms[0]!.state === 'mounted',
      10_000,
    );
    expect((await readdir(back.value[0]!.mountPoint)).length).toBeGreaterThanOrEqual(0);
    expect(changes.flat().some((m) => m.state === 'reconnecting')).toBe(true);
  });
});
