// Start at login, following settings.startAtLogin: the OS login item on Windows and macOS, an XDG
// autostart entry on Linux (core/desktop/autostart.ts decides which and writes the entry).
import { app } from 'electron';
import {
  autostartExec,
  loginItemSettings,
  setXdgAutostart,
  startAtLoginMethod,
  startedHidden,
} from '../core/desktop/autostart';

export async function applyStartAtLogin(enabled: boolean): Promise<void> {
  // Unpackaged (`electron .`), the app folder is an argument of the Electron binary.
  const appArgs = app.isPackaged ? [] : [app.getAppPath()];
  if (startAtLoginMethod(process.platform) === 'login-item') {
    app.setLoginItemSettings(loginItemSettings(enabled, appArgs));
    return;
  }
  await setXdgAutostart(enabled, { exec: autostartExec(process.execPath), args: appArgs });
}

/** True when this launch came from the login item / autostart entry: stay in the tray. */
export function launchedHidden(argv: readonly string[]): boolean {
  const macHidden = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAsHidden;
  return startedHidden(argv, macHidden);
}
