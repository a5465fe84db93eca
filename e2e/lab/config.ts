// Naming, addressing and the state-file shape of one lab instance.
// Everything a lab creates is derived from its instance name so that two instances
// (e.g. `ndlab` with 1 NAS and `ndscale` with 20) can run side by side.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export type Persona = 'linux' | 'synology' | 'truenas' | 'qnap';
export const PERSONAS: readonly Persona[] = ['linux', 'synology', 'truenas', 'qnap'];

// Services a NAS can run; a benchmark NAS may run only some of them.
export type Service = 'storage' | 'smb' | 'nmbd' | 'nfs' | 'iscsi' | 'ssh' | 'avahi' | 'wsdd';
export const ALL_SERVICES: readonly Service[] = ['storage', 'smb', 'nmbd', 'nfs', 'iscsi', 'ssh', 'avahi', 'wsdd'];

// Daemons the NAS init can start/stop (fault controls address these names).
export type Daemon = 'smbd' | 'nmbd' | 'rpcbind' | 'ganesha' | 'tgtd' | 'sshd' | 'avahi' | 'wsdd';
export const DAEMONS: readonly Daemon[] = ['smbd', 'nmbd', 'rpcbind', 'ganesha', 'tgtd', 'sshd', 'avahi', 'wsdd'];

export type RaidProfile = 'raid1' | 'raid10' | 'raid5';

export const DEFAULT_INSTANCE = 'ndlab';
export const MAX_NAS = 20;

export function baseDir(): string {
  return process.env.NASDECK_LAB_DIR ?? '/tmp/nasdeck-lab';
}

export function validateInstance(name: string): string {
  // ≤10 chars keeps "<inst>-n20b" within the 15-char interface-name limit.
  if (!/^[a-z][a-z0-9]{1,9}$/.test(name)) {
    throw new Error(`invalid lab instance name "${name}" (need [a-z][a-z0-9]{1,9})`);
  }
  return name;
}

function hashBytes(name: string): Buffer {
  return createHash('sha256').update(`nasdeck-lab:${name}`).digest();
}

export interface Naming {
  instance: string;
  workDir: string;
  stateFile: string;
  clientNs: string;
  bridge: string;
  /** first three octets, e.g. "10.123.45" */
  subnet: string;
  clientAddr: string;
  /** A veth from the root namespace onto the lab bridge, so tests and the app under test reach the NAS directly. */
  hostLink: string;
  hostLinkPeer: string;
  hostAddr: string;
  /** The IPv6 ULA /64 prefix (no trailing "::") used with `up({ ipv6: true })`, e.g. "fd7a:1b2c:3d4e:1". */
  subnet6: string;
  clientAddr6: string;
  adminUser: string;
  smbUser: string;
  sudoersFile: string;
  initiatorIqn: string;
}

export function naming(instance: string): Naming {
  validateInstance(instance);
  const h = hashBytes(instance);
  // 10.100-227.x.0/24: a private /24 per instance, stable across runs.
  const subnet = `10.${100 + ((h[0] ?? 0) % 128)}.${h[1] ?? 0}`;
  const base = baseDir();
  const hex16 = (a: number, b: number) => ((a << 8) | b).toString(16);
  const subnet6 = `fd${(h[5] ?? 0).toString(16).padStart(2, '0')}:${hex16(h[6] ?? 0, h[7] ?? 0)}:${hex16(h[8] ?? 0, h[9] ?? 0)}:1`;
  return {
    instance,
    workDir: join(base, instance),
    stateFile: join(base, `${instance}.state.json`),
    clientNs: `${instance}-client`,
    bridge: `${instance}-br`,
    subnet,
    clientAddr: `${subnet}.1`,
    hostLink: `${instance}-host`,
    hostLinkPeer: `${instance}-hbr`,
    hostAddr: `${subnet}.254`,
    subnet6,
    clientAddr6: `${subnet6}::1`,
    adminUser: `${instance}-admin`,
    smbUser: `${instance}-smb`,
    sudoersFile: `/etc/sudoers.d/${instance}-lab`,
    initiatorIqn: `iqn.2024-01.local.${instance}:client`,
  };
}

export interface NasNaming {
  index: number;
  namespace: string;
  hostname: string;
  netbiosName: string;
  address: string;
  /** Its IPv6 ULA, configured only with `up({ ipv6: true })`. */
  address6: string;
  ifName: string; // NAS side of the veth
  bridgePort: string; // client/bridge side of the veth
  mac: string;
  dir: string;
  targetIqn: string;
}

export function nasNaming(instance: string, index: number): NasNaming {
  const n = naming(instance);
  const h = hashBytes(instance);
  const hostname = `${instance}-nas${index}`;
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return {
    index,
    namespace: `${instance}-nas${index}`,
    hostname,
    netbiosName: hostname.toUpperCase().slice(0, 15),
    address: `${n.subnet}.${10 + index}`,
    address6: `${n.subnet6}::${(10 + index).toString(16)}`,
    ifName: `${instance}-n${index}`,
    bridgePort: `${instance}-n${index}b`,
    // locally administered unicast MAC, stable per instance+index (Synology TXT carries it)
    mac: `02:${hex(h[2] ?? 0)}:${hex(h[3] ?? 0)}:${hex(h[4] ?? 0)}:00:${hex(index)}`,
    dir: join(n.workDir, `nas${index}`),
    targetIqn: `iqn.2024-01.local.${instance}:nas${index}-target1`,
  };
}

// ---- state file (what `status --json` prints, plus private bookkeeping) ----

export interface NasState {
  index: number;
  namespace: string;
  hostname: string;
  address: string;
  /** Only with `up({ ipv6: true })`: its ULA, and avahi answers over IPv6 too. */
  address6?: string;
  mac: string;
  persona: Persona;
  services: Service[];
  ifName: string;
  bridgePort: string;
  dir: string;
  /** pid of `unshare` (host pid ns); SIGKILL tears the whole NAS down */
  supervisorPid?: number;
  /** host pid of the NAS's pid-namespace init (used with nsenter) */
  initPid?: number;
  ssh?: {
    port: number;
    user: string;
    password: string;
    hostKeySha256: string;
    hostPublicKey: string;
    privateKeyPath: string;
    knownHostsPath: string;
    rootLogin: boolean;
  };
  smb?: { user: string; password: string; shares: string[]; netbiosName: string; workgroup: string };
  nfs?: { exports: string[]; path: string };
  iscsi?: {
    portal: string;
    targets: {
      iqn: string;
      chapUser: string;
      chapSecret: string;
      initiator: string;
      lun: number;
      lunPath: string;
      sizeBytes: number;
    }[];
  };
  pool?: {
    mountPoint: string;
    devices: string[];
    files: string[];
    profile: RaidProfile;
    label: string;
    nfsSubvolMount: string;
  };
  wsdd?: { uuid: string };
  /** The vendor web API stand-in runs here (only with `up({ vendorWeb: true })`): its port and pages. */
  vendorWeb?: { port: number; paths: string[] };
  /** The findhostd stand-in (UDP 9999) runs here: what it answers (only with `up({ synologyFinder: true })`). */
  synologyFinder?: {
    port: number;
    hostname: string;
    mac: string;
    model: string;
    serial: string;
    version: string;
    build: number;
  };
}

export interface LabState {
  instance: string;
  workDir: string;
  stateFile: string;
  phase: 'starting' | 'up';
  startedAt: string;
  upSeconds?: number;
  client: { namespace: string; bridge: string; address: string; subnet: string; address6?: string };
  /** The root namespace's own leg on the lab bridge (unicast only: discovery runs in the client namespace). */
  host?: { interface: string; address: string };
  admin?: { user: string; password: string };
  nas: NasState[];
}
