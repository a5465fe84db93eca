// QNAP QTS / QuTS hero through its own CGI API: system, volumes, disks with SMART and shared
// folders in the shared shapes. QNAP publishes no API to create shares, snapshots or scrubs, so
// those are NOT_SUPPORTED here, with the capability flags and notes saying so.
import type {
  Alert,
  Capabilities,
  Device,
  Disk,
  IscsiTarget,
  PlanStep,
  Pool,
  Share,
  Snapshot,
  SystemInfo,
} from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { SeenCert } from '../../remote/tls';
import { secretAccount, type SecretVault } from '../../secrets/vault';
import type { JobContext } from '../../jobs/jobs';
import { diskAlerts, type IscsiSpec, type NasAdapter, type ShareChange, type ShareSpec } from '../adapter';
import type { VendorContext, VendorDriver, VendorVerified, VendorVerifyOptions } from '../vendors';
import { QtsClient, qtsBaseUrl, type QtsCredentials } from './client';
import {
  parseDisks,
  parseShareTree,
  parseSysHealth,
  parseSysinfo,
  parseVolumes,
  type QtsDisk,
  type QtsSystem,
} from './parse';

const SYSINFO = '/cgi-bin/management/manaRequest.cgi';
const DISK_USAGE = '/cgi-bin/management/chartReq.cgi';
const SMART = '/cgi-bin/disk/qsmart.cgi';
const FILE_STATION = '/cgi-bin/filemanager/utilRequest.cgi';

const WEB_OR_SSH =
  'Use the QTS web page, or enable SSH on the NAS (Control Panel › Network & File Services › Telnet/SSH) and add it with --vendor linux to manage it over SSH.';

/** What QNAP's public API does not offer, one sentence each (the capability notes and the errors). */
const MISSING = {
  shares:
    'QNAP publishes no API to create or delete shared folders or edit their SMB/NFS access rules; Nasdeck lists them read-only.',
  snapshots: 'QNAP publishes no API for volume or shared-folder snapshots.',
  scrub: 'QNAP publishes no API to start a RAID scrub.',
  iscsi: 'iSCSI on QNAP is not managed by Nasdeck yet.',
  smbPassword: 'QNAP publishes no API to set an account password.',
} as const;

function notSupported(what: keyof typeof MISSING, operation: string): AppError {
  return new AppError('NOT_SUPPORTED', `${operation} is not available on QNAP: ${MISSING[what]}`, {
    vendor: 'qnap',
    operation,
    fix: WEB_OR_SSH,
  });
}

export class QnapAdapter implements NasAdapter {
  readonly vendor = 'qnap' as const;
  private systemOnce: Promise<QtsSystem> | undefined;
  private disksOnce: Promise<QtsDisk[]> | undefined;

  constructor(
    readonly client: QtsClient,
    /** Dry run: nothing here mutates through the API, so plans stay empty and unsupported changes still refuse. */
    readonly plan?: PlanStep[],
  ) {}

  async capabilities(): Promise<Capabilities> {
    return {
      pools: true,
      scrub: false,
      snapshots: false,
      smbShares: false,
      nfsShares: false,
      iscsi: false,
      disks: true,
      smart: true,
      notes: [MISSING.shares, MISSING.snapshots, MISSING.scrub, MISSING.iscsi].map((n) => `${n} ${WEB_OR_SSH}`),
    };
  }

  private system(): Promise<QtsSystem> {
    this.systemOnce ??= this.client
      .xml(SYSINFO, { subfunc: 'sysinfo', hd: 'no', multicpu: '1' })
      .then((doc) => parseSysinfo(doc));
    return this.systemOnce;
  }

  async systemInfo(): Promise<SystemInfo> {
    const { hostname, os, kernel, uptimeSeconds, model } = await this.system();
    return { hostname, os, kernel, uptimeSeconds, model };
  }

  /** For device add: the model and firmware to show. */
  async identity(): Promise<{ model: string | null; osVersion: string | null }> {
    const s = await this.system();
    return { model: s.model, osVersion: s.firmware ? `${s.osName} ${s.firmware}` : s.os };
  }

  private qtsDisks(): Promise<QtsDisk[]> {
    this.disksOnce ??= this.client.xml(SMART, { func: 'all_hd_data' }).then((doc) => parseDisks(doc));
    return this.disksOnce;
  }

  async pools(): Promise<Pool[]> {
    const [doc, disks] = await Promise.all([
      this.client.xml(DISK_USAGE, { chart_func: 'disk_usage', disk_select: 'all', include: 'all' }),
      this.qtsDisks(),
    ]);
    return parseVolumes(doc, disks).map(({ shares: _shares, ...pool }) => pool);
  }

  async disks(): Promise<Disk[]> {
    return (await this.qtsDisks()).map(({ bay: _bay, ...disk }) => disk);
  }

  async shares(): Promise<Share[]> {
    const tree = await this.client.json(FILE_STATION, { func: 'get_tree', is_iso: '0', node: 'share_root' });
    return parseShareTree(tree, FILE_STATION);
  }

  async snapshots(_of?: string): Promise<Snapshot[]> {
    throw notSupported('snapshots', 'Listing snapshots');
  }

  async iscsiTargets(): Promise<IscsiTarget[]> {
    throw notSupported('iscsi', 'Listing iSCSI targets');
  }

  async alerts(pools: Pool[], disks: Disk[]): Promise<Alert[]> {
    const alerts: Alert[] = [];
    const health = await this.client
      .xml(SYSINFO, { subfunc: 'sysinfo', sysHealth: '1' })
      .then((doc) => parseSysHealth(doc));
    if (health && health !== 'good')
      alerts.push({
        level: health === 'warning' ? 'warning' : 'critical',
        source: 'system',
        message: `QTS reports the system health as "${health}".`,
      });
    for (const p of pools) {
      if (p.state !== 'healthy')
        alerts.push({
          level: 'warning',
          source: `pool ${p.name}`,
          message: `Volume ${p.name} is not ready: ${p.rawState}.`,
        });
      for (const d of p.devices.filter((x) => x.state === 'failed' || x.state === 'degraded'))
        alerts.push({
          level: d.state === 'failed' ? 'critical' : 'warning',
          source: `pool ${p.name}`,
          message: `${d.name} in volume ${p.name} is ${d.state === 'failed' ? 'failing or missing' : 'reporting warnings'}.`,
        });
      if (p.sizeBytes > 0 && p.usedBytes / p.sizeBytes > 0.9)
        alerts.push({
          level: 'warning',
          source: `pool ${p.name}`,
          message: `Volume ${p.name} is ${Math.round((100 * p.usedBytes) / p.sizeBytes)}% full.`,
        });
    }
    const warnAt = (await this.system().catch(() => null))?.diskTempWarnC ?? 55;
    alerts.push(...diskAlerts(disks, warnAt));
    return alerts;
  }

  async scrub(_pool: string, _ctx: JobContext): Promise<Pool> {
    throw notSupported('scrub', 'Scrubbing a volume');
  }
  async createShare(_spec: ShareSpec): Promise<Share> {
    throw notSupported('shares', 'Creating a shared folder');
  }
  async setSmbPassword(_user: string, _password: string): Promise<void> {
    throw notSupported('smbPassword', 'Setting an SMB password');
  }
  async updateShare(_name: string, _protocol: 'smb' | 'nfs' | undefined, _change: ShareChange): Promise<Share> {
    throw notSupported('shares', 'Changing the access rules of a shared folder');
  }
  async deleteShare(_name: string, _protocol?: 'smb' | 'nfs'): Promise<void> {
    throw notSupported('shares', 'Deleting a shared folder');
  }
  async createSnapshot(_of: string, _name: string): Promise<Snapshot> {
    throw notSupported('snapshots', 'Creating a snapshot');
  }
  async deleteSnapshot(_of: string, _name: string): Promise<void> {
    throw notSupported('snapshots', 'Deleting a snapshot');
  }
  async rollbackSnapshot(_of: string, _name: string): Promise<void> {
    throw notSupported('snapshots', 'Rolling back a snapshot');
  }
  async createIscsiTarget(_spec: IscsiSpec): Promise<IscsiTarget> {
    throw notSupported('iscsi', 'Creating an iSCSI target');
  }
  async deleteIscsiTarget(_target: string): Promise<void> {
    throw notSupported('iscsi', 'Deleting an iSCSI target');
  }
}

export interface QnapDriverOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/** Keychain secrets of a device: the password, and the qtoken of a remembered computer. */
function credentialsOf(device: Device, vault: SecretVault): () => Promise<QtsCredentials> {
  return async () => {
    if (!device.access.user)
      throw new AppError('INVALID_INPUT', `No user name for ${device.name}: add it again with --user.`);
    const creds: QtsCredentials = { user: device.access.user };
    if (device.access.secrets.includes('password')) {
      const password = await vault.get(secretAccount(device.id, 'password'));
      if (password) creds.password = password;
    }
    if (device.access.secrets.includes('deviceToken')) {
      const qtoken = await vault.get(secretAccount(device.id, 'deviceToken'));
      if (qtoken) creds.qtoken = qtoken;
    }
    return creds;
  };
}

/** One signed-in client per device, reused by every adapter until the app closes. */
export class QnapDriver implements VendorDriver {
  private readonly clients = new Map<string, { key: string; client: QtsClient }>();

  constructor(private readonly options: QnapDriverOptions = {}) {}

  private clientFor(device: Device, vault: SecretVault): QtsClient {
    if (!device.access.certSha256)
      throw new AppError(
        'CERT_MISMATCH',
        `No TLS certificate is pinned for ${device.name}: add it again to confirm it.`,
        {
          host: device.host,
        },
      );
    const baseUrl = qtsBaseUrl(device.host, device.port, device.url);
    const key = JSON.stringify([baseUrl, device.access.certSha256, device.access.user]);
    const known = this.clients.get(device.id);
    if (known?.key === key) return known.client;
    void known?.client.logout();
    const client = new QtsClient({
      baseUrl,
      pin: { certSha256: device.access.certSha256 },
      credentials: credentialsOf(device, vault),
      ...this.options,
    });
    this.clients.set(device.id, { key, client });
    return client;
  }

  async adapter(ctx: VendorContext): Promise<QnapAdapter> {
    return new QnapAdapter(this.clientFor(ctx.device, ctx.vault), ctx.plan);
  }

  async verify(device: Device, vault: SecretVault, options: VendorVerifyOptions): Promise<VendorVerified> {
    const seen: SeenCert = {};
    const client = new QtsClient({
      baseUrl: qtsBaseUrl(device.host, device.port, device.url),
      pin: {
        ...(device.access.certSha256 ? { certSha256: device.access.certSha256 } : {}),
        acceptNewCert: options.acceptNewCert,
      },
      seen,
      credentials: credentialsOf(device, vault),
      ...this.options,
    });
    try {
      const session = await client.login({
        ...(options.otp ? { otp: options.otp } : {}),
        ...(options.rememberDevice ? { remember: true } : {}),
      });
      const { model, osVersion } = await new QnapAdapter(client).identity();
      return {
        ...(seen.certSha256 ? { certSha256: seen.certSha256 } : {}),
        model,
        osVersion,
        ...(session.qtoken ? { tokens: { deviceToken: session.qtoken } } : {}),
      };
    } finally {
      await client.logout();
    }
  }

  async closeAll(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map(({ client }) => client.logout()));
  }
}

export const qnapDriver = new QnapDriver();
