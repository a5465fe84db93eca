// Managing a NAS from the command line: status, pools, disks, shares, snapshots, iSCSI
// (../shared/CLI.md), with --dry-run plans and a progress bar for scrubs.
import type { Command } from 'commander';
import type { Disk, IscsiTarget, Job, NasStatus, Outcome, PlanStep, Pool, Share, Snapshot } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { collect, type Cli } from './cli';
import { readSecret } from './io';
import { printable, table } from './output';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** 512M, 10G, 1.5T, 1048576 → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new AppError('INVALID_INPUT', `"${printable(text)}" is not a size like 512M, 10G or 1T.`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** A text bar: users rather look than read. */
export function bar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${Math.round(f * 100)}%`;
}

const poolTable = (pools: Pool[]) =>
  pools.length === 0
    ? 'No pools.\n'
    : table(
        ['POOL', 'KIND', 'RAID', 'STATE', 'USED', 'SIZE', 'DEVICES'],
        pools.map((p) => [
          p.name,
          p.kind,
          p.raidLevel,
          p.state === p.rawState || !p.rawState || p.rawState === 'ok' ? p.state : `${p.state} (${p.rawState})`,
          `${bar(p.sizeBytes ? p.usedBytes / p.sizeBytes : 0, 10)} ${formatBytes(p.usedBytes)}`,
          formatBytes(p.sizeBytes),
          p.devices.map((d) => (d.state === 'healthy' ? d.name : `${d.name} [${d.state}]`)).join(', '),
        ]),
      );

const diskTable = (disks: Disk[]) =>
  disks.length === 0
    ? 'No disks.\n'
    : table(
        ['DISK', 'MODEL', 'SERIAL', 'SIZE', 'TEMP', 'SMART'],
        disks.map((d) => [
          d.name,
          d.model || '-',
          d.serial || '-',
          formatBytes(d.sizeBytes),
          d.temperatureC === null ? '-' : `${d.temperatureC} °C`,
          d.smart,
        ]),
      );

const shareTable = (shares: Share[]) =>
  shares.length === 0
    ? 'No shares.\n'
    : table(
        ['SHARE', 'PROTOCOL', 'PATH', 'ACCESS', 'USERS', 'CLIENTS', 'MANAGED'],
        shares.map((s) => [
          s.name,
          s.protocol,
          s.path,
          s.readOnly ? 'read-only' : 'read-write',
          s.users.join(' ') || '-',
          s.clients.join(' ') || '-',
          s.managed === false ? 'no' : 'yes',
        ]),
      );

const snapshotTable = (snaps: Snapshot[]) =>
  snaps.length === 0
    ? 'No snapshots.\n'
    : table(
        ['OF', 'SNAPSHOT', 'CREATED'],
        snaps.map((s) => [s.of, s.name, s.createdAt || '-']),
      );

const iscsiTable = (targets: IscsiTarget[]) =>
  targets.length === 0
    ? 'No iSCSI targets.\n'
    : table(
        ['TARGET', 'IQN', 'LUNS', 'CHAP', 'INITIATORS'],
        targets.map((t) => [
          t.name,
          t.iqn,
          t.luns.map((l) => `${l.id}:${formatBytes(l.sizeBytes)}`).join(' ') || '-',
          t.chapUser ?? '-',
          t.initiators.join(' ') || '-',
        ]),
      );

function statusText(s: NasStatus): string {
  const up =
    s.system.uptimeSeconds === null
      ? ''
      : `, up ${Math.floor(s.system.uptimeSeconds / 86400)}d ${Math.floor((s.system.uptimeSeconds % 86400) / 3600)}h`;
  const lines = [
    `${s.system.hostname} — ${s.system.os}${s.system.kernel ? ` (kernel ${s.system.kernel})` : ''}${up}`,
    `Health: ${s.health}`,
    '',
    poolTable(s.pools),
    diskTable(s.disks),
  ];
  if (s.alerts.length) lines.push('Alerts:', ...s.alerts.map((a) => `  ${a.level.toUpperCase()}: ${a.message}`), '');
  if (s.capabilities.notes.length) lines.push('Notes:', ...s.capabilities.notes.map((n) => `  - ${n}`), '');
  return lines.join('\n');
}

export function planText(steps: PlanStep[]): string {
  if (steps.length === 0) return 'Nothing to change.\n';
  return (
    'Would run, in order (nothing was changed):\n' +
    steps
      .map(
        (s, i) =>
          `  ${i + 1}. ${s.description}\n     ${s.where === 'remote' ? 'on the NAS: ' : ''}${s.elevated && s.where === 'remote' ? 'sudo ' : ''}${(s.argv ?? [s.call ?? '']).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`,
      )
      .join('\n') +
    '\n'
  );
}

export function printOutcome<T>(cli: Cli, cmd: Command, outcome: Outcome<T>, done: (v: T) => string) {
  if (!outcome.applied) cli.print(cmd, { steps: outcome.steps }, () => planText(outcome.steps));
  else cli.print(cmd, outcome.value, () => done(outcome.value));
}

function confirm(opts: { yes?: boolean; dryRun?: boolean }, what: string) {
  if (!opts.yes && !opts.dryRun)
    throw new AppError('INVALID_INPUT', `${what} Add --yes to go ahead, or --dry-run to see the steps.`);
}

/** Follows a job's progress on stderr until it ends; resolves with the final job. */
function follow(cli: Cli, cmd: Command, job: Job): Promise<Job> {
  const core = cli.core(cmd);
  return new Promise((resolve) => {
    const off = core.events.on('jobs.progress', (j) => {
      if (j.id !== job.id) return;
      cli.io.stderr(`\r${j.title}: ${bar(j.progress ?? 0)} ${j.message}`.padEnd(100));
      if (j.state !== 'running') {
        cli.io.stderr('\n');
        off();
        resolve(j);
      }
    });
  });
}

export function nasCommands(cli: Cli, program: Command) {
  program
    .command('status')
    .description('system, pools, disks and alerts in one health summary')
    .argument('<device>')
    .action(async (device: string, _o, cmd: Command) => {
      const s = await cli.call(cmd, 'nas.status', { device });
      cli.print(cmd, s, () => statusText(s));
    });

  const pool = program.command('pool').description('storage pools');
  pool
    .command('list')
    .argument('<device>')
    .action(async (device: string, _o, cmd: Command) => {
      const pools = await cli.call(cmd, 'pools.list', { device });
      cli.print(cmd, pools, () => poolTable(pools));
    });
  pool
    .command('scrub')
    .description('check every block against its checksum and repair from redundancy')
    .argument('<device>')
    .argument('<pool>')
    .option('--wait', 'show progress until the scrub ends')
    .action(async (device: string, poolRef: string, opts: { wait?: boolean }, cmd: Command) => {
      const job = await cli.call(cmd, 'pools.scrub', { device, pool: poolRef });
      if (!opts.wait) return cli.print(cmd, job, () => `Scrub started as job ${job.id}.\n`);
      const final = job.state === 'running' ? await follow(cli, cmd, job) : job;
      const pools = await cli.call(cmd, 'pools.list', { device });
      const after = pools.find((p) => p.id === poolRef || p.name === poolRef) ?? pools[0];
      cli.print(
        cmd,
        { job: final, pool: after },
        () =>
          `Scrub ${final.state}. ${after?.scrub ? `${after.scrub.errorsCorrected} errors corrected, ${after.scrub.errorsUncorrectable} uncorrectable.` : ''}\n`,
      );
      if (final.state !== 'succeeded')
        throw new AppError((final.error?.code as never) ?? 'INTERNAL', final.error?.message ?? 'Scrub failed');
    });

  program
    .command('disk')
    .description('disks')
    .command('list')
    .argument('<device>')
    .action(async (device: string, _o, cmd: Command) => {
      const disks = await cli.call(cmd, 'disks.list', { device });
      cli.print(cmd, disks, () => diskTable(disks));
    });

  const share = program.command('share').description('SMB and NFS shares');
  share
    .command('list')
    .argument('<device>')
    .action(async (device: string, _o, cmd: Command) => {
      const shares = await cli.call(cmd, 'shares.list', { device });
      cli.print(cmd, shares, () => shareTable(shares));
    });
  share
    .command('create')
    .argument('<device>')
    .requiredOption('--protocol <protocol>', 'smb or nfs')
    .requiredOption('--name <name>', 'share name')
    .option('--path <path>', 'existing folder to share (default: a new subvolume or folder on the pool)')
    .option('--pool <pool>', 'pool for the new folder')
    .option('--read-only', 'read-only share')
    .option('--user <user>', 'allow this user (repeatable)', collect, [])
    .option('--client <cidr>', 'allow this client address or range (repeatable)', collect, [])
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, o, cmd: Command) => {
      const outcome = await cli.call(cmd, 'shares.create', {
        device,
        protocol: o.protocol,
        name: o.name,
        ...(o.path ? { path: o.path } : {}),
        ...(o.pool ? { pool: o.pool } : {}),
        readOnly: !!o.readOnly,
        users: o.user,
        clients: o.client,
        dryRun: !!o.dryRun,
      });
      printOutcome(cli, cmd, outcome, (s) => `Created ${s.protocol.toUpperCase()} share ${s.name} (${s.path}).\n`);
    });
  share
    .command('edit')
    .description('change who may use a share and whether it is read-only (what is not given stays)')
    .argument('<device>')
    .argument('<share>')
    .option('--protocol <protocol>', 'smb or nfs, when both have that name')
    .option('--read-only', 'make the share read-only')
    .option('--read-write', 'make the share writable')
    .option('--user <user>', 'allow only these users (repeatable; replaces the list)', collect, [])
    .option('--any-user', 'remove the user list (every user may connect)')
    .option(
      '--client <cidr>',
      'allow only these client addresses or ranges (repeatable; replaces the list)',
      collect,
      [],
    )
    .option('--any-client', 'remove the client list (every client may connect)')
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, name: string, o, cmd: Command) => {
      if (o.readOnly && o.readWrite) throw new AppError('INVALID_INPUT', 'Give --read-only or --read-write, not both.');
      if (o.user.length && o.anyUser) throw new AppError('INVALID_INPUT', 'Give --user or --any-user, not both.');
      if (o.client.length && o.anyClient)
        throw new AppError('INVALID_INPUT', 'Give --client or --any-client, not both.');
      const list = (given: string[], any: boolean | undefined) => (any ? [] : given.length ? given : undefined);
      const users = list(o.user, o.anyUser);
      const clients = list(o.client, o.anyClient);
      const outcome = await cli.call(cmd, 'shares.update', {
        device,
        share: name,
        ...(o.protocol ? { protocol: o.protocol } : {}),
        ...(o.readOnly || o.readWrite ? { readOnly: !!o.readOnly } : {}),
        ...(users ? { users } : {}),
        ...(clients ? { clients } : {}),
        dryRun: !!o.dryRun,
      });
      printOutcome(
        cli,
        cmd,
        outcome,
        (s) =>
          `Changed ${s.protocol.toUpperCase()} share ${s.name}: ${s.readOnly ? 'read-only' : 'read-write'}` +
          `, users ${s.users.join(', ') || 'any'}, clients ${s.clients.join(', ') || 'any'}.\n`,
      );
    });
  share
    .command('delete')
    .argument('<device>')
    .argument('<share>')
    .option('--protocol <protocol>', 'smb or nfs, when both have that name')
    .option('--yes', 'do not ask')
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, name: string, o, cmd: Command) => {
      confirm(o, `Deleting share ${name} stops sharing it (the data stays on the NAS).`);
      const outcome = await cli.call(cmd, 'shares.delete', {
        device,
        share: name,
        ...(o.protocol ? { protocol: o.protocol } : {}),
        dryRun: !!o.dryRun,
      });
      printOutcome(cli, cmd, outcome, () => `Deleted share ${name}.\n`);
    });

  share
    .command('password')
    .description('set the SMB password of a NAS user (creates the SMB account if needed)')
    .argument('<device>')
    .argument('<user>')
    .option('--password-stdin', 'read the password from stdin')
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, user: string, o, cmd: Command) => {
      const password = await readSecret(cli.io, 'Password');
      const outcome = await cli.call(cmd, 'shares.setUserPassword', { device, user, password, dryRun: !!o.dryRun });
      printOutcome(cli, cmd, outcome, () => `Set the SMB password of ${user}.\n`);
    });

  const snapshot = program.command('snapshot').description('snapshots of shares and datasets');
  snapshot
    .command('list')
    .argument('<device>')
    .argument('[of]', 'share or dataset')
    .action(async (device: string, of: string | undefined, _o, cmd: Command) => {
      const snaps = await cli.call(cmd, 'snapshots.list', { device, ...(of ? { of } : {}) });
      cli.print(cmd, snaps, () => snapshotTable(snaps));
    });
  for (const verb of ['create', 'delete', 'rollback'] as const) {
    snapshot
      .command(verb)
      .argument('<device>')
      .argument('<of>', 'share or dataset')
      .argument(verb === 'create' ? '[name]' : '<name>', 'snapshot name')
      .option('--yes', 'do not ask')
      .option('--dry-run', 'print the exact steps and change nothing')
      .action(async (device: string, of: string, name: string | undefined, o, cmd: Command) => {
        if (verb === 'rollback')
          confirm(
            o,
            `Rolling ${of} back to ${name} replaces its current content (kept as a before-rollback snapshot).`,
          );
        if (verb === 'delete') confirm(o, `Deleting snapshot ${of}@${name} cannot be undone.`);
        const params = { device, of, ...(name ? { name } : {}), dryRun: !!o.dryRun };
        if (verb === 'create') {
          const outcome = await cli.call(cmd, 'snapshots.create', params);
          printOutcome(cli, cmd, outcome, (s) => `Took snapshot ${s.of}@${s.name}.\n`);
        } else {
          const outcome = await cli.call(cmd, verb === 'delete' ? 'snapshots.delete' : 'snapshots.rollback', {
            ...params,
            name: name!,
          });
          printOutcome(cli, cmd, outcome, () =>
            verb === 'delete' ? `Deleted snapshot ${of}@${name}.\n` : `Rolled ${of} back to ${name}.\n`,
          );
        }
      });
  }

  const iscsi = program.command('iscsi').description('iSCSI targets on the NAS');
  iscsi
    .command('list')
    .argument('<device>')
    .action(async (device: string, _o, cmd: Command) => {
      const targets = await cli.call(cmd, 'iscsi.list', { device });
      cli.print(cmd, targets, () => iscsiTable(targets));
    });
  iscsi
    .command('create')
    .argument('<device>')
    .requiredOption('--name <name>', 'target name')
    .requiredOption('--size <size>', 'LUN size, e.g. 10G')
    .option('--chap-user <user>', 'require CHAP with this user')
    .option('--chap-secret-stdin', 'read the CHAP secret (12-16 characters) from stdin')
    .option('--initiator <iqn>', 'allow only this initiator (repeatable)', collect, [])
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, o, cmd: Command) => {
      if (!!o.chapUser !== !!o.chapSecretStdin)
        throw new AppError('INVALID_INPUT', 'Give --chap-user together with --chap-secret-stdin.');
      const chapSecret = o.chapSecretStdin ? await readSecret(cli.io, 'CHAP secret') : undefined;
      const outcome = await cli.call(cmd, 'iscsi.create', {
        device,
        name: o.name,
        sizeBytes: parseSize(o.size),
        ...(o.chapUser ? { chapUser: o.chapUser, chapSecret } : {}),
        initiators: o.initiator,
        dryRun: !!o.dryRun,
      });
      printOutcome(cli, cmd, outcome, (t) => `Created iSCSI target ${t.iqn}.\n`);
    });
  iscsi
    .command('delete')
    .argument('<device>')
    .argument('<target>')
    .option('--yes', 'do not ask')
    .option('--dry-run', 'print the exact steps and change nothing')
    .action(async (device: string, target: string, o, cmd: Command) => {
      confirm(o, `Deleting iSCSI target ${target} deletes its LUN data.`);
      const outcome = await cli.call(cmd, 'iscsi.delete', { device, target, dryRun: !!o.dryRun });
      printOutcome(cli, cmd, outcome, () => `Deleted iSCSI target ${target}.\n`);
    });
}
