import { mkdtemp, readFile, rm, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  autostartExec,
  loginItemSettings,
  quoteExecArg,
  setXdgAutostart,
  startAtLoginMethod,
  startedHidden,
  xdgAutostartEnabled,
  xdgAutostartPath,
  xdgDesktopEntry,
} from './autostart';

describe('start at login: method and login item', () => {
  it('uses the OS login item on Windows and macOS, XDG autostart elsewhere', () => {
    expect(startAtLoginMethod('win32')).toBe('login-item');
    expect(startAtLoginMethod('darwin')).toBe('login-item');
    expect(startAtLoginMethod('linux')).toBe('xdg-autostart');
    expect(startAtLoginMethod('freebsd')).toBe('xdg-autostart');
  });
  it('starts hidden from a login item', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    expect(loginItemSettings(false)).toEqual({ openAtLogin: false, openAsHidden: true, args: [] });
    expect(loginItemSettings(true, ['C:\\src\\nasdeck']).args).toEqual(['C:\\src\\nasdeck', '--hidden']);
  });
  it('knows a login launch by its argument or by macOS saying so', () => {
    expect(startedHidden(['/opt/Nasdeck/nasdeck', '--hidden'])).toBe(true);
    expect(startedHidden(['/opt/Nasdeck/nasdeck'])).toBe(false);
    expect(startedHidden(['/Applications/Nasdeck.app/Contents/MacOS/Nasdeck'], true)).toBe(true);
  });
});

describe('XDG autostart entry', () => {
  it('lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart', () => {
    expect(xdgAutostartPath({}, '/home/me')).toBe('/home/me/.config/autostart/nasdeck.desktop');
    expect(xdgAutostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/me')).toBe('/cfg/autostart/nasdeck.desktop');
    // The spec ignores a relative XDG_CONFIG_HOME.
    expect(xdgAutostartPath({ XDG_CONFIG_HOME: 'cfg' }, '/home/me')).toBe('/home/me/.config/autostart/nasdeck.desktop');
  });

  it('starts the AppImage itself rather than its temporary mount', () => {
    expect(autostartExec('/tmp/.mount_NasdeXYZ/nasdeck', { APPIMAGE: '/home/me/Apps/Nasdeck.AppImage' })).toBe(
      '/home/me/Apps/Nasdeck.AppImage',
    );
    expect(autostartExec('/opt/Nasdeck/nasdeck', {})).toBe('/opt/Nasdeck/nasdeck');
  });

  it('quotes Exec arguments by the Desktop Entry rules', () => {
    expect(quoteExecArg('/opt/Nasdeck/nasdeck')).toBe('/opt/Nasdeck/nasdeck');
    expect(quoteExecArg('/home/me/My Apps/Nasdeck.AppImage')).toBe('"/home/me/My Apps/Nasdeck.AppImage"');
    expect(quoteExecArg('/opt/100%/n')).toBe('/opt/100%%/n');
    // " ` $ \ are backslash-escaped inside quotes, and the backslashes escaped again (string value).
    expect(quoteExecArg('/a"b')).toBe('"/a\\\\"b"');
    expect(quoteExecArg('/a$HOME')).toBe('"/a\\\\$HOME"');
    expect(quoteExecArg('/a\\b')).toBe('"/a\\\\\\\\b"');
    expect(() => quoteExecArg('/a\nb')).toThrow(/control characters/);
    expect(() => quoteExecArg('')).toThrow();
  });

  it('writes an entry that starts Nasdeck hidden', () => {
    const text = xdgDesktopEntry({ exec: '/home/me/My Apps/Nasdeck.AppImage' });
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.0',
      'Name=Nasdeck',
      'Comment=Keeps your NAS shares mounted',
      'Exec="/home/me/My Apps/Nasdeck.AppImage" --hidden',
      'Icon=nasdeck',
      'Terminal=false',
      'NoDisplay=true',
      'X-GNOME-Autostart-enabled=true',
      'X-GNOME-Autostart-Delay=5',
      'X-KDE-autostart-after=panel',
      '',
    ]);
    expect(xdgDesktopEntry({ exec: '/usr/lib/electron/electron', args: ['/src/nasdeck'] })).toContain(
      'Exec=/usr/lib/electron/electron /src/nasdeck --hidden\n',
    );
    expect(() => xdgDesktopEntry({ exec: 'nasdeck' })).toThrow(/absolute path/);
  });
});

describe('XDG autostart on disk (temporary HOME)', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'nasdeck-autostart-'));
  });
  afterEach(async () => {
    await chmod(home, 0o700).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  });

  it('creates the folder and the entry, then removes it', async () => {
    const options = { exec: '/opt/Nasdeck/nasdeck', env: {}, home };
    expect(await xdgAutostartEnabled(options)).toBe(false);
    const on = await setXdgAutostart(true, options);
    expect(on).toEqual({ path: join(home, '.config/autostart/nasdeck.desktop'), changed: true });
    expect(await readFile(on.path, 'utf8')).toBe(xdgDesktopEntry(options));
    expect((await stat(on.path)).mode & 0o777).toBe(0o644);
    expect(await xdgAutostartEnabled(options)).toBe(true);

    expect(await setXdgAutostart(true, options)).toMatchObject({ changed: false });
    const off = await setXdgAutostart(false, options);
    expect(off.changed).toBe(true);
    await expect(stat(off.path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await setXdgAutostart(false, options)).toMatchObject({ changed: false });
  });

  it('rewrites a stale entry (the AppImage moved)', async () => {
    await setXdgAutostart(true, { exec: '/old/Nasdeck.AppImage', env: {}, home });
    const moved = await setXdgAutostart(true, { exec: '/new/Nasdeck.AppImage', env: {}, home });
    expect(moved.changed).toBe(true);
    expect(await readFile(moved.path, 'utf8')).toContain('Exec=/new/Nasdeck.AppImage --hidden');
  });

  it('honours XDG_CONFIG_HOME', async () => {
    const env = { XDG_CONFIG_HOME: join(home, 'cfg') };
    const { path } = await setXdgAutostart(true, { exec: '/opt/n', env, home });
    expect(path).toBe(join(home, 'cfg/autostart/nasdeck.desktop'));
    expect(await xdgAutostartEnabled({ env, home })).toBe(true);
  });

  it('treats an entry the desktop disabled (Hidden=true) as off', async () => {
    const path = xdgAutostartPath({}, home);
    await mkdir(join(home, '.config/autostart'), { recursive: true });
    await writeFile(path, `${xdgDesktopEntry({ exec: '/opt/n' })}Hidden=true\n`);
    expect(await xdgAutostartEnabled({ env: {}, home })).toBe(false);
  });

  it.skipIf(process.getuid?.() === 0)('says plainly when the folder is not writable', async () => {
    await mkdir(join(home, '.config/autostart'), { recursive: true });
    await chmod(join(home, '.config/autostart'), 0o500);
    await expect(setXdgAutostart(true, { exec: '/opt/n', env: {}, home })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { fix: expect.stringContaining('autostart') },
    });
  });

  it('says plainly when the entry path is blocked by a file (as root too)', async () => {
    await writeFile(join(home, '.config'), 'not a folder');
    await expect(setXdgAutostart(true, { exec: '/opt/n', env: {}, home })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('Could not write the autostart entry'),
    });
  });
});
