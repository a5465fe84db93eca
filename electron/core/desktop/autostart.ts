// Start at login, driven by settings.startAtLogin. Windows and macOS have an OS login item (the
// shell sets it with app.setLoginItemSettings from `loginItemSettings`); Linux desktops read XDG
// autostart entries (~/.config/autostart/*.desktop, "Desktop Application Autostart Specification"),
// which this module writes and removes. Started from login, Nasdeck comes up hidden in the tray.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { AppError } from '../../../shared/errors';

/** The argument a login launch carries, so the app starts in the tray without a window. */
export const HIDDEN_ARG = '--hidden';

export type StartAtLoginMethod = 'login-item' | 'xdg-autostart';

/** Chosen once per platform: the OS login item where there is one, XDG autostart elsewhere. */
export const startAtLoginMethod = (platform: NodeJS.Platform): StartAtLoginMethod =>
  platform === 'win32' || platform === 'darwin' ? 'login-item' : 'xdg-autostart';

/**
 * What app.setLoginItemSettings takes (Windows: args; macOS: openAsHidden, honoured before macOS 13).
 * `appArgs` go before --hidden: the app folder when running unpackaged Electron.
 */
export function loginItemSettings(
  enabled: boolean,
  appArgs: readonly string[] = [],
): { openAtLogin: boolean; openAsHidden: boolean; args: string[] } {
  return { openAtLogin: enabled, openAsHidden: true, args: enabled ? [...appArgs, HIDDEN_ARG] : [] };
}

/** Whether this launch should stay in the tray: started by login (argument, or macOS's own flag). */
export const startedHidden = (argv: readonly string[], wasOpenedAsHidden = false): boolean =>
  wasOpenedAsHidden || argv.includes(HIDDEN_ARG);

export interface XdgAutostartOptions {
  /** The program to start: the AppImage file when run from one ($APPIMAGE), else the executable. */
  exec: string;
  /** Arguments before --hidden (the app folder when running unpackaged Electron). */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** `$XDG_CONFIG_HOME/autostart/nasdeck.desktop`; XDG_CONFIG_HOME only counts when absolute. */
export function xdgAutostartPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const configHome =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, 'autostart', 'nasdeck.desktop');
}

/** The executable to put in Exec=: an AppImage must be started as the AppImage, not its mount. */
export const autostartExec = (execPath: string, env: NodeJS.ProcessEnv = process.env): string =>
  env.APPIMAGE && isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;

/**
 * One Exec= argument, per the Desktop Entry Specification: quoted when it holds a reserved
 * character, with `"` `` ` `` `$` `\` escaped inside quotes, then `\` escaped again because the
 * value is a string, and `%` doubled (field codes).
 */
export function quoteExecArg(arg: string): string {
  if (arg === '' || /[\0-\x1f\x7f]/.test(arg)) {
    throw new AppError('INVALID_INPUT', 'An autostart argument is empty or contains control characters.');
  }
  const percent = arg.replace(/%/g, '%%');
  if (!/[\s"'\\><~|&;$*?#()`=]/.test(percent)) return percent;
  const quoted = `"${percent.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/\\/g, '\\\\');
}

export function xdgDesktopEntry(options: Pick<XdgAutostartOptions, 'exec' | 'args'>): string {
  if (!isAbsolute(options.exec)) {
    throw new AppError('INVALID_INPUT', `The program to start at login must be an absolute path: ${options.exec}`);
  }
  const exec = [options.exec, ...(options.args ?? []), HIDDEN_ARG].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Nasdeck',
    'Comment=Keeps your NAS shares mounted',
    `Exec=${exec}`,
    'Icon=nasdeck',
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    'X-GNOME-Autostart-Delay=5',
    'X-KDE-autostart-after=panel',
    '',
  ].join('\n');
}

/** Writes (atomically) or removes the autostart entry. Returns its path and whether anything changed. */
export async function setXdgAutostart(
  enabled: boolean,
  options: XdgAutostartOptions,
): Promise<{ path: string; changed: boolean }> {
  const path = xdgAutostartPath(options.env, options.home);
  const current = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
  if (!enabled) {
    if (current === null) return { path, changed: false };
    await rm(path, { force: true });
    return { path, changed: true };
  }
  const content = xdgDesktopEntry(options);
  if (current === content) return { path, changed: false };
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temp, content, { mode: 0o644 });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'PERMISSION_DENIED' : 'INTERNAL',
      `Could not write the autostart entry ${path}: ${(err as Error).message}`,
      { fix: `Make sure ${dirname(path)} is a folder you can write to.` },
    );
  }
  return { path, changed: true };
}

/** True when an autostart entry exists and is not disabled by the desktop (Hidden=true). */
export async function xdgAutostartEnabled(options: Pick<XdgAutostartOptions, 'env' | 'home'> = {}): Promise<boolean> {
  const text = await readFile(xdgAutostartPath(options.env, options.home), 'utf8').catch(() => null);
  if (text === null) return false;
  return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
}
