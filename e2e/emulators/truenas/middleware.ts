// The emulated TrueNAS middleware: an in-memory NAS (pools, datasets, snapshots, shares, iSCSI,
// disks, users, alerts, jobs that progress over time) and its API methods with the documented
// shapes and validation (../shared/reference/vendor-apis.md B.2–B.6; see SOURCES.md). Both the
// JSON-RPC and the REST front ends of server.ts call `invoke`, so the two APIs share one model.
import { randomBytes } from 'node:crypto';

export type Release = '25.10' | '25.04' | '24.10' | 'core13';

export const VERSION_STRINGS: Record<Release, string> = {
  '25.10': 'TrueNAS-25.10.0',
  '25.04': 'TrueNAS-SCALE-25.04.2.6',
  '24.10': 'TrueNAS-SCALE-24.10.2.4',
  core13: 'TrueNAS-13.0-U6.2',
};

/** A middlewared CallError / ValidationError / unknown method, serialized by the front ends. */
export class RpcError extends Error {
  constructor(
    readonly kind: 'call' | 'validation' | 'no-method',
    readonly errno: number,
    readonly errname: string,
    readonly reason: string,
    readonly extra: Array<[string, string, number]> | null = null,
  ) {
    super(reason);
  }
}
const E = {
  ENOENT: (r: string) => new RpcError('call', 2, 'ENOENT', r),
  EACCES: (r: string) => new RpcError('call', 13, 'EACCES', r),
  EBUSY: (r: string) => new RpcError('call', 16, 'EBUSY', r),
  EEXIST: (r: string) => new RpcError('call', 17, 'EEXIST', r),
  EFAULT: (r: string) => new RpcError('call', 14, 'EFAULT', r),
  NOTAUTH: () => new RpcError('call', 207, 'ENOTAUTHENTICATED', 'Not authenticated'),
  invalid: (method: string, attr: string, msg: string) =>
    new RpcError('validation', 22, 'EINVAL', `[EINVAL] ${method}.${attr}: ${msg}`, [[`${method}.${attr}`, msg, 22]]),
};

type Row = Record<string, unknown> & { id: number | string };
const date = (ms: number) => ({ $date: ms });
const prop = (parsed: unknown, value: string | null, source = 'NONE') => ({
  parsed,
  rawvalue: parsed === null ? null : String(parsed),
  value,
  source,
  source_info: null,
});

export interface User {
  id: number;
  username: string;
  password: string;
  roles: string[];
  /** Two-factor: the code that the "authenticator app" shows. */
  otp?: string;
}

export interface Job {
  id: number;
  method: string;
  arguments: unknown[];
  transient: boolean;
  description: string | null;
  abortable: boolean;
  logs_path: null;
  logs_excerpt: null;
  progress: { percent: number; description: string; extra: null };
  result: unknown;
  result_encoding_error: null;
  error: string | null;
  exception: string | null;
  exc_info: { repr: string; type: string; errno: number; extra: null } | null;
  state: 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  time_started: { $date: number };
  time_finished: { $date: number } | null;
  credentials: { type: string; data: { username: string } } | null;
}

export interface Session {
  user: User | null;
  /** PASSWORD_PLAIN accepted, waiting for auth.login_ex_continue with the OTP. */
  otpPending: User | null;
  secure: boolean;
  remote: string;
  subscribedJobs: boolean;
  credentialType: string;
}

const vdevStats = () => ({
  timestamp: 987654321,
  read_errors: 0,
  write_errors: 0,
  checksum_errors: 0,
  ops: [0, 40, 29, 0, 0, 0, 0],
  bytes: [0, 3276800, 2402304, 0, 0, 0, 0],
  size: 0,
  allocated: 0,
  fragmentation: 0,
  self_healed: 0,
  configured_ashift: 12,
  logical_ashift: 9,
  physical_ashift: 12,
});

const leaf = (disk: string, n: number) => ({
  name: `4f3c1d2e-0000-4000-8000-00000000000${n}`,
  type: 'DISK',
  path: `/dev/disk/by-partuuid/4f3c1d2e-0000-4000-8000-00000000000${n}`,
  guid: `77770000111122223${n}`,
  status: 'ONLINE',
  stats: vdevStats(),
  children: [],
  device: `${disk}1`,
  disk,
  unavail_disk: null,
});

function pool(id: number, name: string, type: string, disks: string[], size: number, allocated: number) {
  return {
    id,
    name,
    guid: `93847182901234567${id}`,
    status: 'ONLINE',
    path: `/mnt/${name}`,
    scan:
      id === 1
        ? {
            function: 'SCRUB',
            state: 'FINISHED',
            start_time: date(1754800000000),
            end_time: date(1754807200000),
            percentage: 100.0,
            bytes_to_process: allocated,
            bytes_processed: allocated,
            bytes_issued: allocated,
            pause: null,
            errors: 0,
            total_secs_left: null as number | null,
          }
        : null,
    expand: null,
    is_upgraded: true,
    healthy: true,
    warning: false,
    status_code: 'OK',
    status_detail: null,
    size,
    allocated,
    free: size - allocated,
    freeing: 0,
    dedup_table_size: 0,
    dedup_table_quota: 'auto',
    fragmentation: '3',
    size_str: String(size),
    allocated_str: String(allocated),
    free_str: String(size - allocated),
    freeing_str: '0',
    autotrim: { parsed: 'off', rawvalue: 'off', source: 'DEFAULT', value: 'off' },
    topology: {
      data: [
        {
          name: `${type.toLowerCase()}-0`,
          type,
          path: null,
          guid: `11112222333344445${id}`,
          status: 'ONLINE',
          stats: { ...vdevStats(), size, allocated, fragmentation: 3 },
          children: disks.map((d, i) => leaf(d, id * 10 + i)),
          unavail_disk: null,
        },
      ],
      log: [],
      cache: [],
      spare: [],
      special: [],
      dedup: [],
    },
  };
}

function dataset(name: string, type: 'FILESYSTEM' | 'VOLUME', used: number, volsize?: number) {
  return {
    id: name,
    type,
    name,
    pool: name.split('/')[0]!,
    encrypted: false,
    encryption_root: null,
    key_loaded: false,
    locked: false,
    mountpoint: type === 'FILESYSTEM' ? `/mnt/${name}` : null,
    children: [],
    user_properties: {},
    used: prop(used, `${Math.round(used / 2 ** 30)}G`),
    available: prop(6579601712620, '5.98T'),
    usedbysnapshots: prop(1048576, '1M'),
    quota: prop(null, null, 'DEFAULT'),
    compression: prop('lz4', 'LZ4', 'INHERITED'),
    comments: prop(null, null, 'NONE'),
    ...(volsize !== undefined ? { volsize: prop(volsize, `${Math.round(volsize / 2 ** 30)}G`, 'LOCAL') } : {}),
  };
}

/** A sharing.smb record as TrueNAS keeps it: its defaults, with what the seed or a create request gives. */
function smbRecord(given: {
  id: number;
  name: string;
  path: string;
  vuid: string;
  purpose?: unknown;
  comment?: unknown;
  browsable?: unknown;
  hostsallow?: unknown;
  enabled?: unknown;
}) {
  return {
    id: given.id,
    purpose: given.purpose ?? 'DEFAULT_SHARE',
    path: given.path,
    path_suffix: '',
    home: false,
    name: given.name,
    comment: given.comment ?? '',
    browsable: given.browsable ?? true,
    timemachine: false,
    timemachine_quota: 0,
    recyclebin: false,
    guestok: false,
    hostsallow: given.hostsallow ?? [],
    hostsdeny: [],
    aapl_name_mangling: false,
    acl: true,
    durablehandle: true,
    shadowcopy: true,
    streams: true,
    fsrvp: false,
    auxsmbconf: '',
    enabled: given.enabled ?? true,
    afp: false,
    audit: { enable: false, watch_list: [], ignore_list: [] },
    path_local: given.path,
    locked: false,
    vuid: given.vuid,
  };
}

/** The NAS's state; tests may read and edit it (e.g. make a pool DEGRADED). */
export class Model {
  readonly release: Release;
  pools = [
    pool(1, 'tank', 'RAIDZ1', ['sda', 'sdb', 'sdc'], 11991548690432, 4123456789012),
    pool(2, 'fast', 'MIRROR', ['nvme0n1', 'nvme1n1'], 1992864825344, 214748364800),
  ];
  datasets: Row[] = [
    dataset('tank', 'FILESYSTEM', 4123456789012),
    dataset('tank/media', 'FILESYSTEM', 1288490188800),
    dataset('tank/backups', 'FILESYSTEM', 2199023255552),
    dataset('tank/vmstore', 'VOLUME', 107374182400, 107374182400),
    dataset('fast', 'FILESYSTEM', 214748364800),
  ];
  snapshots: Row[] = [];
  smb: Row[] = [];
  nfs: Row[] = [];
  portals: Row[] = [{ id: 1, listen: [{ ip: '0.0.0.0', port: 3260 }], tag: 1, comment: '' }];
  initiators: Row[] = [{ id: 1, initiators: [], comment: 'everyone' }];
  auths: Row[] = [];
  targets: Row[] = [
    {
      id: 1,
      name: 'vmstore',
      alias: null,
      mode: 'ISCSI',
      groups: [{ portal: 1, initiator: 1, authmethod: 'NONE', auth: null }],
      auth_networks: [],
      rel_tgt_id: 1,
      iscsi_parameters: null,
    },
  ];
  extents: Row[] = [
    {
      id: 1,
      name: 'vmstore-lun0',
      type: 'DISK',
      disk: 'zvol/tank/vmstore',
      serial: 'ac1f6b0a1b2c000',
      path: 'zvol/tank/vmstore',
      filesize: '0',
      blocksize: 512,
      pblocksize: false,
      avail_threshold: null,
      comment: '',
      naa: '0x6589cfc000000a1b2c3d4e5f60718293',
      insecure_tpc: true,
      xen: false,
      rpm: 'SSD',
      ro: false,
      enabled: true,
      vendor: 'TrueNAS',
      locked: false,
    },
  ];
  targetextents: Row[] = [{ id: 1, target: 1, lunid: 0, extent: 1 }];
  disks = [
    ['sda', 'WDC WD40EFRX-68N32N0   ', 'WD-WCC7K0000001', 4000787030016, 'HDD', 5400],
    ['sdb', 'WDC WD40EFRX-68N32N0   ', 'WD-WCC7K0000002', 4000787030016, 'HDD', 5400],
    ['sdc', 'WDC WD40EFRX-68N32N0   ', 'WD-WCC7K0000003', 4000787030016, 'HDD', 5400],
    ['nvme0n1', 'Samsung SSD 980 PRO 1TB', 'S5GXNF0R000001', 1000204886016, 'SSD', null],
    ['nvme1n1', 'Samsung SSD 980 PRO 1TB', 'S5GXNF0R000002', 1000204886016, 'SSD', null],
  ].map(([name, model, serial, size, type, rpm], i) => ({
    identifier: `{serial_lunid}${serial}_5000c500a0000${i}`,
    name,
    subsystem: String(name).startsWith('nvme') ? 'nvme' : 'scsi',
    number: 2048 + i * 16,
    serial,
    lunid: `5000c500a0000${i}`,
    size,
    description: '',
    transfermode: 'Auto',
    hddstandby: 'ALWAYS ON',
    advpowermgmt: 'DISABLED',
    expiretime: null,
    model,
    rotationrate: rpm,
    type,
    zfs_guid: `77770000111122223${i}`,
    bus: String(name).startsWith('nvme') ? 'NVME' : 'ATA',
    devname: `/dev/${name}`,
    enclosure: null,
    pool: i < 3 ? 'tank' : 'fast',
  }));
  temperatures: Record<string, number | null> = { sda: 34, sdb: 35, sdc: 36, nvme0n1: 41, nvme1n1: null };
  alerts: Row[] = [
    {
      uuid: '5b3c1d2e-aaaa-4bbb-8ccc-000000000001',
      source: '',
      klass: 'NTPHealthCheck',
      args: {},
      node: 'A',
      key: '[]',
      datetime: date(1755000000000),
      last_occurrence: date(1755000000000),
      dismissed: false,
      mail: null,
      text: 'NTP health check failed - No Active NTP peers',
      id: '5b3c1d2e-aaaa-4bbb-8ccc-000000000001',
      level: 'WARNING',
      formatted: 'NTP health check failed - No Active NTP peers',
      one_shot: false,
    },
  ];
  users: User[] = [
    { id: 70, username: 'admin', password: 'admin-pass', roles: ['FULL_ADMIN'] },
    { id: 71, username: 'viewer', password: 'viewer-pass', roles: ['READONLY_ADMIN'] },
    { id: 72, username: 'otpuser', password: 'otp-pass', roles: ['FULL_ADMIN'], otp: '424242' },
    { id: 73, username: 'alice', password: 'alice-pass', roles: [] },
  ];
  apiKeys: Array<{ id: number; name: string; username: string; key: string; revoked: boolean }> = [
    { id: 1, name: 'seed', username: 'admin', key: `1-${'k'.repeat(64)}`, revoked: false },
  ];
  jobs: Job[] = [];
  /** What rollbacks did (a dataset's content is not modelled beyond this). */
  rollbacks: string[] = [];
  private txg = 1843321;

  constructor(release: Release) {
    this.release = release;
    const smb = smbRecord({
      id: 1,
      name: 'media',
      path: '/mnt/tank/media',
      vuid: '7d1b0c9e-2f4a-4b1e-9c55-1e2f3a4b5c6d',
    });
    this.smb.push(this.smbShape(smb, false));
    this.nfs.push({
      id: 1,
      ...this.nfsPathField('/mnt/tank/backups'),
      aliases: [],
      comment: '',
      networks: ['192.168.10.0/24'],
      hosts: [],
      ro: false,
      maproot_user: 'root',
      maproot_group: 'wheel',
      mapall_user: null,
      mapall_group: null,
      security: [],
      enabled: true,
      locked: false,
      expose_snapshots: false,
    });
    this.snapshots.push(this.snapshotRow('tank/media', 'auto-2025-06-01_00-00', 1748736000000));
  }

  /** 25.10 renamed ro → readonly and abe → access_based_share_enumeration. */
  smbShape(base: Record<string, unknown>, readOnly: boolean): Row {
    return (this.release === '25.10'
      ? { ...base, readonly: readOnly, access_based_share_enumeration: false, options: {} }
      : { ...base, ro: readOnly, abe: false }) as unknown as Row;
  }

  /** CORE 13 exports a list of paths. */
  nfsPathField(path: string) {
    return this.release === 'core13' ? { paths: [path] } : { path };
  }

  snapshotRow(ds: string, name: string, createdMs = Date.now()): Row {
    return {
      id: `${ds}@${name}`,
      name: `${ds}@${name}`,
      pool: ds.split('/')[0],
      type: 'SNAPSHOT',
      snapshot_name: name,
      dataset: ds,
      createtxg: String(this.txg++),
      properties: {
        used: { value: '1M', rawvalue: '1048576', parsed: 1048576, source: 'NONE' },
        creation: {
          value: new Date(createdMs).toUTCString(),
          rawvalue: String(Math.floor(createdMs / 1000)),
          parsed: date(createdMs),
          source: 'NONE',
        },
      },
    };
  }

  /** Alerts as TrueNAS raises them: the static ones plus one per unhealthy pool (VolumeStatus). */
  alertList(): Row[] {
    const volume = this.pools
      .filter((p) => p.status !== 'ONLINE')
      .map((p) => ({
        ...this.alerts[0]!,
        uuid: `volume-${p.name}`,
        id: `volume-${p.name}`,
        klass: 'VolumeStatus',
        level: 'CRITICAL',
        text: `Pool ${p.name} state is ${p.status}: One or more devices are faulted.`,
        formatted: `Pool ${p.name} state is ${p.status}: One or more devices are faulted.`,
      }));
    return [...this.alerts, ...volume];
  }

  nextId(rows: Row[]): number {
    return Math.max(0, ...rows.map((r) => Number(r.id) || 0)) + 1;
  }
}

type Filter = [string, string, unknown];

function get(row: Record<string, unknown>, field: string): unknown {
  return field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], row);
}

/** middlewared's query filters and options (the subset clients use: =, !=, in, ^, get, limit). */
export function query(rows: Row[], params: unknown[], what: string): unknown {
  const filters = (params[0] ?? []) as Filter[];
  const options = (params[1] ?? {}) as { get?: boolean; limit?: number };
  if (!Array.isArray(filters)) throw E.invalid(what, 'filters', 'Input should be a valid list');
  const out = rows.filter((r) =>
    filters.every(([field, op, value]) => {
      const v = get(r, field);
      switch (op) {
        case '=':
          return v === value;
        case '!=':
          return v !== value;
        case 'in':
          return Array.isArray(value) && value.includes(v);
        case '^':
          return typeof v === 'string' && v.startsWith(String(value));
        default:
          throw E.invalid(what, 'filters', `Invalid operation: ${op}`);
      }
    }),
  );
  if (options.get) {
    if (!out[0]) throw E.ENOENT(`${what}: no entry matches`);
    return out[0];
  }
  return typeof options.limit === 'number' ? out.slice(0, options.limit) : out;
}

export interface Faults {
  /** Jobs of this method end FAILED. */
  failJob?: string;
}

type Method = (params: unknown[], session: Session) => unknown;

const MUTATING = /\.(create|update|delete|rollback|scrub|run|job_abort)$|^pool\.scrub$/;
const NO_AUTH = new Set([
  'auth.login_ex',
  'auth.login_ex_continue',
  'auth.login',
  'auth.login_with_api_key',
  'auth.mechanism_choices',
  'core.ping',
]);

export class Middleware {
  readonly model: Model;
  private readonly methods = new Map<string, Method>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Called when a job changes (the JSON-RPC front end sends collection_update). */
  onJobChange: (job: Job) => void = () => undefined;

  constructor(
    readonly release: Release,
    private readonly jobTickMs: number,
    readonly faults: Faults = {},
  ) {
    this.model = new Model(release);
    this.register();
  }

  has(method: string): boolean {
    return this.methods.has(method);
  }

  /** Runs one API call as the session's user. */
  invoke(method: string, params: unknown[], session: Session): unknown {
    const fn = this.methods.get(method);
    if (!fn) throw new RpcError('no-method', 0, 'ENOMETHOD', 'Method does not exist');
    if (!NO_AUTH.has(method) && !session.user) throw E.NOTAUTH();
    if (session.user && MUTATING.test(method) && !session.user.roles.includes('FULL_ADMIN'))
      throw E.EACCES('Not authorized');
    return fn(params, session);
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }

  // ── jobs ────────────────────────────────────────────────────────────────────────────────────
  private startJob(
    method: string,
    args: unknown[],
    session: Session,
    description: string,
    /** One step per tick; returns the result when done, undefined while running. */
    step: (job: Job) => { done: true; result: unknown } | undefined,
  ): number {
    const job: Job = {
      id: this.model.nextId(this.model.jobs as unknown as Row[]) + 400,
      method,
      arguments: args,
      transient: false,
      description,
      abortable: true,
      logs_path: null,
      logs_excerpt: null,
      progress: { percent: 0, description: 'Starting', extra: null },
      result: null,
      result_encoding_error: null,
      error: null,
      exception: null,
      exc_info: null,
      state: 'RUNNING',
      time_started: date(Date.now()),
      time_finished: null,
      credentials: session.user ? { type: session.credentialType, data: { username: session.user.username } } : null,
    };
    this.model.jobs.push(job);
    let ticks = 0;
    const timer = setInterval(() => {
      if (job.state !== 'RUNNING') {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      ticks++;
      if (this.faults.failJob === method && ticks >= 3) {
        job.state = 'FAILED';
        job.error = '[EFAULT] I/O error on /dev/sdb while reading metadata';
        job.exception = 'Traceback (most recent call last): ...';
        job.exc_info = { repr: "CallError('I/O error')", type: 'CallError', errno: 14, extra: null };
      } else {
        const r = step(job);
        if (r) {
          job.state = 'SUCCESS';
          job.result = r.result;
          job.progress = { percent: 100, description: 'Done', extra: null };
        }
      }
      if (job.state !== 'RUNNING') job.time_finished = date(Date.now());
      this.onJobChange(job);
    }, this.jobTickMs);
    this.timers.add(timer);
    this.onJobChange(job);
    return job.id;
  }

  private scrubJob(method: string, args: unknown[], poolName: unknown, action: unknown, session: Session): number {
    const p = this.model.pools.find((x) => x.name === poolName || x.id === poolName);
    if (!p) throw E.ENOENT(`Pool ${String(poolName)} not found`);
    if (action === 'STOP' || action === 'PAUSE') {
      if (p.scan?.state === 'SCANNING') p.scan = { ...p.scan, state: 'CANCELED' };
      for (const j of this.model.jobs)
        if (j.state === 'RUNNING' && /scrub/.test(j.method) && j.description?.includes(`'${p.name}'`)) {
          j.state = 'ABORTED';
          j.time_finished = date(Date.now());
          this.onJobChange(j);
        }
      return this.startJob(method, args, session, `Stop scrub of pool '${p.name}'`, () => ({
        done: true,
        result: null,
      }));
    }
    if (action !== 'START') throw E.invalid(method, 'action', "Input should be 'START', 'STOP' or 'PAUSE'");
    if (p.scan?.state === 'SCANNING') throw E.EBUSY(`Scrub of pool '${p.name}' is already running`);
    if (p.status !== 'ONLINE' && p.status !== 'DEGRADED') throw E.EFAULT(`Pool ${p.name} is ${p.status}`);
    p.scan = {
      function: 'SCRUB',
      state: 'SCANNING',
      start_time: date(Date.now()),
      end_time: null as never,
      percentage: 0,
      bytes_to_process: p.allocated,
      bytes_processed: 0,
      bytes_issued: 0,
      pause: null,
      errors: 0,
      total_secs_left: 60 as number | null,
    };
    return this.startJob(method, args, session, `Scrub of pool '${p.name}'`, (job) => {
      const scan = p.scan!;
      if (scan.state !== 'SCANNING') return { done: true, result: null };
      scan.percentage = Math.min(100, scan.percentage + 12.5);
      scan.bytes_processed = Math.round((p.allocated * scan.percentage) / 100);
      job.progress = { percent: scan.percentage, description: 'Scrubbing', extra: null };
      if (scan.percentage < 100) return undefined;
      scan.state = 'FINISHED';
      scan.end_time = date(Date.now()) as never;
      scan.total_secs_left = null;
      return { done: true, result: null };
    });
  }

  // ── methods ─────────────────────────────────────────────────────────────────────────────────
  private register() {
    const m = this.model;
    const def = (name: string, fn: Method) => this.methods.set(name, fn);
    const obj = (v: unknown, method: string): Record<string, unknown> => {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw E.invalid(method, 'data', 'Input should be a valid dictionary');
      return v as Record<string, unknown>;
    };
    /** Pydantic's strict models (25.x) refuse unknown keys. */
    const allowOnly = (method: string, data: Record<string, unknown>, keys: string[]) => {
      for (const k of Object.keys(data))
        if (!keys.includes(k)) throw E.invalid(method, k, 'Extra inputs are not permitted');
    };
    const crud = (
      service: string,
      rows: () => Row[],
      create: (data: Record<string, unknown>, method: string) => Row,
      remove?: (row: Row, params: unknown[]) => void,
    ) => {
      def(`${service}.query`, (p) => query(rows(), p, `${service}.query`));
      def(`${service}.create`, (p) => {
        const row = create(obj(p[0], `${service}.create`), `${service}_create`);
        rows().push(row);
        return row;
      });
      def(`${service}.delete`, (p) => {
        const list = rows();
        const i = list.findIndex((r) => r.id === p[0]);
        if (i < 0) throw E.ENOENT(`${service} ${String(p[0])} does not exist`);
        const [row] = list.splice(i, 1);
        remove?.(row!, p);
        return true;
      });
    };

    // auth
    def('auth.mechanism_choices', () => ['API_KEY_PLAIN', 'PASSWORD_PLAIN', 'OTP_TOKEN']);
    def('auth.login_ex', (p, s) => {
      const req = obj(p[0], 'auth.login_ex');
      s.user = null;
      s.otpPending = null;
      if (req.mechanism === 'API_KEY_PLAIN') {
        const key = m.apiKeys.find((k) => k.key === req.api_key && k.username === req.username);
        if (key && !s.secure) {
          // 25.04+: a key seen on an insecure transport is revoked (TNMW plugins/auth.py).
          key.revoked = true;
          return { response_type: 'EXPIRED' };
        }
        if (!key) return { response_type: 'AUTH_ERR' };
        if (key.revoked) return { response_type: 'EXPIRED' };
        const user = m.users.find((u) => u.username === key.username)!;
        s.user = user;
        s.credentialType = 'API_KEY';
        return this.loginSuccess(user);
      }
      if (req.mechanism === 'PASSWORD_PLAIN') {
        const user = m.users.find((u) => u.username === req.username && u.password === req.password);
        if (!user || user.roles.length === 0) return { response_type: 'AUTH_ERR' };
        if (user.otp) {
          s.otpPending = user;
          return { response_type: 'OTP_REQUIRED', username: user.username };
        }
        s.user = user;
        s.credentialType = 'LOGIN_PASSWORD';
        return this.loginSuccess(user);
      }
      throw E.invalid('auth.login_ex', 'mechanism', `Input should be 'API_KEY_PLAIN', 'PASSWORD_PLAIN' or 'OTP_TOKEN'`);
    });
    def('auth.login_ex_continue', (p, s) => {
      const req = obj(p[0], 'auth.login_ex_continue');
      const pending = s.otpPending;
      if (!pending || req.mechanism !== 'OTP_TOKEN') return { response_type: 'AUTH_ERR' };
      if (req.otp_token !== pending.otp) return { response_type: 'OTP_REQUIRED', username: pending.username };
      s.otpPending = null;
      s.user = pending;
      s.credentialType = 'LOGIN_TWOFACTOR';
      return this.loginSuccess(pending);
    });
    def('auth.login', (p, s) => {
      const user = m.users.find((u) => u.username === p[0] && u.password === p[1]);
      if (!user || (user.otp && p[2] !== user.otp)) return false;
      s.user = user;
      return true;
    });
    def('auth.login_with_api_key', (p, s) => {
      const key = m.apiKeys.find((k) => k.key === p[0]);
      if (key && !s.secure) key.revoked = true;
      if (!key || key.revoked) return false;
      s.user = m.users.find((u) => u.username === key.username)!;
      s.credentialType = 'API_KEY';
      return true;
    });
    def('auth.logout', (_p, s) => {
      s.user = null;
      return true;
    });
    def('auth.me', (_p, s) => this.userInfo(s.user!));
    def('api_key.create', (p) => {
      const req = obj(p[0], 'api_key.create');
      allowOnly('api_key_create', req, ['name', 'username', 'expires_at']);
      if (!m.users.some((u) => u.username === req.username))
        throw E.invalid('api_key_create', 'username', 'User does not exist');
      const id = m.nextId(m.apiKeys as unknown as Row[]);
      const key = {
        id,
        name: String(req.name),
        username: String(req.username),
        key: `${id}-${randomBytes(48).toString('base64url').slice(0, 64)}`,
        revoked: false,
      };
      m.apiKeys.push(key);
      return { ...key, created_at: date(Date.now()), expires_at: null, local: true, user_identifier: 70 };
    });

    // core
    def('core.ping', () => 'pong');
    def('core.get_jobs', (p) => query(m.jobs as unknown as Row[], p, 'core.get_jobs'));
    def('core.subscribe', (p, s) => {
      if (p[0] === 'core.get_jobs') s.subscribedJobs = true;
      return randomBytes(8).toString('hex');
    });
    def('core.job_abort', (p) => {
      const job = m.jobs.find((j) => j.id === p[0]);
      if (!job) throw E.ENOENT(`Job ${String(p[0])} does not exist`);
      if (job.state === 'RUNNING') {
        job.state = 'ABORTED';
        job.time_finished = date(Date.now());
        this.onJobChange(job);
      }
      return null;
    });

    // system
    def('system.version', () => VERSION_STRINGS[this.release]);
    def('system.info', () => ({
      version: VERSION_STRINGS[this.release],
      buildtime: date(1753200000000),
      hostname: 'truenas',
      physmem: 33442795520,
      model: 'Intel(R) Xeon(R) E-2236 CPU @ 3.40GHz',
      cores: 12,
      physical_cores: 6,
      loadavg: [0.31, 0.42, 0.4],
      uptime: '6 days, 2:11:05.18',
      uptime_seconds: 526265.18,
      system_serial: 'A1-123456',
      system_product: 'TRUENAS-MINI-3.0-XL+',
      system_product_version: '1.0',
      license: null,
      boottime: date(1754500000000),
      datetime: date(Date.now()),
      timezone: 'Europe/Berlin',
      system_manufacturer: 'iXsystems',
      ecc_memory: true,
    }));

    // pools and scrub
    def('pool.query', (p) => query(m.pools as unknown as Row[], p, 'pool.query'));
    def('pool.scrub', (p, s) => this.scrubJob('pool.scrub', p, p[0], p[1], s));
    if (this.release === '25.04' || this.release === '25.10')
      def('pool.scrub.scrub', (p, s) => this.scrubJob('pool.scrub.scrub', p, p[0], p[1] ?? 'START', s));
    def('pool.scrub.run', (p, s) => this.scrubJob('pool.scrub.run', p, p[0], 'START', s));

    // datasets
    def('pool.dataset.query', (p) => query(m.datasets, p, 'pool.dataset.query'));
    def('pool.dataset.create', (p) => {
      const req = obj(p[0], 'pool_dataset_create');
      const name = String(req.name ?? '');
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)+$/.test(name))
        throw E.invalid('pool_dataset_create', 'name', 'Invalid dataset name');
      if (m.datasets.some((d) => d.id === name))
        throw E.invalid('pool_dataset_create', 'name', `${name} already exists`);
      const parent = name.slice(0, name.lastIndexOf('/'));
      if (!m.datasets.some((d) => d.id === parent && d.type === 'FILESYSTEM'))
        throw E.invalid('pool_dataset_create', 'name', `Parent dataset ${parent} does not exist`);
      const type = req.type ?? 'FILESYSTEM';
      if (type === 'VOLUME' && !(typeof req.volsize === 'number' && req.volsize > 0))
        throw E.invalid('pool_dataset_create', 'volsize', 'This field is required for VOLUME');
      const row = dataset(
        name,
        type === 'VOLUME' ? 'VOLUME' : 'FILESYSTEM',
        0,
        type === 'VOLUME' ? (req.volsize as number) : undefined,
      );
      m.datasets.push(row);
      return row;
    });
    def('pool.dataset.delete', (p, s) => {
      const id = String(p[0]);
      const opts = (p[1] ?? {}) as { recursive?: boolean };
      if (!m.datasets.some((d) => d.id === id)) throw E.ENOENT(`${id} does not exist`);
      const children = m.datasets.filter((d) => String(d.id).startsWith(`${id}/`));
      if (children.length && !opts.recursive) throw E.EBUSY(`${id} has children; use recursive`);
      return this.startJob('pool.dataset.delete', p, s, `Delete dataset ${id}`, () => {
        m.datasets = m.datasets.filter((d) => d.id !== id && !String(d.id).startsWith(`${id}/`));
        m.snapshots = m.snapshots.filter((x) => x.dataset !== id && !String(x.dataset).startsWith(`${id}/`));
        return { done: true, result: true };
      });
    });

    // snapshots: zfs.snapshot.* up to 25.04, pool.snapshot.* from 25.10
    const snap = this.release === '25.10' ? 'pool.snapshot' : 'zfs.snapshot';
    def(`${snap}.query`, (p) => query(m.snapshots, p, `${snap}.query`));
    def(`${snap}.create`, (p) => {
      const req = obj(p[0], `${snap}.create`);
      allowOnly(`${snap.replace('.', '_')}_create`, req, [
        'dataset',
        'name',
        'recursive',
        'exclude',
        'suspend_vms',
        'vmware_sync',
        'properties',
        'naming_schema',
      ]);
      const ds = String(req.dataset ?? '');
      const name = String(req.name ?? '');
      if (!m.datasets.some((d) => d.id === ds)) throw E.invalid(`${snap}_create`, 'dataset', `${ds} does not exist`);
      if (!/^[A-Za-z0-9_.:-]+$/.test(name)) throw E.invalid(`${snap}_create`, 'name', 'Invalid snapshot name');
      if (m.snapshots.some((x) => x.id === `${ds}@${name}`)) throw E.EEXIST(`snapshot ${ds}@${name} already exists`);
      const row = m.snapshotRow(ds, name);
      m.snapshots.push(row);
      return row;
    });
    def(`${snap}.delete`, (p) => {
      const i = m.snapshots.findIndex((x) => x.id === p[0]);
      if (i < 0) throw E.ENOENT(`Snapshot ${String(p[0])} does not exist`);
      m.snapshots.splice(i, 1);
      return true;
    });
    def(`${snap}.rollback`, (p) => {
      const target = m.snapshots.find((x) => x.id === p[0]);
      if (!target) throw E.ENOENT(`Snapshot ${String(p[0])} does not exist`);
      const opts = (p[1] ?? {}) as { recursive?: boolean };
      const newer = m.snapshots.filter(
        (x) => x.dataset === target.dataset && Number(x.createtxg) > Number(target.createtxg),
      );
      if (newer.length && !opts.recursive)
        throw E.EEXIST(`cannot rollback to '${String(target.id)}': more recent snapshots or bookmarks exist`);
      m.snapshots = m.snapshots.filter((x) => !newer.includes(x));
      m.rollbacks.push(String(target.id));
      return null;
    });

    // shares
    const datasetPath = (method: string, path: unknown) => {
      if (typeof path !== 'string' || !m.datasets.some((d) => d.mountpoint === path))
        throw E.invalid(method, 'path', `${String(path)}: path does not exist`);
      return path;
    };
    crud(
      'sharing.smb',
      () => m.smb,
      (req, method) => {
        const ro = this.release === '25.10' ? 'readonly' : 'ro';
        const common = [
          'name',
          'path',
          'comment',
          'browsable',
          'enabled',
          'hostsallow',
          'hostsdeny',
          'purpose',
          'guestok',
          'auxsmbconf',
          'timemachine',
        ];
        allowOnly(method, req, [...common, ro, this.release === '25.10' ? 'access_based_share_enumeration' : 'abe']);
        const name = String(req.name ?? '');
        if (!name) throw E.invalid(method, 'name', 'Field required');
        if (m.smb.some((x) => String(x.name).toLowerCase() === name.toLowerCase()))
          throw E.invalid(method, 'name', 'Share with this name already exists.');
        const path = datasetPath(method, req.path);
        return m.smbShape(
          smbRecord({
            id: m.nextId(m.smb),
            name,
            path,
            vuid: randomBytes(16).toString('hex'),
            purpose: req.purpose,
            comment: req.comment,
            browsable: req.browsable,
            hostsallow: req.hostsallow,
            enabled: req.enabled,
          }),
          req[ro] === true,
        );
      },
    );
    crud(
      'sharing.nfs',
      () => m.nfs,
      (req, method) => {
        const field = this.release === 'core13' ? 'paths' : 'path';
        allowOnly(method, req, [
          field,
          'comment',
          'networks',
          'hosts',
          'ro',
          'maproot_user',
          'maproot_group',
          'mapall_user',
          'mapall_group',
          'security',
          'enabled',
          'aliases',
          'expose_snapshots',
        ]);
        const path = datasetPath(method, field === 'paths' ? (req.paths as unknown[] | undefined)?.[0] : req.path);
        if (m.nfs.some((x) => x.path === path || (x.paths as string[] | undefined)?.includes(path)))
          throw E.invalid(method, field, `Export for ${path} already exists`);
        for (const n of (req.networks ?? []) as unknown[])
          if (typeof n !== 'string' || !/^[\d.:a-f]+\/\d+$/i.test(n))
            throw E.invalid(method, 'networks', `Invalid network ${String(n)}`);
        return {
          id: m.nextId(m.nfs),
          ...m.nfsPathField(path),
          aliases: [],
          comment: req.comment ?? '',
          networks: req.networks ?? [],
          hosts: req.hosts ?? [],
          ro: req.ro === true,
          maproot_user: null,
          maproot_group: null,
          mapall_user: null,
          mapall_group: null,
          security: [],
          enabled: req.enabled ?? true,
          locked: false,
          expose_snapshots: false,
        };
      },
    );

    // Updates change the stored row in place, with the same field rules as create (a partial body).
    const rowById = (list: Row[], service: string, id: unknown) => {
      const row = list.find((r) => r.id === id);
      if (!row) throw E.ENOENT(`${service} ${String(id)} does not exist`);
      return row;
    };
    def('sharing.smb.update', (p) => {
      const method = 'sharing.smb_update';
      const row = rowById(m.smb, 'sharing.smb', p[0]);
      const req = obj(p[1], method);
      const ro = this.release === '25.10' ? 'readonly' : 'ro';
      allowOnly(method, req, ['comment', 'browsable', 'enabled', 'hostsallow', 'hostsdeny', 'guestok', ro]);
      for (const key of ['hostsallow', 'hostsdeny'])
        if (req[key] !== undefined && (!Array.isArray(req[key]) || req[key].some((h) => typeof h !== 'string')))
          throw E.invalid(method, key, 'Input should be a valid list of strings');
      if (req[ro] !== undefined && typeof req[ro] !== 'boolean')
        throw E.invalid(method, ro, 'Input should be a valid boolean');
      Object.assign(row, req);
      return row;
    });
    def('sharing.nfs.update', (p) => {
      const method = 'sharing.nfs_update';
      const row = rowById(m.nfs, 'sharing.nfs', p[0]);
      const req = obj(p[1], method);
      allowOnly(method, req, ['comment', 'networks', 'hosts', 'ro', 'maproot_user', 'mapall_user', 'enabled']);
      for (const n of (req.networks ?? []) as unknown[])
        if (typeof n !== 'string' || !/^[\d.:a-f]+\/\d+$/i.test(n))
          throw E.invalid(method, 'networks', `Invalid network ${String(n)}`);
      for (const h of (req.hosts ?? []) as unknown[])
        if (typeof h !== 'string' || !/^[A-Za-z0-9.*:-]+$/.test(h))
          throw E.invalid(method, 'hosts', `Invalid host ${String(h)}`);
      if (req.ro !== undefined && typeof req.ro !== 'boolean')
        throw E.invalid(method, 'ro', 'Input should be a valid boolean');
      Object.assign(row, req);
      return row;
    });

    // iSCSI
    def('iscsi.global.config', () => ({
      id: 1,
      basename: 'iqn.2005-10.org.freenas.ctl',
      isns_servers: [],
      listen_port: 3260,
      pool_avail_threshold: null,
      alua: false,
    }));
    crud(
      'iscsi.portal',
      () => m.portals,
      (req) => ({
        id: m.nextId(m.portals),
        listen: req.listen ?? [],
        tag: m.nextId(m.portals),
        comment: req.comment ?? '',
      }),
    );
    crud(
      'iscsi.initiator',
      () => m.initiators,
      (req) => ({
        id: m.nextId(m.initiators),
        initiators: req.initiators ?? [],
        comment: req.comment ?? '',
      }),
    );
    crud(
      'iscsi.auth',
      () => m.auths,
      (req, method) => {
        const secret = String(req.secret ?? '');
        if (secret.length < 12 || secret.length > 16)
          throw E.invalid(method, 'secret', 'Secret must be between 12 and 16 characters.');
        if (typeof req.tag !== 'number') throw E.invalid(method, 'tag', 'Input should be a valid integer');
        return {
          id: m.nextId(m.auths),
          tag: req.tag,
          user: String(req.user ?? ''),
          secret,
          peeruser: '',
          peersecret: '',
          discovery_auth: 'NONE',
        };
      },
    );
    crud(
      'iscsi.target',
      () => m.targets,
      (req, method) => {
        const name = String(req.name ?? '');
        if (!/^[a-z0-9.:-]+$/.test(name))
          throw E.invalid(
            method,
            'name',
            'Lowercase alphanumeric characters plus dot (.), dash (-), and colon (:) are allowed.',
          );
        if (m.targets.some((t) => t.name === name)) throw E.invalid(method, 'name', 'Target name already exists');
        const groups = (req.groups ?? []) as Array<Record<string, unknown>>;
        for (const g of groups) {
          if (!m.portals.some((x) => x.id === g.portal))
            throw E.invalid(method, 'groups.portal', `${String(g.portal)} Portal not found in database.`);
          if (g.initiator != null && !m.initiators.some((x) => x.id === g.initiator))
            throw E.invalid(method, 'groups.initiator', `${String(g.initiator)} Initiator not found in database.`);
          if (g.authmethod !== 'NONE' && !m.auths.some((x) => x.tag === g.auth))
            throw E.invalid(method, 'groups.auth', 'Authentication group is required for CHAP.');
        }
        return {
          id: m.nextId(m.targets),
          name,
          alias: req.alias ?? null,
          mode: req.mode ?? 'ISCSI',
          groups,
          auth_networks: [],
          rel_tgt_id: m.nextId(m.targets),
          iscsi_parameters: null,
        };
      },
      (row) => (m.targetextents = m.targetextents.filter((x) => x.target !== row.id)),
    );
    crud(
      'iscsi.extent',
      () => m.extents,
      (req, method) => {
        const disk = String(req.disk ?? '');
        if (req.type === 'DISK' && !m.datasets.some((d) => `zvol/${String(d.id)}` === disk && d.type === 'VOLUME'))
          throw E.invalid(method, 'disk', `Disk ${disk} does not exist`);
        if (m.extents.some((e) => e.name === req.name)) throw E.invalid(method, 'name', 'Extent name must be unique');
        return {
          ...m.extents[0],
          id: m.nextId(m.extents),
          name: req.name,
          type: req.type ?? 'DISK',
          disk,
          path: disk,
          serial: randomBytes(8).toString('hex'),
          naa: `0x6589cfc000000${randomBytes(10).toString('hex')}`,
        };
      },
      (row, params) => {
        m.targetextents = m.targetextents.filter((x) => x.extent !== row.id);
        if (params[1] === true) m.datasets = m.datasets.filter((d) => `zvol/${String(d.id)}` !== row.disk);
      },
    );
    crud(
      'iscsi.targetextent',
      () => m.targetextents,
      (req, method) => {
        if (!m.targets.some((t) => t.id === req.target)) throw E.invalid(method, 'target', 'Target not found');
        if (!m.extents.some((e) => e.id === req.extent)) throw E.invalid(method, 'extent', 'Extent not found');
        if (m.targetextents.some((x) => x.target === req.target && x.lunid === req.lunid))
          throw E.invalid(method, 'lunid', 'LUN ID is already being used for this target.');
        return { id: m.nextId(m.targetextents), target: req.target, lunid: req.lunid ?? 0, extent: req.extent };
      },
    );

    // disks, alerts, users
    def('disk.query', (p) => query(m.disks as unknown as Row[], p, 'disk.query'));
    def('disk.temperatures', (p) => {
      const names = Array.isArray(p[0]) ? (p[0] as string[]) : [];
      return Object.fromEntries(names.map((n) => [n, m.temperatures[n] ?? null]));
    });
    def('alert.list', () => m.alertList());
    def('user.query', (p) =>
      query(
        m.users.map((u) => ({ id: u.id, username: u.username, full_name: u.username, builtin: false, smb: true })),
        p,
        'user.query',
      ),
    );
    def('user.update', (p) => {
      const user = m.users.find((u) => u.id === p[0]);
      if (!user) throw E.ENOENT(`User ${String(p[0])} does not exist`);
      const req = obj(p[1], 'user_update');
      if (typeof req.password === 'string') user.password = req.password;
      return { id: user.id, username: user.username };
    });
  }

  private userInfo(user: User) {
    return {
      pw_name: user.username,
      pw_uid: 950 + user.id,
      pw_gid: 950,
      pw_gecos: user.username,
      pw_dir: `/home/${user.username}`,
      pw_shell: '/usr/bin/zsh',
      attributes: {},
      two_factor_config: {},
      privilege: { roles: user.roles, allowlist: [], web_shell: user.roles.includes('FULL_ADMIN') },
      account_attributes: ['LOCAL', ...(user.roles.includes('FULL_ADMIN') ? ['SYS_ADMIN'] : [])],
    };
  }

  private loginSuccess(user: User) {
    return { response_type: 'SUCCESS', user_info: this.userInfo(user), authenticator: 'LEVEL_1' };
  }
}
