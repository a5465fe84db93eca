import { fork } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, CONFIG_VERSION, ConfigStore, configSchema } from './config';

const tempDir = () => mkdtemp(join(tmpdir(), 'nasdeck-config-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConfigStore', () => {
  it('starts empty and persists a change with version and 0600 mode', async () => {
    const dir = await tempDir();
    const store = new ConfigStore(dir);
    expect((await store.read()).devices).toEqual([]);
    await store.mutate((c) => {
      c.settings.theme = 'dark';
    });
    const raw = JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8'));
    expect(raw.version).toBe(CONFIG_VERSION);
    expect(raw.settings.theme).toBe('dark');
    expect((await stat(join(dir, CONFIG_FILE))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual([CONFIG_FILE]);
  });

  it('serializes concurrent mutations in one process without losing any', async () => {
    const store = new ConfigStore(await tempDir());
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        store.mutate((c) => {
          c.mounts.push({
            id: String(i),
            name: `m${i}`,
            url: 'smb://h/s',
            mountPoint: '/m',
            persistent: false,
            autoReconnect: true,
          });
        }),
      ),
    );
    expect((await store.read()).mounts).toHaveLength(25);
  });

  it('keeps a corrupt file aside instead of overwriting it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, CONFIG_FILE), '{"version":1,"devices":[{"id":');
    const store = new ConfigStore(dir);
    expect((await store.read()).devices).toEqual([]);
    const names = await readdir(dir);
    const aside = names.find((n) => n.startsWith(`${CONFIG_FILE}.corrupt-`));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toBe('{"version":1,"devices":[{"id":');
  });

  it('refuses to touch a config written by a newer version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify({ version: 99, devices: [] }));
    await expect(new ConfigStore(dir).mutate(() => undefined)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8')).version).toBe(99);
  });

  it('upgrades an unversioned file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify({ devices: [] }));
    const c = await new ConfigStore(dir).read();
    expect(c.version).toBe(CONFIG_VERSION);
    expect(c.settings.theme).toBe('system');
  });

  it('upgrades a version 1 file with mounts to version 2, keeping every profile as it was', async () => {
    const dir = await tempDir();
    const v1Mount = {
      id: 'm1',
      name: 'media',
      url: 'smb://nas/media',
      mountPoint: '/home/u/NAS/media',
      user: 'u',
      persistent: true,
      autoReconnect: false,
    };
    await writeFile(join(dir, CONFIG_FILE), JSON.stringify({ version: 1, devices: [], mounts: [v1Mount] }));
    const store = new ConfigStore(dir);
    const c = await store.read();
    expect(c.version).toBe(2);
    expect(c.mounts).toEqual([v1Mount]);
    await store.mutate((x) => {
      x.mounts[0]!.readOnly = true;
    });
    const raw = JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8'));
    expect(raw.version).toBe(2);
    expect(raw.mounts[0]).toEqual({ ...v1Mount, readOnly: true });
  });

  it('takes over the lock of a writer that died', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.lock'), '999999999');
    await new ConfigStore(dir, { lockTimeoutMs: 500 }).mutate((c) => {
      c.settings.autoReconnect = false;
    });
    expect((await new ConfigStore(dir).read()).settings.autoReconnect).toBe(false);
  });

  it('leaves valid JSON after kill -9 at random points of many saves by concurrent writers', async () => {
    const dir = await tempDir();
    const fixture = join(import.meta.dirname, '__fixtures__', 'save-loop.ts');
    let kills = 0;
    let lastCount = -1;
    for (let round = 0; round < 8; round++) {
      const writers = Array.from({ length: 3 }, () =>
        fork(fixture, [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
      );
      await Promise.all(writers.map((w) => new Promise((r) => w.once('message', r))));
      await sleep(50 + Math.random() * 250);
      for (const w of writers) {
        w.kill('SIGKILL');
        kills += 1;
      }
      await Promise.all(
        writers.map((w) => new Promise((r) => (w.exitCode !== null || w.signalCode ? r(null) : w.once('exit', r)))),
      );
      const text = await readFile(join(dir, CONFIG_FILE), 'utf8');
      const parsed = configSchema.parse(JSON.parse(text)); // throws on a torn or invalid file
      expect(parsed.version).toBe(CONFIG_VERSION);
      lastCount = parsed.devices.length;
    }
    expect(kills).toBe(24);
    expect(lastCount).toBeGreaterThan(0);
    // The next writer recovers: stale lock taken over, orphan temp files removed.
    await new ConfigStore(dir, { lockTimeoutMs: 2000 }).mutate(() => undefined);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n === 'config.lock')).toEqual([]);
  }, 60_000);
});
