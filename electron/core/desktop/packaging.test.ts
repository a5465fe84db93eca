// The packaging config (build/electron-builder.config.ts) checked here, because electron-builder
// cannot run on this machine (no Electron binary download). It is loaded the way electron-builder
// loads it and passed through electron-builder's own schema check; then what the issue asks of
// the packages is asserted: targets, Info.plist keys, fuses, files, the CLI, icons, keytar.
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, matchesGlob, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import config, { bonjourServices, fuses } from '../../../build/electron-builder.config';
import { NAS_SERVICE_TYPES } from '../discovery/mdns';
import { CLI_SWITCH } from './launch';
import type { TrayStatus } from './tray-menu';

const root = resolve(__dirname, '../../..');
const require = createRequire(import.meta.url);
const at = (...p: string[]) => join(root, ...p);

interface BuilderConfigApi {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
}
const builderConfig = require('app-builder-lib/out/util/config/config') as BuilderConfigApi;
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

async function pngSize(path: string): Promise<{ width: number; height: number }> {
  const data = await readFile(path);
  expect(data.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

const targetsOf = (t: unknown): string[] =>
  (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));

describe('electron-builder config', () => {
  let loaded: Configuration;
  beforeAll(async () => {
    // Loaded from disk by electron-builder's loader (jiti), exactly as `npm run dist` does.
    loaded = await builderConfig.getConfig(root, 'build/electron-builder.config.ts', null);
  }, 60_000);

  it('passes electron-builder’s own schema check, which does reject a wrong key', async () => {
    await builderConfig.validateConfiguration(loaded, new DebugLogger(false));
    await expect(
      builderConfig.validateConfiguration(
        { ...loaded, mac: { ...loaded.mac, notAnOption: true } } as Configuration,
        new DebugLogger(false),
      ),
    ).rejects.toThrow(/configuration\.mac/);
  }, 60_000);

  it('builds AppImage, deb and rpm on Linux, dmg on macOS, nsis on Windows', () => {
    expect(targetsOf(loaded.linux?.target).sort()).toEqual(['AppImage', 'deb', 'rpm']);
    expect(targetsOf(loaded.mac?.target)).toEqual(['dmg']);
    expect(targetsOf(loaded.win?.target)).toEqual(['nsis']);
    expect(loaded.appId).toBe('app.nasdeck.desktop');
    expect(loaded.productName).toBe('Nasdeck');
  });

  it('declares local network use on macOS, with exactly the mDNS types discovery browses', () => {
    const info = loaded.mac?.extendInfo as Record<string, unknown>;
    expect(info.NSLocalNetworkUsageDescription).toMatch(/local network/);
    expect(info.NSBonjourServices).toEqual([...NAS_SERVICE_TYPES]);
    expect(bonjourServices).toEqual([...NAS_SERVICE_TYPES]);
    for (const type of info.NSBonjourServices as string[]) expect(type).toMatch(/^_[a-z0-9-]+\._(tcp|udp)$/);
    expect(new Set(info.NSBonjourServices as string[]).size).toBe((info.NSBonjourServices as string[]).length);
  });

  it('sets the Electron fuses: no RunAsNode, no NODE_OPTIONS, no --inspect, asar only and integrity-checked', () => {
    expect(loaded.electronFuses).toEqual(fuses);
    expect(loaded.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(loaded.asar).toBe(true);
  });

  it('packs the built app (main, preload, renderer, CLI, tray icons) and no source maps', async () => {
    const pkg = JSON.parse(await readFile(at('package.json'), 'utf8')) as { main: string };
    // electron-builder normalises `files` to [{ filter: [...] }] when loading.
    const patterns = (loaded.files as Array<{ filter: string[] }>).flatMap((f) => f.filter);
    expect(patterns).toEqual(config.files);
    const included = (file: string) => {
      let keep = false;
      for (const p of patterns) {
        if (p.startsWith('!')) {
          if (matchesGlob(file, p.slice(1))) keep = false;
        } else if (matchesGlob(file, p)) keep = true;
      }
      return keep;
    };
    for (const file of [
      pkg.main,
      'dist/electron/preload.cjs',
      'dist/electron/cli.mjs',
      'dist/renderer/index.html',
      'dist/renderer/assets/index-abc.js',
      'dist/electron/tray/error.png',
      'package.json',
    ]) {
      expect(included(file), file).toBe(true);
    }
    for (const file of ['dist/electron/main.cjs.map', 'electron/main/index.ts', 'e2e/lab/lab.ts', 'build/dist.mjs']) {
      expect(included(file), file).toBe(false);
    }
  });

  it('ships the nasdeck CLI as resources/bin, linked to /usr/bin/nasdeck by the Linux packages', async () => {
    expect(loaded.extraResources).toEqual([{ from: 'build/bin', to: 'bin', filter: ['nasdeck', 'nasdeck.cmd'] }]);
    expect((await stat(at('build/bin/nasdeck'))).mode & 0o111).not.toBe(0);
    expect(await readFile(at('build/bin/nasdeck.cmd'), 'utf8')).toContain(`Nasdeck.exe" ${CLI_SWITCH} %*`);
    expect(loaded.linux?.executableName).toBe('nasdeck-app');
    for (const pkg of [loaded.deb, loaded.rpm]) {
      const after = await readFile(at(pkg!.afterInstall!), 'utf8');
      expect(after).toContain("ln -sf '/opt/${sanitizedProductName}/resources/bin/nasdeck' '/usr/bin/nasdeck'");
      // Still does what electron-builder's template does: the app link and the chrome-sandbox mode.
      expect(after).toContain("'/usr/bin/${executable}'");
      expect(after).toContain('chrome-sandbox');
      expect(await readFile(at(pkg!.afterRemove!), 'utf8')).toContain("rm -f '/usr/bin/nasdeck'");
    }
  });

  it('rebuilds keytar for Electron in the dist script, not on install', async () => {
    expect(loaded.npmRebuild).toBe(false);
    const pkg = JSON.parse(await readFile(at('package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toBe('node build/dist.mjs');
    expect(pkg.scripts.postinstall ?? '').not.toMatch(/rebuild/);
    const dist = await readFile(at('build/dist.mjs'), 'utf8');
    expect(dist).toMatch(/rebuild\(\{ buildPath: root, electronVersion, onlyModules: \['keytar'\], force: true \}\)/);
    expect(dist).toContain("config: 'build/electron-builder.config.ts'");
    expect(dist).toContain("npm('rebuild', 'keytar')");
    expect(loaded.deb?.depends).toContain('libsecret-1-0');
    expect(loaded.rpm?.depends).toContain('libsecret');
  });

  it('has the icons it names: a 1024 px app icon, Linux sizes, a tray icon per state', async () => {
    expect(await pngSize(at(loaded.icon!))).toEqual({ width: 1024, height: 1024 });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(await pngSize(at(loaded.linux!.icon!, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    const states: TrayStatus[] = ['idle', 'mounted', 'offline', 'error'];
    for (const state of states) {
      expect(await pngSize(at('build/icons/tray', `${state}.png`))).toEqual({ width: 16, height: 16 });
      expect(await pngSize(at('build/icons/tray', `${state}@2x.png`))).toEqual({ width: 32, height: 32 });
    }
  });

  it('signs macOS with the hardened runtime and only the JIT entitlement', async () => {
    expect(loaded.mac?.hardenedRuntime).toBe(true);
    for (const file of [loaded.mac!.entitlements!, loaded.mac!.entitlementsInherit!]) {
      const plist = await readFile(at(file), 'utf8');
      const keys = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
      expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
    }
  });
});

describe('the shipped CLI wrapper (build/bin/nasdeck), run for real against a stand-in app binary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nasdeck-cli-wrapper-'));
    // The installed layout: /opt/Nasdeck/nasdeck-app and /opt/Nasdeck/resources/bin/nasdeck.
    await mkdir(join(dir, 'opt/Nasdeck/resources/bin'), { recursive: true });
    await copyFile(at('build/bin/nasdeck'), join(dir, 'opt/Nasdeck/resources/bin/nasdeck'));
    await chmod(join(dir, 'opt/Nasdeck/resources/bin/nasdeck'), 0o755);
    await writeFile(join(dir, 'opt/Nasdeck/nasdeck-app'), '#!/bin/sh\nfor a in "$@"; do printf "<%s>" "$a"; done\n', {
      mode: 0o755,
    });
    await mkdir(join(dir, 'usr/bin'), { recursive: true });
    await symlink(join(dir, 'opt/Nasdeck/resources/bin/nasdeck'), join(dir, 'usr/bin/nasdeck'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(join(dir, 'usr/bin/nasdeck'), ['status', 'my nas', '--json', '$(id)'], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });

  it('runs the app binary in CLI mode through the /usr/bin symlink, arguments intact', () => {
    const result = run({ DISPLAY: ':0' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`<${CLI_SWITCH}><status><my nas><--json><$(id)>`);
  });

  it('without a display, asks Chromium for its headless platform', () => {
    const result = run({});
    expect(result.stdout).toBe(`<--ozone-platform=headless><${CLI_SWITCH}><status><my nas><--json><$(id)>`);
  });
});
