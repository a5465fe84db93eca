// This computer's iSCSI initiator from the command line (../shared/CLI.md): discover, connect,
// list, disconnect; --dry-run --os windows|macos|linux prints the exact steps for any system.
import { Option, type Command } from 'commander';
import type { CommandParams } from '../../shared/api';
import {
  clientOses,
  type InitiatorSession,
  type InitiatorTarget,
  type Outcome,
  type PlanStep,
} from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { Cli } from './cli';
import type { CliIo } from './io';
import { printable, table } from './output';

const osOption = () =>
  new Option('--os <os>', 'plan for another operating system (with --dry-run)').choices([...clientOses]);

const shellWord = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a));

export function initiatorPlanText(steps: PlanStep[]): string {
  if (steps.length === 0) return 'Nothing to change.\n';
  return (
    'Would run on this computer, in order (nothing was changed):\n' +
    steps
      .map(
        (s, i) =>
          `  ${i + 1}. ${printable(s.description)}\n     ${s.elevated ? 'as administrator: ' : ''}${(s.argv ?? [s.call ?? '']).map((a) => printable(shellWord(a))).join(' ')}`,
      )
      .join('\n') +
    '\n'
  );
}

const targetTable = (portal: string, targets: InitiatorTarget[]) =>
  targets.length === 0
    ? `${printable(portal)} offers no targets to this computer (targets limited to other initiator names stay hidden).\n`
    : table(
        ['TARGET', 'PORTALS'],
        targets.map((t) => [t.iqn, t.portals.join(' ')]),
      );

const sessionTable = (sessions: InitiatorSession[]) =>
  sessions.length === 0
    ? 'No iSCSI sessions.\n'
    : table(
        ['TARGET', 'PORTAL', 'STATE', 'PERSISTENT', 'DISKS'],
        sessions.map((s) => [s.iqn, s.portal || '-', s.state, s.persistent ? 'yes' : 'no', s.disks.join(' ') || '-']),
      );

function printOutcome<T>(cli: Cli, cmd: Command, outcome: Outcome<T>, done: (v: T) => string) {
  if (!outcome.applied) cli.print(cmd, { steps: outcome.steps }, () => initiatorPlanText(outcome.steps));
  else cli.print(cmd, outcome.value, () => done(outcome.value));
}

/** CHAP secrets: a hidden prompt on a terminal, else lines of stdin (the mutual secret second). */
async function readSecrets(io: CliIo, mutual: boolean): Promise<[string, string | undefined]> {
  if (io.promptHidden) {
    const secret = await io.promptHidden('CHAP secret: ');
    return [secret, mutual ? await io.promptHidden('Mutual CHAP secret: ') : undefined];
  }
  const [secret, mutualSecret] = (await io.readStdin()).split(/\r?\n/);
  if (!secret) throw new AppError('INVALID_INPUT', 'No CHAP secret on standard input.');
  if (mutual && !mutualSecret)
    throw new AppError('INVALID_INPUT', 'No mutual CHAP secret on the second line of standard input.');
  return [secret, mutual ? mutualSecret : undefined];
}

function chapFlags(opts: { chapUser?: string; chapSecretStdin?: boolean }) {
  if (opts.chapSecretStdin && !opts.chapUser)
    throw new AppError('INVALID_INPUT', '--chap-secret-stdin needs --chap-user.');
  if (opts.chapUser && !opts.chapSecretStdin)
    throw new AppError('INVALID_INPUT', '--chap-user needs --chap-secret-stdin (secrets are never flags).');
}

export function initiatorCommands(cli: Cli, program: Command) {
  const initiator = program
    .command('initiator')
    .description("this computer's iSCSI initiator: discover targets, connect, list, disconnect");

  initiator
    .command('discover')
    .description('targets a portal offers to this computer')
    .argument('<portal>', 'host[:3260]')
    .option('--chap-user <user>', 'CHAP user; with CHAP each target is logged in to, which checks the secret')
    .option('--chap-secret-stdin', 'read the CHAP secret from stdin')
    .action(async (portal: string, opts: { chapUser?: string; chapSecretStdin?: boolean }, cmd: Command) => {
      chapFlags(opts);
      const params: CommandParams<'initiator.discover'> = { portal };
      if (opts.chapUser) {
        params.chapUser = opts.chapUser;
        params.chapSecret = (await readSecrets(cli.io, false))[0];
      }
      const targets = await cli.call(cmd, 'initiator.discover', params);
      cli.print(cmd, targets, () => targetTable(portal, targets));
    });

  initiator
    .command('connect')
    .description('log in to a target and attach its disks')
    .argument('<portal>', 'host[:3260]')
    .argument('<iqn>', 'the target, as `initiator discover` shows it')
    .option('--chap-user <user>', 'CHAP user')
    .option('--chap-secret-stdin', 'read the CHAP secret (12–16 characters) from stdin')
    .option('--mutual-chap-user <user>', 'mutual CHAP: the user the target answers with')
    .option('--mutual-chap-secret-stdin', 'mutual CHAP: read the target’s secret from the second line of stdin')
    .option('--persistent', 'log in again after every restart')
    .option('--initialize <label>', 'Windows: make the new, empty disk one NTFS volume with this label')
    .addOption(osOption())
    .option('--dry-run', 'print the steps, change nothing')
    .action(async (portal: string, iqn: string, opts, cmd: Command) => {
      chapFlags(opts);
      if (opts.mutualChapSecretStdin && !opts.chapSecretStdin)
        throw new AppError(
          'INVALID_INPUT',
          'Mutual CHAP needs one-way CHAP as well (--chap-user, --chap-secret-stdin).',
        );
      const params: CommandParams<'initiator.connect'> = {
        portal,
        iqn,
        persistent: opts.persistent === true,
        dryRun: opts.dryRun === true,
      };
      if (opts.os) params.os = opts.os;
      if (opts.initialize !== undefined) params.initialize = { label: opts.initialize };
      if (opts.chapUser) {
        const [secret, mutualSecret] = await readSecrets(cli.io, opts.mutualChapSecretStdin === true);
        params.chapUser = opts.chapUser;
        params.chapSecret = secret;
        if (mutualSecret !== undefined) params.mutualChapSecret = mutualSecret;
        if (opts.mutualChapUser) params.mutualChapUser = opts.mutualChapUser;
      }
      const outcome = await cli.call(cmd, 'initiator.connect', params);
      printOutcome(
        cli,
        cmd,
        outcome,
        (s) =>
          `Connected to ${printable(s.iqn)} at ${printable(s.portal)}${s.persistent ? ' (reconnects after restarts)' : ''}.\n` +
          `Disks: ${s.disks.map(printable).join(', ') || 'none yet (the target may have no LUN for this initiator)'}\n`,
      );
    });

  initiator
    .command('list')
    .description('iSCSI sessions of this computer and their disks')
    .argument('[iqn]', 'only this target')
    .action(async (iqn: string | undefined, _opts, cmd: Command) => {
      const sessions = (await cli.call(cmd, 'initiator.list', {})).filter((s) => !iqn || s.iqn === iqn);
      cli.print(cmd, sessions, () => sessionTable(sessions));
    });

  initiator
    .command('disconnect')
    .description('log out of a target (every target without IQN) and stop reconnecting it')
    .argument('[iqn]', 'the target; all sessions when left out')
    .option('--portal <portal>', 'only the session through this portal')
    .addOption(osOption())
    .option('--dry-run', 'print the steps, change nothing')
    .action(async (iqn: string | undefined, opts, cmd: Command) => {
      const params: CommandParams<'initiator.disconnect'> = { dryRun: opts.dryRun === true };
      if (iqn) params.iqn = iqn;
      if (opts.portal) params.portal = opts.portal;
      if (opts.os) params.os = opts.os;
      const outcome = await cli.call(cmd, 'initiator.disconnect', params);
      printOutcome(cli, cmd, outcome, (ended) =>
        ended.map((s) => `Disconnected ${printable(s.iqn)} (${printable(s.portal)}).\n`).join(''),
      );
    });
}
