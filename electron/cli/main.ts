// `nasdeck`: every capability as a command over the same dispatcher as the app (../shared/CLI.md).
import { Command, CommanderError, Option } from 'commander';
import type { CommandParams } from '../../shared/api';
import type { Device } from '../../shared/domain';
import { vendors } from '../../shared/domain';
import { AppError, exitCodes, toWireError } from '../../shared/errors';
import { APP_VERSION } from '../core/api';
import { Cli, collect, parsePort, parseSeconds, type CliDeps } from './cli';
import { readSecret } from './io';
import { initiatorCommands } from './initiator';
import { mountCommands } from './mounts';
import { nasCommands } from './nas';
import { deviceDetails, deviceTable, discoveredLine, discoveredTable, formatError, printable } from './output';

function deviceCommands(cli: Cli, program: Command) {
  const device = program.command('device').description('devices this computer knows: add, list, inspect, remove');

  device
    .command('add')
    .description('add a NAS by name, address, host:port or URL (https://nas:5001, wss://nas/api/current)')
    .argument('<host>', 'name, address, host:port or URL')
    .option('--name <name>', 'the name to show (default: the host)')
    .addOption(
      new Option('--vendor <vendor>', 'how to manage it')
        .choices(['auto', ...vendors.filter((v) => v !== 'unknown')])
        .default('auto'),
    )
    .option('--user <user>', 'account to sign in with')
    .option('--ssh-port <port>', 'SSH port', parsePort)
    .option('--identity <file>', 'SSH private key file')
    .option('--password-stdin', 'read the password from stdin (stored in the OS keychain)')
    .option('--api-key-stdin', 'read an API key from stdin (stored in the OS keychain)')
    .option('--host-key <fingerprint>', 'the SSH host key you expect (SHA256:…); anything else is refused')
    .option('--accept-new-host-key', 'first connection: trust the SSH host key the NAS shows')
    .option('--offline', 'save without connecting to the NAS now')
    .option('--cert-fingerprint <fingerprint>', 'pin the TLS certificate (SHA256:…)')
    .option('--accept-new-cert', 'first connection: trust the TLS certificate the NAS shows')
    .option('--otp <code>', 'the 2FA code when the NAS asks for one')
    .option('--remember-device', 'ask the NAS to remember this computer (no 2FA code next time)')
    .action(async (host: string, opts, cmd: Command) => {
      if (opts.passwordStdin && opts.apiKeyStdin) {
        throw new AppError(
          'INVALID_INPUT',
          'Give either --password-stdin or --api-key-stdin, not both: stdin holds one line.',
        );
      }
      const params: CommandParams<'devices.add'> = { host, vendor: opts.vendor };
      if (opts.name !== undefined) params.name = opts.name;
      if (opts.user !== undefined) params.user = opts.user;
      if (opts.sshPort !== undefined) params.sshPort = opts.sshPort;
      if (opts.identity !== undefined) params.identityFile = opts.identity;
      if (opts.hostKey !== undefined) params.hostKeySha256 = opts.hostKey;
      if (opts.certFingerprint !== undefined) params.certSha256 = opts.certFingerprint;
      if (opts.acceptNewHostKey) params.acceptNewHostKey = true;
      if (opts.offline) params.offline = true;
      if (opts.acceptNewCert) params.acceptNewCert = true;
      if (opts.otp !== undefined) params.otp = opts.otp;
      if (opts.rememberDevice) params.rememberDevice = true;
      if (opts.passwordStdin) params.password = await readSecret(cli.io, 'Password');
      if (opts.apiKeyStdin) params.apiKey = await readSecret(cli.io, 'API key');
      const added = await cli.call(cmd, 'devices.add', params);
      cli.print(cmd, added, () => `Added ${printable(added.name)} (${printable(added.host)}) as ${added.id}.\n`);
    });

  device
    .command('list')
    .description('list known devices')
    .action(async (_opts, cmd: Command) => {
      const devices = await cli.call(cmd, 'devices.list', {});
      cli.print(cmd, devices, () => deviceTable(devices));
    });

  device
    .command('info')
    .description('show one device')
    .argument('<device>', 'id or name')
    .action(async (ref: string, _opts, cmd: Command) => {
      const d: Device = await cli.call(cmd, 'devices.get', { device: ref });
      cli.print(cmd, d, () => deviceDetails(d));
    });

  device
    .command('wake')
    .description('send Wake-on-LAN to a device (to every MAC address learned for it)')
    .argument('<device>', 'id or name')
    .action(async (ref: string, _opts, cmd: Command) => {
      const result = await cli.call(cmd, 'devices.wake', { device: ref });
      cli.print(cmd, result, () => `Sent Wake-on-LAN for ${result.macs.join(', ')} to ${result.sentTo.join(', ')}.\n`);
    });

  device
    .command('remove')
    .description('forget a device and its keychain entries')
    .argument('<device>', 'id or name')
    .action(async (ref: string, _opts, cmd: Command) => {
      const { removed } = await cli.call(cmd, 'devices.remove', { device: ref });
      cli.print(cmd, { removed }, () => `Removed ${printable(removed.name)} (${removed.id}).\n`);
    });
}

function discoveryCommands(cli: Cli, program: Command) {
  program
    .command('discover')
    .description('find NAS devices on the network (mDNS/DNS-SD, WS-Discovery, and --probe)')
    .option('--timeout <seconds>', 'how long to listen', parseSeconds, 2)
    .option('--watch', 'keep listening and print devices as they come and go (Ctrl+C to stop)')
    .option('--probe <host|cidr>', 'also probe the management ports of a host or IPv4 range (repeatable)', collect, [])
    .action(async (opts: { timeout: number; watch?: boolean; probe: string[] }, cmd: Command) => {
      const json = cli.globals(cmd).json;
      const core = cli.core(cmd);
      if (opts.watch) {
        for (const [event, mark] of [
          ['discovery.deviceFound', '+'],
          ['discovery.deviceUpdated', '~'],
          ['discovery.deviceLost', '-'],
        ] as const) {
          core.events.on(event, (d) =>
            cli.io.stdout(
              json ? `${JSON.stringify({ event: event.slice(10), device: d })}\n` : `${mark} ${discoveredLine(d)}\n`,
            ),
          );
        }
      }
      await cli.call(cmd, 'discovery.start', {});
      if (opts.probe.length) {
        await cli.call(cmd, 'discovery.probe', { targets: opts.probe });
      }
      if (opts.watch) {
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      } else {
        await new Promise((r) => setTimeout(r, opts.timeout * 1000));
      }
      const devices = await cli.call(cmd, 'discovery.list', {});
      await cli.call(cmd, 'discovery.stop', {});
      if (!opts.watch) cli.print(cmd, devices, () => discoveredTable(devices));
    });
}

function buildProgram(deps: CliDeps): { program: Command; cli: Cli } {
  const program = new Command('nasdeck');
  const cli = new Cli(program, deps);
  program
    .description('Nasdeck: find, manage and connect to every NAS on your network.')
    .version(APP_VERSION, '-V, --version')
    .option('--json', 'print one JSON document on stdout (errors as JSON on stderr)')
    .option('--config-dir <dir>', 'state directory (default: the platform config dir, or $NASDECK_CONFIG_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => deps.io.stdout(t), writeErr: (t) => deps.io.stderr(t) });
  deviceCommands(cli, program);
  discoveryCommands(cli, program);
  nasCommands(cli, program);
  mountCommands(cli, program);
  initiatorCommands(cli, program);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({ writeOut: (t) => deps.io.stdout(t), writeErr: (t) => deps.io.stderr(t) });
  }
  return { program, cli };
}

/** Runs one CLI invocation and returns its exit code (0 ok, 2 invalid input, … per CLI.md). */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { program, cli } = buildProgram(deps);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors are invalid input (commander already printed why).
      return err.exitCode === 0 ? 0 : exitCodes.INVALID_INPUT;
    }
    const error = toWireError(err);
    deps.io.stderr(formatError(error, json));
    return exitCodes[error.code] ?? 1;
  } finally {
    await cli.close();
  }
}
