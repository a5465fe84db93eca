// How the app binary was asked to start: as the `nasdeck` CLI (the shipped wrapper scripts run
// the app binary with --nasdeck-cli, since the RunAsNode fuse is off), hidden in the tray (login),
// or showing a page.
import { isPageHref } from './routes';

export const CLI_SWITCH = '--nasdeck-cli';
const OPEN_PREFIX = '--open=';

/** The CLI's arguments when started as the CLI, else null. Everything after the switch is the CLI's. */
export function cliArgs(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(CLI_SWITCH);
  if (at < 0) return null;
  const rest = argv.slice(at + 1);
  return rest[0] === '--' ? rest.slice(1) : rest;
}

/** `--open=#/mounts`: the page a launch asks for; anything that is not one of our routes is ignored. */
export function requestedPage(argv: readonly string[]): string | undefined {
  const arg = argv.find((a) => a.startsWith(OPEN_PREFIX));
  const route = arg?.slice(OPEN_PREFIX.length);
  return route && isPageHref(route) ? route : undefined;
}
