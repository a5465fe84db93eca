// Windows initiator: the built-in Microsoft iSCSI Initiator through its PowerShell cmdlets
// (New-IscsiTargetPortal, Get-IscsiTarget, Connect-IscsiTarget, Get-IscsiSession), run elevated.
//
// Secrets: every script is a constant template run as `powershell.exe -Command -` with the script
// on stdin; values (portal, IQN, CHAP user and secret) reach it as environment variables of that one
// child ($env:NASDECK_ISCSI_*). So the secret is in no argv (Win32_Process.CommandLine), and never
// in script text either, which Script Block Logging (event 4104) would record (client-commands §0).
// Plans show the same script with the values filled in and secrets as ***.
import type { InitiatorSession, InitiatorTarget } from '../../../../shared/domain';
import { AppError, type ErrorCode } from '../../../../shared/errors';
import type { Exec, ExecResult } from '../exec';
import {
  ISCSI_TIMEOUT_MS,
  notConnected,
  parsePortal,
  portalText,
  stepError,
  type Argv,
  type ConnectParams,
  type DisconnectParams,
  type DiscoverParams,
  type InitiatorBackend,
  type Step,
} from './backend';

export const POWERSHELL: Argv = ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', '-'];

const ENV = {
  host: 'NASDECK_ISCSI_PORTAL_HOST',
  port: 'NASDECK_ISCSI_PORTAL_PORT',
  iqn: 'NASDECK_ISCSI_IQN',
  chapUser: 'NASDECK_ISCSI_CHAP_USER',
  chapSecret: 'NASDECK_ISCSI_CHAP_SECRET',
  mutualSecret: 'NASDECK_ISCSI_MUTUAL_CHAP_SECRET',
  label: 'NASDECK_ISCSI_LABEL',
} as const;
const SECRET_VARS: readonly string[] = [ENV.chapSecret, ENV.mutualSecret];

const quotePs = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** One PowerShell step: statements run as one line inside try/catch (so `-Command -` stops at the
 *  first error and exits 1 with the message on stderr), values only through the environment. */
export function psStep(description: string, statements: string[], values: Record<string, string>): Step {
  const body = statements.join('; ');
  const script = `$ErrorActionPreference = 'Stop'; try { ${body} } catch { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }\n`;
  const secrets = Object.entries(values)
    .filter(([k]) => SECRET_VARS.includes(k))
    .map(([, v]) => v);
  const rendered = body.replace(
    /(\[int\])?\$env:(NASDECK_ISCSI_[A-Z_]+)/g,
    (_m, int: string | undefined, name: string) => {
      if (SECRET_VARS.includes(name)) return "'***'";
      const value = values[name] ?? '';
      return int ? value : quotePs(value);
    },
  );
  return {
    argv: POWERSHELL,
    stdin: script,
    env: values,
    elevated: true,
    description,
    shown: ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', rendered],
    secrets,
  };
}

// ---------------------------------------------------------------- parsers (pure)

const asArray = (json: unknown): unknown[] => (Array.isArray(json) ? json : json == null ? [] : [json]);

function parseJson(stdout: string, what: string): unknown[] {
  const text = stdout.trim();
  if (!text) return [];
  try {
    return asArray(JSON.parse(text));
  } catch {
    throw new AppError('INTERNAL', `Could not read ${what} from PowerShell.`, { output: text.slice(0, 500) });
  }
}

/** `Get-IscsiTarget | Select-Object NodeAddress, IsConnected | ConvertTo-Json`. */
export function parseTargets(stdout: string, portal: string): InitiatorTarget[] {
  return parseJson(stdout, 'the targets')
    .map((t) => (t as { NodeAddress?: unknown }).NodeAddress)
    .filter((iqn): iqn is string => typeof iqn === 'string' && iqn.length > 0)
    .map((iqn) => ({ iqn, portals: [portal] }));
}

interface RawSession {
  TargetNodeAddress?: string;
  SessionIdentifier?: string;
  IsConnected?: boolean;
  IsPersistent?: boolean;
  /** From Get-IscsiConnection (the docs' example labels the address TargetNodeAddress). */
  TargetAddress?: string;
  ConnectionTargetNodeAddress?: string;
  TargetPortNumber?: number;
  Disks?: number[] | number | null;
}

/** The JSON the list script prints: Get-IscsiSession fields + its connection's portal + disk numbers. */
export function parseSessions(stdout: string): InitiatorSession[] {
  return parseJson(stdout, 'the iSCSI sessions').map((raw) => {
    const s = raw as RawSession;
    const address = s.TargetAddress || s.ConnectionTargetNodeAddress || '';
    const disks = asArray(s.Disks).filter((n): n is number => typeof n === 'number');
    return {
      iqn: s.TargetNodeAddress ?? '',
      portal: address ? portalText({ host: address, port: s.TargetPortNumber ?? 3260 }) : '',
      state: s.IsConnected ? 'connected' : s.IsPersistent ? 'reconnecting' : 'disconnected',
      persistent: s.IsPersistent === true,
      disks: disks.map((n) => `\\\\.\\PhysicalDrive${n}`),
    };
  });
}

// ---------------------------------------------------------------- errors

const PS_ERRORS: Array<[RegExp, ErrorCode, string, string]> = [
  [
    /Authentication Failure|authentication failed|0xEFFF0009/i,
    'AUTH_FAILED',
    'The target refused the CHAP user name or secret.',
    'Check the CHAP user and secret on the NAS (the Microsoft initiator needs 12–16 characters).',
  ],
  [
    /Access is denied|Access denied|elevat|administrator/i,
    'PERMISSION_DENIED',
    'The iSCSI initiator needs administrator rights.',
    'Run Nasdeck as administrator (or approve the UAC prompt).',
  ],
  [
    /already been logged in|already logged in/i,
    'CONFLICT',
    'This computer is already logged in to that target.',
    'See `nasdeck initiator list`.',
  ],
  [
    /target name is not found|not found or is marked as hidden/i,
    'NOT_FOUND',
    'The portal does not offer that target to this computer.',
    "Check the IQN with `nasdeck initiator discover`, and the target's allowed initiators on the NAS.",
  ],
  [
    /Connection Failed|could not be reached|timed out|No connection could be made|target portal/i,
    'UNREACHABLE',
    'The iSCSI portal cannot be reached.',
    'Check the address, that the NAS is on, and that the firewall allows TCP 3260.',
  ],
  [
    /No disk came with this target/,
    'NOT_FOUND',
    'The target brought no disk to initialize.',
    'Check on the NAS that the target has a LUN and that this initiator is allowed to see it.',
  ],
  [
    /is not empty \(partition style/,
    'CONFLICT',
    'That disk already has partitions; Nasdeck only initializes empty (RAW) disks.',
    'A LUN shared with other hosts (a cluster or VMFS datastore) must never be initialized here.',
  ],
  [
    /is not recognized as (the name of )?a cmdlet|MSiSCSI|service.*not (been )?started/i,
    'NOT_SUPPORTED',
    'The Microsoft iSCSI Initiator service is not available.',
    'Start it: `Set-Service MSiSCSI -StartupType Automatic; Start-Service MSiSCSI` (as administrator).',
  ],
];

export function powershellError(step: Step, result: ExecResult): AppError {
  if (result.timedOut) return stepError('TIMEOUT', `${step.description}: no answer in time.`, step, result);
  if (result.missing)
    return new AppError('NOT_SUPPORTED', 'Windows PowerShell (powershell.exe) was not found.', {
      fix: 'Nasdeck drives the Microsoft iSCSI Initiator through Windows PowerShell 5.1, part of Windows.',
    });
  const text = `${result.stderr}\n${result.stdout}`;
  const hit = PS_ERRORS.find(([re]) => re.test(text));
  if (!hit) return stepError('INTERNAL', `${step.description} failed.`, step, result);
  const [, code, message, fix] = hit;
  return stepError(code, message, step, result, { fix });
}

// ---------------------------------------------------------------- backend

const LIST_STATEMENTS = [
  '$rows = @(Get-IscsiSession | ForEach-Object { $c = @($_ | Get-IscsiConnection)[0]; [pscustomobject]@{ TargetNodeAddress = $_.TargetNodeAddress; SessionIdentifier = $_.SessionIdentifier; IsConnected = $_.IsConnected; IsPersistent = $_.IsPersistent; TargetAddress = $c.TargetAddress; ConnectionTargetNodeAddress = $c.TargetNodeAddress; TargetPortNumber = $c.TargetPortNumber; Disks = @($_ | Get-Disk -ErrorAction SilentlyContinue | ForEach-Object { $_.Number }) } })',
  'ConvertTo-Json -Depth 3 -InputObject $rows',
];

export class WindowsInitiator implements InitiatorBackend {
  readonly os = 'windows' as const;

  constructor(private readonly exec: Exec) {}

  private async run(step: Step): Promise<ExecResult> {
    const result = await this.exec({ timeoutMs: ISCSI_TIMEOUT_MS, ...step });
    if (result.code !== 0 || result.timedOut) throw powershellError(step, result);
    return result;
  }

  planDiscover(params: DiscoverParams): Step {
    const { host, port } = parsePortal(params.portal);
    const chap = params.chapUser && params.chapSecret;
    const values: Record<string, string> = { [ENV.host]: host, [ENV.port]: String(port) };
    if (chap) Object.assign(values, { [ENV.chapUser]: params.chapUser!, [ENV.chapSecret]: params.chapSecret! });
    return psStep(
      `Add the portal ${portalText({ host, port })} and list its targets`,
      [
        `$portal = New-IscsiTargetPortal -TargetPortalAddress $env:${ENV.host} -TargetPortalPortNumber ([int]$env:${ENV.port})` +
          (chap
            ? ` -AuthenticationType ONEWAYCHAP -ChapUsername $env:${ENV.chapUser} -ChapSecret $env:${ENV.chapSecret}`
            : ''),
        'ConvertTo-Json -InputObject @(Get-IscsiTarget -IscsiTargetPortal $portal | Select-Object NodeAddress, IsConnected)',
      ],
      values,
    );
  }

  async discover(params: DiscoverParams): Promise<InitiatorTarget[]> {
    const result = await this.run(this.planDiscover(params));
    return parseTargets(result.stdout, portalText(parsePortal(params.portal)));
  }

  planConnect(params: ConnectParams): Step[] {
    const { host, port } = parsePortal(params.portal);
    const values: Record<string, string> = { [ENV.host]: host, [ENV.port]: String(port), [ENV.iqn]: params.iqn };
    const steps: Step[] = [
      psStep(
        `Add the portal ${portalText({ host, port })}`,
        [
          `New-IscsiTargetPortal -TargetPortalAddress $env:${ENV.host} -TargetPortalPortNumber ([int]$env:${ENV.port}) | Out-Null`,
        ],
        { [ENV.host]: host, [ENV.port]: String(port) },
      ),
    ];
    let auth = '';
    if (params.chapUser && params.chapSecret) {
      Object.assign(values, { [ENV.chapUser]: params.chapUser, [ENV.chapSecret]: params.chapSecret });
      const type = params.mutualChapSecret ? 'MUTUALCHAP' : 'ONEWAYCHAP';
      auth = ` -AuthenticationType ${type} -ChapUsername $env:${ENV.chapUser} -ChapSecret $env:${ENV.chapSecret}`;
    }
    if (params.mutualChapSecret) {
      // Windows has one initiator-wide secret the target must prove it knows (Set-IscsiChapSecret).
      steps.push(
        psStep(
          'Set the secret the target answers with (mutual CHAP, for the whole initiator)',
          [`Set-IscsiChapSecret -ChapSecret $env:${ENV.mutualSecret}`],
          { [ENV.mutualSecret]: params.mutualChapSecret },
        ),
      );
    }
    steps.push(
      psStep(
        `Log in to ${params.iqn}${params.persistent ? ' (and again after every restart)' : ''}`,
        [
          `Connect-IscsiTarget -NodeAddress $env:${ENV.iqn} -TargetPortalAddress $env:${ENV.host} -TargetPortalPortNumber ([int]$env:${ENV.port})` +
            (params.persistent ? ' -IsPersistent $true' : '') +
            auth +
            ' | Out-Null',
        ],
        values,
      ),
    );
    if (params.initialize) steps.push(this.planInitialize(params.iqn, params.initialize.label));
    return steps;
  }

  async connect(params: ConnectParams): Promise<InitiatorSession> {
    const steps = this.planConnect(params);
    // An already-added portal or session is fine; a disk that is not empty is not (never skipped).
    const initialize = params.initialize ? steps.pop() : undefined;
    for (const step of steps) {
      try {
        await this.run(step);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      }
    }
    const portal = portalText(parsePortal(params.portal));
    const sessions = (await this.list()).filter((s) => s.iqn === params.iqn);
    const session = sessions.find((s) => s.portal === portal) ?? sessions[0];
    if (!session) throw new AppError('INTERNAL', `Logged in to ${params.iqn}, but no session shows up.`);
    if (!initialize) return session;
    await this.run(initialize);
    return (await this.list()).find((s) => s.iqn === session.iqn && s.portal === session.portal) ?? session;
  }

  planDisconnect(params: DisconnectParams, sessions?: InitiatorSession[]): Step[] {
    const iqns = [...new Set(sessions ? sessions.map((s) => s.iqn) : params.iqn ? [params.iqn] : [])];
    return iqns.map((iqn) =>
      psStep(
        `Log out of ${iqn} and stop reconnecting it after restarts`,
        [
          `$s = @(Get-IscsiSession | Where-Object { $_.TargetNodeAddress -eq $env:${ENV.iqn} })`,
          '$s | Where-Object { $_.IsPersistent } | ForEach-Object { Unregister-IscsiSession -SessionIdentifier $_.SessionIdentifier }',
          `Disconnect-IscsiTarget -NodeAddress $env:${ENV.iqn} -Confirm:$false`,
        ],
        { [ENV.iqn]: iqn },
      ),
    );
  }

  async disconnect(params: DisconnectParams): Promise<InitiatorSession[]> {
    const sessions = (await this.list()).filter(
      (s) =>
        (!params.iqn || s.iqn === params.iqn) &&
        (!params.portal || s.portal === portalText(parsePortal(params.portal))),
    );
    if (sessions.length === 0) throw notConnected(params.iqn);
    for (const step of this.planDisconnect(params, sessions)) await this.run(step);
    return sessions.map((s) => ({ ...s, state: 'disconnected' as const, persistent: false, disks: [] }));
  }

  /** Initialize the disk a session brought as GPT with one NTFS volume and a drive letter — only on
   *  request (`connect --initialize LABEL`), and refused for a disk that already has a partition
   *  style: it may hold data or be shared by other hosts. */
  planInitialize(iqn: string, label: string): Step {
    return psStep(
      `Initialize the disk of ${iqn} (GPT, one NTFS volume "${label}", next free drive letter)`,
      [
        `$d = Get-IscsiSession | Where-Object { $_.TargetNodeAddress -eq $env:${ENV.iqn} } | Get-Disk | Select-Object -First 1`,
        'if (-not $d) { throw "No disk came with this target" }',
        'if ($d.PartitionStyle -ne \'RAW\') { throw "Disk $($d.Number) is not empty (partition style $($d.PartitionStyle))" }',
        `$d | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -AssignDriveLetter -UseMaximumSize | Format-Volume -FileSystem NTFS -NewFileSystemLabel $env:${ENV.label} -Confirm:$false | Out-Null`,
      ],
      { [ENV.iqn]: iqn, [ENV.label]: label },
    );
  }

  async list(): Promise<InitiatorSession[]> {
    const result = await this.run(psStep('List iSCSI sessions and their disks', LIST_STATEMENTS, {}));
    return parseSessions(result.stdout);
  }
}
