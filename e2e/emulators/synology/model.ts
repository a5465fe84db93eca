// The state behind the Synology DSM emulator: accounts (with TOTP 2-step verification and
// remembered devices), sessions, storage (disks, storage pools, volumes), shared folders with NFS
// rules and permissions, Btrfs share snapshots, iSCSI LUNs and targets. Shapes follow
// /work/shared/reference/vendor-apis.md section A (PYSYNO/SYNOCSI fixtures).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as DSM's 2-step verification and authenticator apps use. */
export function totp(secret: Buffer, atMs = Date.now(), step = 0): string {
  const counter = Math.floor(atMs / 30_000) + step;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', secret).update(msg).digest();
  const off = h[h.length - 1]! & 0xf;
  const code = (h.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

export interface User {
  name: string;
  password: string;
  admin: boolean;
  disabled?: boolean;
  /** Set when the account has 2-step verification on. */
  otpSecret?: Buffer;
}

export interface Session {
  sid: string;
  account: string;
  synotoken: string | null;
  expired: boolean;
}

export interface Disk {
  id: string;
  num: number;
  model: string;
  vendor: string;
  serial: string;
  sizeBytes: number;
  temp: number;
  status: string;
  smartStatus: string;
  usedBy: string;
}

export interface StoragePool {
  id: string;
  num: number;
  deviceType: string;
  desc: string;
  status: string;
  sizeBytes: number;
  disks: string[];
  scrubbingStatus: string;
}

export interface Volume {
  id: string;
  num: number;
  pool: string;
  fsType: 'btrfs' | 'ext4';
  status: string;
  sizeBytes: number;
  /** Data outside shares and LUNs (system, metadata). */
  baseUsedBytes: number;
}

export interface NfsRule {
  client: string;
  privilege: 'rw' | 'ro';
  root_squash: string;
  async: boolean;
  crossmnt: boolean;
  insecure: boolean;
  security_flavor: Record<string, boolean>;
}

export interface SharedFolder {
  name: string;
  volPath: string;
  desc: string;
  uuid: string;
  enableCow: boolean;
  recycleBin: boolean;
  readOnly: boolean;
  quotaMb: number;
  usedMb: number;
  nfs: NfsRule[];
  permissions: Map<string, { is_readonly: boolean; is_writable: boolean; is_deny: boolean }>;
  snapshots: Array<{ time: string; desc: string; lock: boolean; sizeBytes: number; ruuid: string }>;
}

export interface Lun {
  uuid: string;
  lunId: number;
  name: string;
  type: string;
  location: string;
  sizeBytes: number;
  description: string;
  /** DSM deletes LUNs in the background: a deleting LUN is listed once more, then gone. */
  deleting: number;
}

export interface Target {
  targetId: number;
  name: string;
  iqn: string;
  authType: number;
  user: string;
  password: string;
  mapped: string[];
}

export type DsmMode = 6 | 7;

export class DsmModel {
  readonly users = new Map<string, User>();
  readonly sessions = new Map<string, Session>();
  readonly deviceTokens = new Map<string, { account: string; deviceName: string }>();
  readonly disks: Disk[] = [];
  readonly pools: StoragePool[] = [];
  readonly volumes: Volume[] = [];
  readonly shares = new Map<string, SharedFolder>();
  readonly luns: Lun[] = [];
  readonly targets: Target[] = [];
  failedLogins = 0;
  blocked = false;
  /** Auto-block after this many failed sign-ins in a row (DSM's default is 10 within 5 minutes). */
  autoBlockAfter = 10;
  hostname = 'nas-emu';
  /** The timezone DSM names snapshots in: `GMT+02-…`. */
  tzOffsetMinutes = 120;
  private nextLunId = 1;
  private nextTargetId = 1;

  constructor(readonly mode: DsmMode) {
    this.users.set('admin', { name: 'admin', password: 'admin-pass', admin: true });
    this.users.set('alice', { name: 'alice', password: 'alice-pass', admin: false });
    this.users.set('otpadmin', {
      name: 'otpadmin',
      password: 'otp-pass',
      admin: true,
      otpSecret: randomBytes(20),
    });
    const disk = (num: number, pool: string, model: string, vendor: string): Disk => ({
      id: `sd${String.fromCharCode(96 + num)}`,
      num,
      model,
      vendor,
      serial: `VAHG${1000 + num}L`,
      sizeBytes: 8_001_563_222_016,
      temp: 37 + num,
      status: 'normal',
      smartStatus: 'normal',
      usedBy: pool,
    });
    this.disks.push(
      disk(1, 'reuse_1', 'WD80EFAX-68KNBN0        ', 'WDC     '),
      disk(2, 'reuse_1', 'WD80EFAX-68KNBN0        ', 'WDC     '),
      disk(3, 'reuse_2', 'ST8000VN004-2M2101      ', 'Seagate '),
      disk(4, 'reuse_2', 'ST8000VN004-2M2101      ', 'Seagate '),
    );
    this.pools.push(
      {
        id: 'reuse_1',
        num: 1,
        deviceType: 'shr_with_1_disk_protect',
        desc: 'SHR',
        status: 'normal',
        sizeBytes: 7_681_771_159_552,
        disks: ['sda', 'sdb'],
        scrubbingStatus: 'done',
      },
      {
        id: 'reuse_2',
        num: 2,
        deviceType: 'raid_1',
        desc: 'RAID 1',
        status: 'normal',
        sizeBytes: 7_681_771_159_552,
        disks: ['sdc', 'sdd'],
        scrubbingStatus: 'has_not_run_yet',
      },
    );
    this.volumes.push(
      {
        id: 'volume_1',
        num: 1,
        pool: 'reuse_1',
        fsType: 'btrfs',
        status: 'normal',
        sizeBytes: 7_499_321_278_464,
        baseUsedBytes: 2_724_878_606_336,
      },
      {
        id: 'volume_2',
        num: 2,
        pool: 'reuse_2',
        fsType: 'ext4',
        status: 'normal',
        sizeBytes: 7_499_321_278_464,
        baseUsedBytes: 1_000_000_000,
      },
    );
    this.addShare('homes', '/volume1', 'user home');
    const media = this.addShare('media', '/volume1', '');
    media.permissions.set('alice', { is_readonly: true, is_writable: false, is_deny: false });
    media.nfs.push(nfsRule('192.168.1.0/24', 'ro'));
    media.snapshots.push({
      time: 'GMT+02-2025.06.01-03.00.00',
      desc: 'before upgrade',
      lock: true,
      sizeBytes: 1_048_576,
      ruuid: randomUUID(),
    });
    this.addShare('archive', '/volume2', 'on ext4');
  }

  volumePath(v: Volume): string {
    return `/volume${v.num}`;
  }

  volumeByPath(path: string): Volume | undefined {
    return this.volumes.find((v) => this.volumePath(v) === path);
  }

  addShare(name: string, volPath: string, desc: string): SharedFolder {
    const share: SharedFolder = {
      name,
      volPath,
      desc,
      uuid: randomUUID(),
      enableCow: this.volumeByPath(volPath)?.fsType === 'btrfs',
      recycleBin: true,
      readOnly: false,
      quotaMb: 0,
      usedMb: 0,
      nfs: [],
      permissions: new Map(),
      snapshots: [],
    };
    this.shares.set(name, share);
    return share;
  }

  share(name: string): SharedFolder | undefined {
    return [...this.shares.values()].find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  newSession(account: string, withToken: boolean): Session {
    const session: Session = {
      sid: randomBytes(24).toString('base64url'),
      account,
      synotoken: withToken ? randomBytes(8).toString('base64url') : null,
      expired: false,
    };
    this.sessions.set(session.sid, session);
    return session;
  }

  /** Every session times out (the next call gets 106), as after DSM's idle timeout. */
  expireSessions(): void {
    for (const s of this.sessions.values()) s.expired = true;
  }

  issueDeviceToken(account: string, deviceName: string): string {
    const token = randomBytes(24).toString('hex');
    this.deviceTokens.set(token, { account, deviceName });
    return token;
  }

  /** The current TOTP code of an account with 2-step verification. */
  otpFor(account: string, atMs = Date.now()): string {
    const secret = this.users.get(account)?.otpSecret;
    if (!secret) throw new Error(`${account} has no 2-step verification`);
    return totp(secret, atMs);
  }

  /** `GMT+02-2025.06.03-10.15.42`, unique per share (the next second when taken). */
  snapshotName(share: SharedFolder, atMs = Date.now()): string {
    const sign = this.tzOffsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.tzOffsetMinutes);
    const tz = `GMT${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}`;
    for (let t = atMs; ; t += 1000) {
      const d = new Date(t + this.tzOffsetMinutes * 60_000);
      const p = (n: number) => String(n).padStart(2, '0');
      const name = `${tz}-${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}-${p(d.getUTCHours())}.${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
      if (!share.snapshots.some((s) => s.time === name)) return name;
    }
  }

  volumeUsed(v: Volume): number {
    const path = this.volumePath(v);
    return (
      v.baseUsedBytes +
      this.luns.filter((l) => l.location === path).reduce((n, l) => n + l.sizeBytes, 0) +
      [...this.shares.values()].filter((s) => s.volPath === path).reduce((n, s) => n + s.usedMb * 1024 * 1024, 0)
    );
  }

  addLun(name: string, type: string, location: string, sizeBytes: number, description: string): Lun {
    const lun: Lun = {
      uuid: randomUUID(),
      lunId: this.nextLunId++,
      name,
      type,
      location,
      sizeBytes,
      description,
      deleting: 0,
    };
    this.luns.push(lun);
    return lun;
  }

  addTarget(name: string, iqn: string, authType: number, user: string, password: string): Target {
    const target: Target = { targetId: this.nextTargetId++, name, iqn, authType, user, password, mapped: [] };
    this.targets.push(target);
    return target;
  }
}

export function nfsRule(client: string, privilege: 'rw' | 'ro'): NfsRule {
  return {
    client,
    privilege,
    root_squash: 'root',
    async: true,
    crossmnt: true,
    insecure: false,
    security_flavor: { sys: true, kerberos: false, kerberos_integrity: false, kerberos_privacy: false },
  };
}
