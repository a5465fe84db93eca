import { homedir } from 'node:os';
import { join } from 'node:path';

/** The platform's config directory for Nasdeck; NASDECK_CONFIG_DIR overrides it (tests, portable use). */
export function defaultConfigDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (env.NASDECK_CONFIG_DIR) return env.NASDECK_CONFIG_DIR;
  switch (platform) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Nasdeck');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Nasdeck');
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'nasdeck');
  }
}
