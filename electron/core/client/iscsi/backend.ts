// What every per-OS initiator backend (linux.ts, windows.ts, macos.ts) implements, and the small
// pieces they share: the injected exec, steps that run or become a --dry-run plan, portals.
import type { ParsedParams } from '../../../../shared/api';
import type { ClientOs, InitiatorSession, InitiatorTarget, PlanStep } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { ExecRequest, ExecResult } from '../exec';

export type Argv = readonly [string, ...string[]];

/** One command a backend runs through the shared exec (../exec); in a dry run it becomes a PlanStep.
 *  `elevated`: needs administrator rights (root / an elevated PowerShell). */
export interface Step extends ExecRequest {
  argv: Argv;
  description: string;
  /** What a plan shows instead of argv (PowerShell: the script with its values filled in). */
  shown?: string[];
  /** Values shown as *** in plans and errors. */
  secrets?: string[];
}

export type DiscoverParams = ParsedParams<'initiator.discover'>;
export type ConnectParams = ParsedParams<'initiator.connect'>;
export type DisconnectParams = ParsedParams<'initiator.disconnect'>;

export interface InitiatorBackend {
  readonly os: ClientOs;
  discover(params: DiscoverParams): Promise<InitiatorTarget[]>;
  /** The steps a connection takes, computed without running anything (dry runs use it for any OS). */
  planConnect(params: ConnectParams): Step[];
  /** Runs planConnect's steps and returns the session that came up. */
  connect(params: ConnectParams): Promise<InitiatorSession>;
  /** Steps to end `sessions` (when known), else the session(s) params name. */
  planDisconnect(params: DisconnectParams, sessions?: InitiatorSession[]): Step[];
  /** Logs out (and forgets persistence); returns the sessions that were ended. */
  disconnect(params: DisconnectParams): Promise<InitiatorSession[]>;
  list(): Promise<InitiatorSession[]>;
}

export const ISCSI_PORT = 3260;
/** A login or discovery that has not answered in this long is not going to. */
export const ISCSI_TIMEOUT_MS = 20_000;

export interface Portal {
  host: string;
  port: number;
}

/** `nas.local`, `10.0.0.5:3261`, `[fd00::5]:3260` → host and port (default 3260). */
export function parsePortal(text: string): Portal {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? ISCSI_PORT : Number(m[3]);
  if (!m || port < 1 || port > 65535) {
    throw new AppError('INVALID_INPUT', `"${text}" is not a portal like nas.local or 192.168.1.10:3260.`);
  }
  return { host: m[1] ?? m[2]!, port };
}

/** host:port, IPv6 in brackets — the form iscsiadm -p, plans and InitiatorTarget.portals use. */
export function portalText({ host, port }: Portal): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.reduce((t, s) => (s ? t.split(s).join('***') : t), text);
}

export function planStep(step: Step): PlanStep {
  return {
    where: 'local',
    argv: (step.shown ?? [...step.argv]).map((a) => redact(a, step.secrets)),
    ...(step.elevated ? { elevated: true } : {}),
    description: step.description,
  };
}

/** A failed command as a typed error: argv and stderr tail redacted, under details. */
export function stepError(
  code: ConstructorParameters<typeof AppError>[0],
  message: string,
  step: Step,
  result: ExecResult,
  details: Record<string, unknown> = {},
): AppError {
  const output = redact(`${result.stderr}\n${result.stdout}`.trim(), step.secrets).slice(-2000);
  return new AppError(code, message, {
    argv: planStep(step).argv,
    exitCode: result.code,
    output,
    ...details,
  });
}

/** Groups `iqn → portal` pairs (in the order seen) into targets. */
export function groupTargets(pairs: Array<{ iqn: string; portal: string }>): InitiatorTarget[] {
  const byIqn = new Map<string, InitiatorTarget>();
  for (const { iqn, portal } of pairs) {
    const t = byIqn.get(iqn) ?? { iqn, portals: [] };
    if (!t.portals.includes(portal)) t.portals.push(portal);
    byIqn.set(iqn, t);
  }
  return [...byIqn.values()];
}

export function notConnected(iqn: string | undefined): AppError {
  return new AppError(
    'NOT_FOUND',
    iqn ? `This computer has no iSCSI session to ${iqn}.` : 'This computer has no iSCSI sessions.',
    { fix: '`nasdeck initiator list` shows the sessions there are.' },
  );
}
