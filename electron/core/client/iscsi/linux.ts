// Linux initiator: open-iscsi's iscsiadm for sessions (it needs the iscsi_tcp kernel module and
// iscsid), and libiscsi's iscsi-ls for discovery where the kernel has no iSCSI (containers, CI).
//
// CHAP secret exposure, kept to the documented minimum:
// - iscsi-ls / iscsi-inq (discovery without the kernel module): the secret travels in the child's
//   environment (LIBISCSI_CHAP_PASSWORD, read by libiscsi; /proc/<pid>/environ is readable only by
//   the same user and root), never in argv or the URL (libiscsi's README warns `user%password@`
//   URLs show in the process list). initiator.lab.test.ts samples /proc to hold us to that.
// - iscsiadm has no stdin or secret-file option (usr/iscsiadm.c; ../shared/reference/
//   client-commands.md §3.5), so `-o update -n node.session.auth.password -v SECRET` puts the secret
//   in the argv of exactly one short-lived root process per secret (password, and password_in for
//   mutual CHAP; discovery.sendtargets.auth.password for discovery CHAP). No other step carries it,
//   plans and errors show ***, and a failed login deletes the node record so the secret does not
//   linger on disk for a target that refused it.
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { hostname, release } from 'node:os';
import { delimiter, join } from 'node:path';
import type { InitiatorSession, InitiatorTarget } from '../../../../shared/domain';
import { AppError, type ErrorCode } from '../../../../shared/errors';
import type { Exec, ExecResult } from '../exec';
import {
  groupTargets,
  ISCSI_TIMEOUT_MS,
  notConnected,
  parsePortal,
  portalText,
  stepError,
  type ConnectParams,
  type DisconnectParams,
  type DiscoverParams,
  type InitiatorBackend,
  type Step,
} from './backend';

/** What the Linux backend asks of this computer besides running commands (injected in tests). */
export interface LinuxHost {
  hasCommand(name: string): Promise<boolean>;
  /** The kernel has the iscsi_tcp module loaded, built in, or installed to load. */
  hasIscsiTcp(): Promise<boolean>;
  /** This computer's initiator name: what the NAS's initiator ACL must list. */
  initiatorName(): Promise<string>;
}

const INITIATOR_NAME_FILE = '/etc/iscsi/initiatorname.iscsi';

export function realLinuxHost(options: { initiatorName?: string } = {}): LinuxHost {
  const exists = (path: string, mode = constants.F_OK) =>
    access(path, mode).then(
      () => true,
      () => false,
    );
  return {
    async hasCommand(name) {
      const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
      for (const dir of dirs) if (dir && (await exists(join(dir, name), constants.X_OK))) return true;
      return false;
    },
    async hasIscsiTcp() {
      if (await exists('/sys/module/iscsi_tcp')) return true;
      for (const list of ['modules.dep', 'modules.builtin']) {
        const text = await readFile(join('/lib/modules', release(), list), 'utf8').catch(() => '');
        if (/\/iscsi_tcp\.ko/.test(text)) return true;
      }
      return false;
    },
    async initiatorName() {
      if (options.initiatorName) return options.initiatorName;
      if (process.env.NASDECK_INITIATOR_IQN) return process.env.NASDECK_INITIATOR_IQN;
      const file = await readFile(INITIATOR_NAME_FILE, 'utf8').catch(() => '');
      const m = /^InitiatorName=(\S+)/m.exec(file);
      if (m) return m[1]!;
      const host =
        hostname()
          .toLowerCase()
          .replace(/[^a-z0-9.-]/g, '-') || 'host';
      return `iqn.2024-01.app.nasdeck:${host}`;
    },
  };
}

// ---------------------------------------------------------------- parsers (pure)

/** `iscsi-ls` lines `Target:<iqn> Portal:<ip:port>,<tpgt>` (libiscsi utils/iscsi-ls.c). */
export function parseIscsiLs(stdout: string): InitiatorTarget[] {
  const pairs = [...stdout.matchAll(/^Target:(\S+) Portal:(\S+?)(?:,\d+)?$/gm)].map((m) => ({
    iqn: m[1]!,
    portal: m[2]!,
  }));
  return groupTargets(pairs);
}

/** `iscsiadm -m discovery -t sendtargets` lines `10.0.0.5:3260,1 iqn…` (`[v6]:port,tpgt iqn`). */
export function parseSendTargets(stdout: string): InitiatorTarget[] {
  const pairs = [...stdout.matchAll(/^(\S+?),-?\d+\s+(\S+)\s*$/gm)].map((m) => ({ portal: m[1]!, iqn: m[2]! }));
  return groupTargets(pairs);
}

export interface SessionTreeEntry {
  iqn: string;
  /** Current portal, ip:port without the tpgt. */
  portal: string;
  sid: string;
  connectionState: string;
  sessionState: string;
  /** `/dev/sdX` of every attached SCSI disk. */
  disks: string[];
}

/** `iscsiadm -m session -P 3`: one entry per `Target:` block (usr/session_info.c print formats). */
export function parseSessionTree(stdout: string): SessionTreeEntry[] {
  const entries: SessionTreeEntry[] = [];
  let current: SessionTreeEntry | undefined;
  for (const line of stdout.split('\n')) {
    const target = /^\s*Target:\s+(\S+)/.exec(line);
    if (target) {
      current = { iqn: target[1]!, portal: '', sid: '', connectionState: '', sessionState: '', disks: [] };
      entries.push(current);
      continue;
    }
    if (!current) continue;
    let m: RegExpExecArray | null;
    if ((m = /^\s*Current Portal:\s+(\S+?)(?:,-?\d+)?\s*$/.exec(line))) current.portal = m[1]!;
    else if ((m = /^\s*SID:\s+(\d+)/.exec(line))) current.sid = m[1]!;
    else if ((m = /^\s*iSCSI Connection State:\s+(.+?)\s*$/.exec(line))) current.connectionState = m[1]!;
    else if ((m = /^\s*iSCSI Session State:\s+(.+?)\s*$/.exec(line))) current.sessionState = m[1]!;
    else if ((m = /Attached scsi disk (\S+)/.exec(line))) current.disks.push(`/dev/${m[1]!}`);
  }
  return entries;
}

/** Session and connection states (kernel iscsi_session_state / iscsi_conn_state names) → ours. */
export function sessionState(entry: Pick<SessionTreeEntry, 'connectionState' | 'sessionState'>) {
  if (entry.sessionState === 'LOGGED_IN' && entry.connectionState === 'LOGGED IN') return 'connected' as const;
  if (entry.sessionState === 'FAILED' || /TRANSPORT WAIT|IN LOGIN|CLEANUP WAIT/.test(entry.connectionState))
    return 'reconnecting' as const;
  return 'disconnected' as const;
}

/** `node.startup = automatic` in `iscsiadm -m node -T … -p … -o show`. */
export function parseNodeStartup(stdout: string): string | undefined {
  return /^node\.startup\s*=\s*(\S+)/m.exec(stdout)?.[1];
}

// ---------------------------------------------------------------- errors

const FIX_MODULE =
  'Install open-iscsi (Debian/Ubuntu: `sudo apt install open-iscsi`; Fedora: `sudo dnf install iscsi-initiator-utils`) and make sure the kernel can load iscsi_tcp (`sudo modprobe iscsi_tcp`). Containers and some VMs have no iSCSI in the kernel: use a full Linux machine, or SMB/NFS.';

/** iscsiadm(8) EXIT STATUS → our codes (vdsm's mapping: 15 exists, 21 nothing, 24 auth). */
const ISCSIADM_EXIT: Record<number, [ErrorCode, string, string?]> = {
  2: ['NOT_FOUND', 'There is no such iSCSI session.'],
  4: ['UNREACHABLE', 'The iSCSI portal could not be reached.', 'Check the address and that the NAS is on.'],
  5: ['INTERNAL', 'The iSCSI login failed.'],
  7: ['INVALID_INPUT', 'iscsiadm refused a parameter.'],
  8: ['TIMEOUT', 'The iSCSI portal did not answer in time.'],
  11: ['TIMEOUT', 'The iSCSI target did not answer in time.'],
  12: ['NOT_SUPPORTED', 'The iSCSI kernel driver (iscsi_tcp) is not loaded.', FIX_MODULE],
  13: ['PERMISSION_DENIED', 'iscsiadm needs administrator rights.', 'Approve the administrator prompt.'],
  15: ['CONFLICT', 'This computer is already logged in to that target.'],
  18: ['NOT_SUPPORTED', 'iscsid is not running.', 'Start it: `sudo systemctl enable --now iscsid.socket`.'],
  19: [
    'PERMISSION_DENIED',
    'The target refused this computer (a non-retryable login failure).',
    "Add this computer's initiator name to the target's allowed initiators on the NAS.",
  ],
  20: ['NOT_SUPPORTED', 'iscsid is not running.', 'Start it: `sudo systemctl enable --now iscsid.socket`.'],
  21: ['NOT_FOUND', 'No matching iSCSI target or session.'],
  24: ['AUTH_FAILED', 'The target refused the CHAP user name or secret.', 'Check the CHAP user and secret on the NAS.'],
  32: ['UNREACHABLE', 'The iSCSI session is not connected.'],
};

export function iscsiadmError(step: Step, result: ExecResult): AppError {
  if (result.timedOut) return stepError('TIMEOUT', `${step.description}: no answer in time.`, step, result);
  if (result.missing) return new AppError('NOT_SUPPORTED', 'iscsiadm is not installed.', { fix: FIX_MODULE });
  const [code, message, fix] = ISCSIADM_EXIT[result.code] ?? ['INTERNAL', `${step.description} failed.`];
  return stepError(code, message, step, result, fix ? { fix } : {});
}

export function iscsiLsError(step: Step, result: ExecResult, initiator: string, portal: string): AppError {
  const out = `${result.stdout}\n${result.stderr}`;
  if (result.timedOut) return stepError('TIMEOUT', `The iSCSI portal ${portal} did not answer in time.`, step, result);
  if (result.missing)
    return new AppError('NOT_SUPPORTED', `${step.argv[0]} (libiscsi-bin) is not installed.`, { fix: FIX_MODULE });
  if (/Authentication failure/i.test(out)) {
    const target =
      /^Target:(\S+)[^\n]*\n(?:Lun:[^\n]*\n)*list_luns:[^\n]*Authentication failure/m.exec(out)?.[1] ??
      /^iscsi:\/\/[^/]+\/([^/\s]+)\//.exec(step.argv.at(-1) ?? '')?.[1];
    return stepError(
      'AUTH_FAILED',
      `The iSCSI target${target ? ` ${target}` : ''} refused the CHAP user name or secret.`,
      step,
      result,
      { fix: 'Check the CHAP user and secret set on the NAS for this target.', ...(target ? { target } : {}) },
    );
  }
  if (/Target not found|Authorization failure|not authorized/i.test(out))
    return stepError('PERMISSION_DENIED', `The target at ${portal} does not allow this initiator.`, step, result, {
      fix: `Add this computer's initiator name ${initiator} to the target's allowed initiators on the NAS.`,
    });
  if (/connection failed|socket error|Can not resolv|iscsi_connect failed/i.test(out))
    return stepError('UNREACHABLE', `The iSCSI portal ${portal} cannot be reached.`, step, result, {
      fix: 'Check the address, that the NAS is on, and that its iSCSI service listens on that port.',
    });
  return stepError('INTERNAL', `Listing the targets at ${portal} failed.`, step, result);
}

// ---------------------------------------------------------------- backend

const nodeArgs = (iqn: string, portal?: string) =>
  ['iscsiadm', '-m', 'node', '-T', iqn, ...(portal ? ['-p', portal] : [])] as const;

export class LinuxInitiator implements InitiatorBackend {
  readonly os = 'linux' as const;

  constructor(
    private readonly exec: Exec,
    private readonly host: LinuxHost,
  ) {}

  /** iscsiadm needs both the tool and the kernel driver; say what to install when either is missing. */
  private async requireIscsiadm(): Promise<void> {
    const [tool, module] = await Promise.all([this.host.hasCommand('iscsiadm'), this.host.hasIscsiTcp()]);
    if (tool && module) return;
    throw new AppError(
      'NOT_SUPPORTED',
      !tool
        ? 'open-iscsi (iscsiadm) is not installed, so this computer cannot attach iSCSI disks.'
        : 'This kernel has no iSCSI driver (iscsi_tcp), so this computer cannot attach iSCSI disks.',
      { fix: FIX_MODULE },
    );
  }

  private async run(step: Step): Promise<ExecResult> {
    return this.exec({ timeoutMs: ISCSI_TIMEOUT_MS, ...step });
  }

  async discover(params: DiscoverParams): Promise<InitiatorTarget[]> {
    const portal = portalText(parsePortal(params.portal));
    const [tool, module] = await Promise.all([this.host.hasCommand('iscsiadm'), this.host.hasIscsiTcp()]);
    if (tool && module) return this.discoverWithIscsiadm(portal, params);
    if (await this.host.hasCommand('iscsi-ls')) return this.discoverWithIscsiLs(portal, params);
    throw new AppError('NOT_SUPPORTED', 'No iSCSI initiator tools are installed.', {
      fix: `${FIX_MODULE} For discovery alone, libiscsi-bin is enough (\`sudo apt install libiscsi-bin\`).`,
    });
  }

  /** Steps of a discovery with iscsiadm; with CHAP, through a discoverydb record. */
  planDiscover(portal: string, params: DiscoverParams): Step[] {
    if (!params.chapUser || !params.chapSecret) {
      return [
        {
          argv: ['iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', portal],
          elevated: true,
          description: `Ask ${portal} for its targets (SendTargets)`,
        },
      ];
    }
    const db = ['iscsiadm', '-m', 'discoverydb', '-t', 'sendtargets', '-p', portal] as const;
    const set = (name: string, value: string, description: string, secret = false): Step => ({
      argv: [...db, '-o', 'update', '-n', name, '-v', value],
      elevated: true,
      description,
      ...(secret ? { secrets: [value] } : {}),
    });
    return [
      { argv: [...db, '-o', 'new'], elevated: true, description: `Create a discovery record for ${portal}` },
      set('discovery.sendtargets.auth.authmethod', 'CHAP', 'Use CHAP for discovery'),
      set('discovery.sendtargets.auth.username', params.chapUser, 'Set the discovery CHAP user'),
      set('discovery.sendtargets.auth.password', params.chapSecret, 'Set the discovery CHAP secret', true),
      { argv: [...db, '--discover'], elevated: true, description: `Ask ${portal} for its targets (SendTargets)` },
    ];
  }

  private async discoverWithIscsiadm(portal: string, params: DiscoverParams): Promise<InitiatorTarget[]> {
    let result: ExecResult | undefined;
    for (const step of this.planDiscover(portal, params)) {
      result = await this.run(step);
      if (result.code === 21) return []; // the portal offers nothing to this initiator
      if (result.code !== 0) throw iscsiadmError(step, result);
    }
    return parseSendTargets(result?.stdout ?? '');
  }

  /** libiscsi steps (no kernel module needed): iscsi-ls lists the targets; with CHAP, iscsi-inq then
   *  logs in to each — that is what checks the secret, since tgt and most NAS answer SendTargets
   *  without CHAP — and each target gets its own login (`iscsi-ls -s` would stop at the first
   *  target whose CHAP account differs). */
  async planIscsiLs(portal: string, params: DiscoverParams): Promise<{ list: Step; check: (iqn: string) => Step }> {
    const initiator = await this.host.initiatorName();
    const chap =
      params.chapUser && params.chapSecret
        ? {
            env: { LIBISCSI_CHAP_USERNAME: params.chapUser, LIBISCSI_CHAP_PASSWORD: params.chapSecret },
            secrets: [params.chapSecret],
          }
        : {};
    return {
      list: {
        argv: ['iscsi-ls', '-i', initiator, `iscsi://${portal}`],
        ...chap,
        description: `List the targets at ${portal}`,
      },
      check: (iqn) => ({
        argv: ['iscsi-inq', '-i', initiator, `iscsi://${portal}/${iqn}/0`],
        ...chap,
        description: `Log in to ${iqn} with CHAP`,
      }),
    };
  }

  private async discoverWithIscsiLs(portal: string, params: DiscoverParams): Promise<InitiatorTarget[]> {
    const { list, check } = await this.planIscsiLs(portal, params);
    const initiator = list.argv[2]!;
    const listed = await this.run(list);
    if (listed.code !== 0 || listed.timedOut) throw iscsiLsError(list, listed, initiator, portal);
    const targets = parseIscsiLs(listed.stdout);
    if (!params.chapUser || targets.length === 0) return targets;
    // The credentials must open at least one target; a target with another CHAP account is not an error.
    let firstRefusal: AppError | undefined;
    for (const target of targets) {
      const step = check(target.iqn);
      const result = await this.run(step);
      const refused =
        result.timedOut ||
        result.missing ||
        /Authentication failure|Target not found|Authorization failure|connection failed|socket error/i.test(
          `${result.stdout}\n${result.stderr}`,
        );
      const refusal = refused ? iscsiLsError(step, result, initiator, portal) : undefined;
      if (!refusal) return targets;
      firstRefusal ??= refusal;
    }
    throw firstRefusal!;
  }

  planConnect(params: ConnectParams): Step[] {
    if (params.initialize) {
      throw new AppError('INVALID_INPUT', 'Initializing the new disk is offered on Windows only.', {
        fix: 'On Linux, find the new disk with `lsblk` (or `nasdeck initiator list`) and make a file system on it yourself.',
      });
    }
    const portal = portalText(parsePortal(params.portal));
    const node = nodeArgs(params.iqn, portal);
    const set = (name: string, value: string, description: string, secret = false): Step => ({
      argv: [...node, '-o', 'update', '-n', name, '-v', value],
      elevated: true,
      description,
      ...(secret ? { secrets: [value] } : {}),
    });
    const steps: Step[] = [
      {
        argv: ['iscsiadm', '-m', 'discovery', '-t', 'sendtargets', '-p', portal],
        elevated: true,
        description: `Ask ${portal} for its targets (creates the node records)`,
      },
    ];
    if (params.chapUser && params.chapSecret) {
      steps.push(
        set('node.session.auth.authmethod', 'CHAP', 'Use CHAP for this target'),
        set('node.session.auth.username', params.chapUser, 'Set the CHAP user'),
        set('node.session.auth.password', params.chapSecret, 'Set the CHAP secret', true),
      );
      if (params.mutualChapSecret) {
        if (params.mutualChapUser)
          steps.push(
            set('node.session.auth.username_in', params.mutualChapUser, 'Set the user the target answers with'),
          );
        steps.push(set('node.session.auth.password_in', params.mutualChapSecret, 'Set the mutual CHAP secret', true));
      }
    } else {
      steps.push(set('node.session.auth.authmethod', 'None', 'No CHAP for this target'));
    }
    steps.push(
      set(
        'node.startup',
        params.persistent ? 'automatic' : 'manual',
        params.persistent ? 'Log in again at every boot' : 'Do not log in at boot',
      ),
      { argv: [...node, '--login'], elevated: true, description: `Log in to ${params.iqn}` },
    );
    return steps;
  }

  async connect(params: ConnectParams): Promise<InitiatorSession> {
    await this.requireIscsiadm();
    const steps = this.planConnect(params);
    const portal = portalText(parsePortal(params.portal));
    const [discovery, ...rest] = steps;
    const found = await this.run(discovery!);
    if (found.code !== 0 && found.code !== 21) throw iscsiadmError(discovery!, found);
    const offered = parseSendTargets(found.stdout);
    if (!offered.some((t) => t.iqn === params.iqn)) {
      throw new AppError('NOT_FOUND', `The portal ${portal} does not offer ${params.iqn} to this computer.`, {
        offered: offered.map((t) => t.iqn),
        fix: "Check the IQN with `nasdeck initiator discover`, and the target's allowed initiators on the NAS.",
      });
    }
    for (const step of rest) {
      const result = await this.run(step);
      const alreadyIn = result.code === 15 && step.argv.includes('--login');
      if (result.code !== 0 && !alreadyIn) {
        // roll back: forget the record (and any secret written to it) of a target that refused us
        await this.run({
          argv: [...nodeArgs(params.iqn, portal), '-o', 'delete'],
          elevated: true,
          description: 'Forget the node record',
        }).catch(() => undefined);
        throw iscsiadmError(step, result);
      }
    }
    const session = (await this.list()).find((s) => s.iqn === params.iqn && s.portal === portal);
    if (!session) throw new AppError('INTERNAL', `Logged in to ${params.iqn}, but no session shows up.`);
    return { ...session, persistent: params.persistent };
  }

  planDisconnect(params: DisconnectParams, sessions?: InitiatorSession[]): Step[] {
    const targets = sessions ?? (params.iqn ? [{ iqn: params.iqn, portal: params.portal }] : []);
    return targets.flatMap(({ iqn, portal }) => {
      const p = portal ? portalText(parsePortal(portal)) : undefined;
      return [
        { argv: [...nodeArgs(iqn, p), '--logout'], elevated: true, description: `Log out of ${iqn}` },
        {
          argv: [...nodeArgs(iqn, p), '-o', 'delete'],
          elevated: true,
          description: 'Forget the node record (no login at boot, CHAP secret removed)',
        },
      ];
    });
  }

  async disconnect(params: DisconnectParams): Promise<InitiatorSession[]> {
    await this.requireIscsiadm();
    const sessions = (await this.list()).filter(
      (s) =>
        (!params.iqn || s.iqn === params.iqn) &&
        (!params.portal || s.portal === portalText(parsePortal(params.portal))),
    );
    if (sessions.length === 0) throw notConnected(params.iqn);
    for (const step of this.planDisconnect(params, sessions)) {
      const result = await this.run(step);
      if (result.code !== 0 && result.code !== 21) throw iscsiadmError(step, result);
    }
    return sessions.map((s) => ({ ...s, state: 'disconnected' as const, persistent: false, disks: [] }));
  }

  async list(): Promise<InitiatorSession[]> {
    if (!(await this.host.hasCommand('iscsiadm'))) return [];
    const step: Step = { argv: ['iscsiadm', '-m', 'session', '-P', '3'], description: 'List iSCSI sessions' };
    const result = await this.run(step);
    if (result.code === 21) return []; // "No active sessions."
    if (result.code !== 0) throw iscsiadmError(step, result);
    const sessions: InitiatorSession[] = [];
    for (const entry of parseSessionTree(result.stdout)) {
      // node records are root-only (umask 0077): unreadable → not known to be persistent
      const show = await this.run({
        argv: [...nodeArgs(entry.iqn, entry.portal), '-o', 'show'],
        description: 'Read the node record',
      });
      sessions.push({
        iqn: entry.iqn,
        portal: entry.portal,
        state: sessionState(entry),
        persistent: show.code === 0 && parseNodeStartup(show.stdout) === 'automatic',
        disks: entry.disks,
      });
    }
    return sessions;
  }
}
