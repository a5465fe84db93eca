// Domain types: the shapes every front door shows (../shared/CLI.md "JSON shapes").
// Sizes are integers in bytes; dates are ISO 8601 strings.

export const vendors = ['unknown', 'linux', 'truenas', 'synology', 'qnap', 'unraid', 'omv', 'windows'] as const;
export type Vendor = (typeof vendors)[number];

/** One health vocabulary for every vendor; the vendor's own word is kept in `rawState`. */
export const healthStates = ['healthy', 'degraded', 'rebuilding', 'scrubbing', 'failed', 'unknown'] as const;
export type HealthState = (typeof healthStates)[number];

export interface ServiceEndpoint {
  type: string;
  port: number;
}

export interface DeviceAccess {
  user?: string;
  sshPort?: number;
  identityFile?: string;
  /** Pinned SSH host key, `SHA256:…`. */
  hostKeySha256?: string;
  /** Pinned TLS certificate, `SHA256:…`. */
  certSha256?: string;
  /** Which secrets the keychain holds for this device (never the secrets themselves). */
  secrets: Array<'password' | 'apiKey' | 'deviceToken'>;
}

export interface Device {
  id: string;
  name: string;
  host: string;
  port?: number;
  url?: string;
  addresses: string[];
  vendor: Vendor;
  model: string | null;
  osVersion: string | null;
  services: ServiceEndpoint[];
  macs: string[];
  access: DeviceAccess;
  addedAt: string;
}

/** A device seen on the network (not necessarily added to the device list). */
export interface DiscoveredDevice {
  id: string;
  name: string;
  hostname: string | null;
  addresses: string[];
  vendor: Vendor;
  model: string | null;
  osVersion: string | null;
  serial: string | null;
  services: ServiceEndpoint[];
  macs: string[];
  /** Which discovery methods saw it: mdns, wsd, synology-finder, probe. */
  sources: string[];
  firstSeen: string;
  lastSeen: string;
  /** On a deviceLost event only: the entry was folded into this one (same box, seen twice). */
  mergedInto?: string;
}

export interface Pool {
  id: string;
  name: string;
  kind: 'btrfs' | 'zfs' | 'md' | 'lvm' | 'vendor';
  raidLevel: string;
  state: HealthState;
  rawState: string;
  sizeBytes: number;
  usedBytes: number;
  devices: Array<{ name: string; state: HealthState }>;
  scrub?: { state: string; progress: number; errorsCorrected: number; errorsUncorrectable: number };
}

export interface Disk {
  name: string;
  model: string;
  serial: string;
  sizeBytes: number;
  temperatureC: number | null;
  smart: 'ok' | 'warning' | 'failing' | 'unknown';
}

export interface Share {
  name: string;
  protocol: 'smb' | 'nfs';
  path: string;
  readOnly: boolean;
  users: string[];
  clients: string[];
  /** False for shares Nasdeck must not edit (defined in smb.conf, or another tool's exports). */
  managed?: boolean;
}

export interface Snapshot {
  name: string;
  of: string;
  createdAt: string;
  sizeBytes?: number;
}

export interface IscsiTarget {
  name: string;
  iqn: string;
  luns: Array<{ id: number; sizeBytes: number; backing: string }>;
  chapUser?: string;
  initiators: string[];
}

export interface SystemInfo {
  hostname: string;
  os: string;
  kernel: string | null;
  uptimeSeconds: number | null;
  model: string | null;
}

export interface Alert {
  level: 'info' | 'warning' | 'critical';
  message: string;
  source: string;
}

/** What an adapter can do on this NAS (detected: a Linux box without tgt has no iSCSI). */
export interface Capabilities {
  pools: boolean;
  scrub: boolean;
  snapshots: boolean;
  smbShares: boolean;
  nfsShares: boolean;
  iscsi: boolean;
  disks: boolean;
  smart: boolean;
  /** Why a capability is missing, with the fix ("install tgt", "Samba registry shares are off: …"). */
  notes: string[];
}

export interface NasStatus {
  device: string;
  health: HealthState;
  system: SystemInfo;
  capabilities: Capabilities;
  pools: Pool[];
  disks: Disk[];
  alerts: Alert[];
}

/** One step of a --dry-run plan (../shared/CLI.md). */
export interface PlanStep {
  where: 'local' | 'remote' | 'api';
  argv?: string[];
  call?: string;
  elevated?: boolean;
  description: string;
}

/** What a mutation returns: what it did, or (dry run) what it would do. */
export type Outcome<T> = { applied: true; value: T; steps: PlanStep[] } | { applied: false; steps: PlanStep[] };

export const mountStates = ['mounted', 'offline', 'reconnecting', 'unmounted', 'error'] as const;
export type MountState = (typeof mountStates)[number];

export const clientOses = ['windows', 'macos', 'linux'] as const;
export type ClientOs = (typeof clientOses)[number];

/** A saved mount: what to mount where. The password lives in the keychain, keyed by the profile id. */
export interface MountProfile {
  id: string;
  name: string;
  /** `smb://host/share[/path]` or `nfs://host/export`. */
  url: string;
  /** A drive letter (`Z:`) on Windows, an absolute folder elsewhere. */
  mountPoint: string;
  user?: string;
  /** True when the keychain holds a password for this profile. */
  hasPassword?: boolean;
  readOnly?: boolean;
  /** SMB dialect to insist on (`3.0`, `3.1.1`…); the OS default otherwise. */
  smbVersion?: string;
  persistent: boolean;
  autoReconnect: boolean;
}

export interface Mount extends MountProfile {
  state: MountState;
  reason?: string;
  since: string;
}

/** A target an iSCSI portal offers (SendTargets). */
export interface InitiatorTarget {
  iqn: string;
  portals: string[];
}

/** A logged-in iSCSI session on this computer and the disks it brought. */
export interface InitiatorSession {
  iqn: string;
  portal: string;
  state: 'connected' | 'reconnecting' | 'disconnected';
  persistent: boolean;
  /** Block devices (`/dev/sdb`, `\\.\PhysicalDrive2`) attached through the session. */
  disks: string[];
}

export const jobStates = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export interface Job {
  id: string;
  kind: string;
  title: string;
  state: JobState;
  /** 0..1, or null while the amount of work is unknown. */
  progress: number | null;
  message: string;
  startedAt: string;
  endedAt?: string;
  error?: { code: string; message: string };
}

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

export interface Settings {
  theme: Theme;
  startAtLogin: boolean;
  autoReconnect: boolean;
  setupCompleted: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  configDir: string;
  keychain: 'available' | 'unavailable';
}
