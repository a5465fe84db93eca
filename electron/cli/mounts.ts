// `nasdeck mount`: this computer's SMB/NFS mounts (../shared/CLI.md "This computer as a client").
import { Option, type Command } from 'commander';
import type { CommandParams } from '../../shared/api';
import { clientOses, type Mount } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Cli } from './cli';
import { readSecret } from './io';
import { printOutcome } from './nas';
import { table } from './output';

export function mountTable(mounts: Mount[]): string {
  if (mounts.length === 0) return 'No mounts yet. Add one with `nasdeck mount add smb://nas/share`.\n';
  return table(
    ['NAME', 'STATE', 'URL', 'MOUNT POINT', 'SINCE'],
    mounts.map((m) => [m.name, m.reason ? `${m.state} (${m.reason})` : m.state, m.url, m.mountPoint, m.since]),
  );
}

const osOption = () =>
  new Option('--os <os>', 'plan for another operating system (with --dry-run)').choices([...clientOses]);

/** `<mount>` or `--all`, exactly one. */
function ref(mount: string | undefined, opts: { all?: boolean }): { mount?: string; all?: boolean } {
  if ((mount === undefined) === !opts.all) throw new AppError('INVALID_INPUT', 'Name one mount, or give --all.');
  return opts.all ? { all: true } : { mount: mount! };
}

export function mountCommands(cli: Cli, program: Command) {
  const mount = program.command('mount').description("this computer's SMB and NFS mounts: add, list, up, down, remove");

  mount
    .command('add')
    .description('save a mount and mount it (smb://host/share[/path] or nfs://host/export)')
    .argument('<url>', 'smb://host/share[/path] or nfs://host/export')
    .option(
      '--at <place>',
      'a drive letter (Z:) on Windows, a folder elsewhere (default: a free letter from Z: down, or ~/NAS/<share>)',
    )
    .option('--name <name>', 'the name to show (default: the share)')
    .option('--user <user>', 'account on the NAS (DOMAIN\\user allowed)')
    .option('--password-stdin', 'read the password from stdin (kept in the OS keychain)')
    .option('--read-only', 'mount read-only')
    .addOption(
      new Option('--smb-version <version>', 'insist on an SMB dialect').choices([
        '1.0',
        '2.0',
        '2.1',
        '3.0',
        '3.0.2',
        '3.1.1',
      ]),
    )
    .option('--persistent', 'mount again at every boot or logon (system mount on Linux)')
    .option('--auto-reconnect', 'remount by itself when the NAS comes back (the default)')
    .option('--no-auto-reconnect', 'leave it offline until `mount up`')
    .option('--no-mount', 'only save the profile; mount later with `mount up`')
    .addOption(osOption())
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (url: string, o, cmd: Command) => {
      const params: CommandParams<'mounts.add'> = {
        url,
        readOnly: !!o.readOnly,
        persistent: !!o.persistent,
        autoReconnect: o.autoReconnect !== false,
        mountNow: o.mount !== false,
        dryRun: !!o.dryRun,
      };
      if (o.at !== undefined) params.at = o.at;
      if (o.name !== undefined) params.name = o.name;
      if (o.user !== undefined) params.user = o.user;
      if (o.smbVersion !== undefined) params.smbVersion = o.smbVersion;
      if (o.os !== undefined) params.os = o.os;
      if (o.passwordStdin) {
        if (!o.user && !/^smb:\/\/[^/@]+@/.test(url))
          throw new AppError('INVALID_INPUT', '--password-stdin needs --user.');
        params.password = await readSecret(cli.io, 'Password');
      }
      const outcome = await cli.call(cmd, 'mounts.add', params);
      printOutcome(cli, cmd, outcome, (m) =>
        m.state === 'mounted'
          ? `Mounted ${m.url} at ${m.mountPoint} as "${m.name}".\n`
          : `Saved "${m.name}" (${m.url} → ${m.mountPoint}); mount it with \`nasdeck mount up ${m.name}\`.\n`,
      );
    });

  mount
    .command('list')
    .description('saved mounts and their state (mounted, offline, reconnecting, unmounted, error)')
    .action(async (_o, cmd: Command) => {
      const mounts = await cli.call(cmd, 'mounts.list', {});
      cli.print(cmd, mounts, () => mountTable(mounts));
    });

  mount
    .command('open')
    .description("show a mounted share's files in the file manager")
    .argument('<mount>', 'id or name (see `mount list`)')
    .action(async (name: string, _o, cmd: Command) => {
      const { opened } = await cli.call(cmd, 'mounts.open', { mount: name });
      cli.print(cmd, { opened }, () => `Opened ${opened}.\n`);
    });

  const verbs = [
    ['up', 'mounts.up', 'mount a saved mount now', 'Mounted'],
    ['down', 'mounts.down', 'unmount (the profile stays saved)', 'Unmounted'],
    ['remove', 'mounts.remove', 'unmount and forget a mount and its saved password', 'Removed'],
  ] as const;
  for (const [verb, method, description, done] of verbs) {
    mount
      .command(verb)
      .description(description)
      .argument('[mount]', 'id or name (see `mount list`)')
      .option('--all', 'every saved mount')
      .addOption(osOption())
      .option('--dry-run', 'print the exact steps and change nothing')
      .action(async (name: string | undefined, o, cmd: Command) => {
        const params = { ...ref(name, o), dryRun: !!o.dryRun, ...(o.os ? { os: o.os } : {}) };
        const outcome = await cli.call(cmd, method, params);
        printOutcome(cli, cmd, outcome, (ms: Mount[]) =>
          ms.length === 0
            ? 'No mounts.\n'
            : ms.map((m) => `${done} ${m.name} (${m.mountPoint}): ${m.state}.\n`).join(''),
        );
      });
  }
}
