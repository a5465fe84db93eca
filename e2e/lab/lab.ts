// The lab NAS: a client namespace holding a bridge, and N NAS namespaces on it.
// Each NAS is one supervised process tree: `ip netns exec NS unshare --mount --uts --pid --fork
// --kill-child --mount-proc bash nas-init.sh DIR`; SIGKILL of unshare ends every daemon in it.
// Its pool is mounted only inside the NAS's own mount namespace (so no other namespace pins it and
// a member can really be detached); from the root namespace it is reachable as /proc/<init>/root/….
import { randomBytes, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ALL_SERVICES,
  DEFAULT_INSTANCE,
  MAX_NAS,
  baseDir,
  naming,
  nasNaming,
  validateInstance,
  type Daemon,
  type LabState,
  type NasNaming,
  type NasState,
  type Persona,
  type RaidProfile,
  type Service,
} from './config';
import {
  avahiServiceXml,
  personaServices,
  synologyFinderConfig,
  vendorWebConfig,
  type VendorWebConfig,
} from './personas';
import {
  childrenOf,
  cmdline,
  isAlive,
  listPids,
  must,
  netnsId,
  nsInode,
  portBound,
  procState,
  procUid,
  run,
  selfAndAncestors,
  sleep,
  spawn,
  waitFor,
  type RunOptions,
  type RunResult,
} from './proc';

export * from './config';

const HERE = dirname(fileURLToPath(import.meta.url));
const INIT_SCRIPT = join(HERE, 'nas-init.sh');
const DISK_BYTES = 1024 ** 3; // sparse; btrfs raid1 needs little real space
const LUN_BYTES = 128 * 1024 ** 2;
const WORKGROUP = 'WORKGROUP';

export interface UpOptions {
  instance?: string;
  nas?: number;
  /** one per NAS; the last one repeats (default linux) */
  personas?: Persona[];
  services?: Service[];
  raid?: RaidProfile;
  /** allow root login by key (default: refused) */
  rootLogin?: boolean;
  /** Also run the findhostd stand-in (UDP 9999, probes/syno-findhostd.ts) on every synology-persona NAS. */
  synologyFinder?: boolean;
  /** Also run the vendor web API stand-in (probes/vendor-web.ts) on every synology/truenas/qnap NAS. */
  vendorWeb?: boolean;
  /** Also give the bridge and every NAS an IPv6 ULA (state `address6`) and let avahi answer over IPv6. */
  ipv6?: boolean;
  log?: (msg: string) => void;
}

type Log = (msg: string) => void;
const quiet: Log = () => {};

// ---------------------------------------------------------------- state file

export function readState(instance = DEFAULT_INSTANCE): LabState | undefined {
  try {
    return JSON.parse(readFileSync(naming(instance).stateFile, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function writeState(state: LabState): void {
  mkdirSync(dirname(state.stateFile), { recursive: true });
  const tmp = `${state.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(tmp, state.stateFile);
}

function requireState(instance: string): LabState {
  const s = readState(instance);
  if (!s || s.phase !== 'up')
    throw new Error(`lab "${instance}" is not up (no state file ${naming(instance).stateFile})`);
  return s;
}

function nasOf(state: LabState, index: number): NasState {
  const nas = state.nas.find((n) => n.index === index);
  if (!nas) throw new Error(`lab "${state.instance}" has no NAS ${index}`);
  return nas;
}

export function isUp(instance = DEFAULT_INSTANCE): boolean {
  const s = readState(instance);
  return !!s && s.phase === 'up' && s.nas.every((n) => n.supervisorPid !== undefined && isAlive(n.supervisorPid));
}

// ---------------------------------------------------------------- exec helpers

/** run argv inside the client namespace */
export function clientExec(state: LabState, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', state.client.namespace, ...argv], opts);
}

/** run argv inside a NAS (its net, mount, uts and pid namespaces), as root */
export function nasExec(
  state: LabState,
  index: number,
  argv: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const nas = nasOf(state, index);
  if (!nas.initPid) throw new Error(`NAS ${index} has no init pid`);
  return nsenterRun(nas.initPid, argv, opts);
}

function nsenterRun(initPid: number, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(['nsenter', '-t', String(initPid), '--mount', '--uts', '--net', '--pid', '--', ...argv], opts);
}

async function nsenterMust(initPid: number, argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await nsenterRun(initPid, argv, opts);
  if (r.code !== 0)
    throw new Error(`in NAS (init ${initPid}) failed rc ${r.code}: ${argv.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** a path inside the NAS's mount namespace, reachable from here */
export function nasPath(nas: NasState, p: string): string {
  return `/proc/${nas.initPid}/root${p}`;
}

const secret = (n = 16) =>
  randomBytes(n * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, n);

// One loop attach at a time: parallel `losetup -f` calls can race for the same free device.
let loopChain: Promise<unknown> = Promise.resolve();
function attachLoop(file: string): Promise<string> {
  const p = loopChain.then(async () => (await must(['losetup', '-f', '--show', file])).trim());
  loopChain = p.catch(() => undefined);
  return p;
}

// ---------------------------------------------------------------- daemon control (via the NAS init's fifo)

/** Lab-only daemons the NAS init runs besides the real ones (not fault-controllable). */
type ExtraDaemon = 'syno-findhostd' | 'vendor-web';

let ctlSeq = 0;
async function initCtl(nas: NasState, verb: 'start' | 'stop', daemon: Daemon | ExtraDaemon): Promise<void> {
  const seq = `${process.pid}-${Date.now()}-${++ctlSeq}`;
  appendFileSync(join(nas.dir, 'ctl.fifo'), `${seq} ${verb} ${daemon}\n`);
  const line = await waitFor(
    `NAS ${nas.index} init to ${verb} ${daemon}`,
    () =>
      readFileSync(join(nas.dir, 'ctl.ack'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${seq} `)),
    15_000,
    20,
  );
  const rc = line.split(' ')[1];
  if (rc !== '0')
    throw new Error(
      `NAS ${nas.index}: ${verb} ${daemon} failed (rc ${rc}); see ${join(nas.dir, 'log', `${daemon}.log`)}`,
    );
}

function daemonsFor(services: readonly Service[]): Daemon[] {
  const d: Daemon[] = [];
  if (services.includes('nfs')) d.push('rpcbind', 'ganesha');
  if (services.includes('smb')) d.push('smbd');
  if (services.includes('nmbd')) d.push('nmbd');
  if (services.includes('iscsi')) d.push('tgtd');
  if (services.includes('ssh')) d.push('sshd');
  if (services.includes('avahi')) d.push('avahi');
  if (services.includes('wsdd')) d.push('wsdd');
  return d;
}

function avahiServiceCount(nas: NasState): number {
  return readdirSync(join(nas.dir, 'avahi', 'services')).filter((f) => f.endsWith('.service')).length;
}

/** is the daemon serving? (reads /proc/<init>/net/*, i.e. the NAS's netns, without spawning) */
function daemonReady(nas: NasState, daemon: Daemon): boolean {
  const pid = nas.initPid!;
  switch (daemon) {
    case 'smbd':
      return portBound(pid, 'tcp', 445);
    case 'nmbd':
      return portBound(pid, 'udp', 137);
    case 'rpcbind':
      return portBound(pid, 'tcp', 111);
    case 'ganesha':
      return portBound(pid, 'tcp', 2049);
    case 'tgtd':
      return portBound(pid, 'tcp', 3260);
    case 'sshd':
      return portBound(pid, 'tcp', 22);
    case 'wsdd':
      return portBound(pid, 'udp', 3702);
    case 'avahi': {
      let log = '';
      try {
        log = readFileSync(join(nas.dir, 'log', 'avahi.log'), 'utf8');
      } catch {
        return false;
      }
      // only count lines from the latest start
      const last = log.lastIndexOf('Server startup complete');
      if (last < 0) return false;
      const tail = log.slice(last);
      return (tail.match(/successfully established/g) ?? []).length >= avahiServiceCount(nas);
    }
  }
}

async function configureTgt(nas: NasState): Promise<void> {
  const t = nas.iscsi?.targets[0];
  if (!t || !nas.initPid) return;
  const ta = ['tgtadm', '--lld', 'iscsi'];
  const pid = nas.initPid;
  await waitFor(
    `tgtd control socket on NAS ${nas.index}`,
    async () => (await nsenterRun(pid, [...ta, '--op', 'show', '--mode', 'target'])).code === 0,
    10_000,
  );
  await nsenterMust(pid, [...ta, '--op', 'new', '--mode', 'target', '--tid', '1', '-T', t.iqn]);
  await nsenterMust(pid, [
    ...ta,
    '--op',
    'new',
    '--mode',
    'logicalunit',
    '--tid',
    '1',
    '--lun',
    String(t.lun),
    '-b',
    t.lunPath,
  ]);
  await nsenterMust(pid, [
    ...ta,
    '--op',
    'update',
    '--mode',
    'logicalunit',
    '--tid',
    '1',
    '--lun',
    String(t.lun),
    '--params',
    `vendor_id=NASDECK,product_id=LABLUN,scsi_sn=${nas.hostname.replace(/[^A-Za-z0-9]/g, '').slice(-12)}`,
  ]);
  // initiator ACL by IQN, then incoming CHAP (tgtadm is short-lived, so the secret in argv is acceptable)
  await nsenterMust(pid, [...ta, '--op', 'bind', '--mode', 'target', '--tid', '1', '--initiator-name', t.initiator]);
  await nsenterMust(pid, [...ta, '--op', 'new', '--mode', 'account', '--user', t.chapUser, '--password', t.chapSecret]);
  await nsenterMust(pid, [...ta, '--op', 'bind', '--mode', 'account', '--tid', '1', '--user', t.chapUser]);
}

async function startDaemonOn(nas: NasState, daemon: Daemon, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  await initCtl(nas, 'start', daemon);
  await waitFor(`${daemon} ready on NAS ${nas.index}`, () => daemonReady(nas, daemon), timeoutMs, 50);
  if (daemon === 'tgtd') await configureTgt(nas);
  return Date.now() - t0;
}

// ---------------------------------------------------------------- up

function writeArgv(nas: NasNaming, daemon: Daemon | ExtraDaemon, argv: string[]): void {
  writeFileSync(join(nas.dir, 'daemons', `${daemon}.argv`), argv.map((a) => `${a}\0`).join(''));
}

async function createUsers(
  state: LabState,
  needSsh: boolean,
  needSmb: boolean,
  log: Log,
): Promise<{ adminPass: string; smbPass: string }> {
  const n = naming(state.instance);
  const adminPass = secret(14);
  const smbPass = secret(14);
  if (needSsh) {
    const home = join(n.workDir, 'home', 'admin');
    mkdirSync(dirname(home), { recursive: true });
    await must(['useradd', '-m', '-d', home, '-s', '/bin/bash', '-c', 'nasdeck lab admin', n.adminUser]);
    await must(['chpasswd'], { input: `${n.adminUser}:${adminPass}\n` });
    // sudo must be used for privileged commands; password required like on a real NAS
    const drop = `# nasdeck lab ${state.instance}: removed by lab down\n${n.adminUser} ALL=(ALL:ALL) ALL\n`;
    const tmp = join(n.workDir, 'sudoers.tmp');
    writeFileSync(tmp, drop, { mode: 0o440 });
    await must(['visudo', '-c', '-q', '-f', tmp]);
    writeFileSync(n.sudoersFile, drop, { mode: 0o440 });
    chmodSync(n.sudoersFile, 0o440);
    state.admin = { user: n.adminUser, password: adminPass };
    log(`users: ${n.adminUser} (ssh+sudo)`);
  }
  if (needSmb) {
    await must(['useradd', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', '-c', 'nasdeck lab smb', n.smbUser]);
    log(`users: ${n.smbUser} (smb)`);
  }
  return { adminPass, smbPass };
}

async function setupClientKeys(state: LabState, adminHome: string | undefined): Promise<string> {
  const n = naming(state.instance);
  const clientDir = join(n.workDir, 'client');
  mkdirSync(clientDir, { recursive: true, mode: 0o700 });
  const key = join(clientDir, 'id_ed25519');
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `nasdeck-lab-${state.instance}`, '-f', key]);
  const pub = readFileSync(`${key}.pub`, 'utf8');
  const authDir = join(n.workDir, 'authkeys');
  mkdirSync(authDir, { recursive: true });
  writeFileSync(join(authDir, n.adminUser), pub);
  // root gets the key too, so "root login refused" proves sshd policy, not a missing key
  writeFileSync(join(authDir, 'root'), pub);
  if (adminHome) {
    const sshDir = join(adminHome, '.ssh');
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(sshDir, 'authorized_keys'), pub, { mode: 0o600 });
    const uid = Number((await must(['id', '-u', n.adminUser])).trim());
    const gid = Number((await must(['id', '-g', n.adminUser])).trim());
    chownSync(sshDir, uid, gid);
    chownSync(join(sshDir, 'authorized_keys'), uid, gid);
  }
  // askpass helper for password logins in tests: it prints $NASDECK_LAB_SSH_PASS (never argv)
  writeFileSync(join(clientDir, 'askpass.sh'), '#!/bin/sh\nprintf "%s\\n" "$NASDECK_LAB_SSH_PASS"\n', { mode: 0o700 });
  return key;
}

async function setupTopology(state: LabState, nasList: NasNaming[], log: Log): Promise<void> {
  const n = naming(state.instance);
  const c = n.clientNs;
  const ip = (...a: string[]) => must(['ip', ...a]);
  await ip('netns', 'add', c);
  await ip('-n', c, 'link', 'set', 'lo', 'up');
  await ip('-n', c, 'link', 'add', n.bridge, 'type', 'bridge', 'mcast_snooping', '0');
  await ip('-n', c, 'addr', 'add', `${n.clientAddr}/24`, 'dev', n.bridge);
  await ip('-n', c, 'link', 'set', n.bridge, 'up');
  // no default route here: give multicast a route so unbound sockets don't get ENETUNREACH
  await ip('-n', c, 'route', 'add', '224.0.0.0/4', 'dev', n.bridge);
  // The root namespace's leg on the bridge: only the lab /24 is routed over it (a connected
  // route), so nothing from the lab can leave this machine and nothing else is touched.
  await ip('link', 'add', n.hostLink, 'type', 'veth', 'peer', 'name', n.hostLinkPeer, 'netns', c);
  await must(['sysctl', '-q', '-w', `net.ipv6.conf.${n.hostLink}.disable_ipv6=1`]);
  await ip('addr', 'add', `${n.hostAddr}/24`, 'dev', n.hostLink);
  await ip('-n', c, 'link', 'set', n.hostLinkPeer, 'master', n.bridge);
  await ip('-n', c, 'link', 'set', n.hostLinkPeer, 'up');
  await ip('link', 'set', n.hostLink, 'up');
  await Promise.all(
    nasList.map(async (nas) => {
      await ip('netns', 'add', nas.namespace);
      await ip('-n', nas.namespace, 'link', 'set', 'lo', 'up');
      // create the pair directly inside the lab namespaces: the root namespace is never touched
      await ip(
        '-n',
        c,
        'link',
        'add',
        nas.bridgePort,
        'type',
        'veth',
        'peer',
        'name',
        nas.ifName,
        'netns',
        nas.namespace,
      );
      await ip('-n', nas.namespace, 'link', 'set', nas.ifName, 'address', nas.mac);
      await ip('-n', nas.namespace, 'addr', 'add', `${nas.address}/24`, 'dev', nas.ifName);
      await ip('-n', nas.namespace, 'link', 'set', nas.ifName, 'up');
      await ip('-n', nas.namespace, 'route', 'add', '224.0.0.0/4', 'dev', nas.ifName);
      await ip('-n', c, 'link', 'set', nas.bridgePort, 'master', n.bridge);
      await ip('-n', c, 'link', 'set', nas.bridgePort, 'up');
    }),
  );
  if (state.client.address6) await setupIPv6(state, nasList);
  log(`topology: ${c} (${n.bridge} ${n.clientAddr}) + ${nasList.length} NAS`);
}

/** Opt-in IPv6 (lab namespaces only; the root-namespace host link keeps IPv6 disabled): a ULA on the
 * bridge and each NAS (nodad: usable at once), then wait until the kernel's link-local addresses
 * pass duplicate address detection, so avahi and the client have a link-local source for ff02::fb. */
async function setupIPv6(state: LabState, nasList: NasNaming[]): Promise<void> {
  const n = naming(state.instance);
  const spaces: Array<[string, string]> = [
    [n.clientNs, n.bridge],
    ...nasList.map((x) => [x.namespace, x.ifName] as [string, string]),
  ];
  for (const [ns, dev] of spaces)
    await must(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=0`]);
  await must(['ip', '-n', n.clientNs, 'addr', 'add', `${n.clientAddr6}/64`, 'dev', n.bridge, 'nodad']);
  await Promise.all(
    nasList.map((x) => must(['ip', '-n', x.namespace, 'addr', 'add', `${x.address6}/64`, 'dev', x.ifName, 'nodad'])),
  );
  for (const [ns, dev] of spaces) {
    await waitFor(
      `IPv6 link-local on ${dev}`,
      async () => {
        const out = (await run(['ip', '-n', ns, '-6', 'addr', 'show', 'dev', dev, 'scope', 'link'])).stdout;
        return /inet6 fe80/.test(out) && !/tentative/.test(out);
      },
      10_000,
      100,
    );
  }
}

interface Secrets {
  adminPass: string;
  smbPass: string;
  clientKey: string;
}

function writeNasConfigs(
  state: LabState,
  nas: NasNaming,
  nasState: NasState,
  opts: Required<Pick<UpOptions, 'rootLogin'>>,
): void {
  const n = naming(state.instance);
  const d = nas.dir;
  const has = (s: Service) => nasState.services.includes(s);
  for (const sub of [
    'daemons',
    'log',
    'etc',
    'home',
    'avahi/services',
    'varlog-samba',
    'pool',
    'exports/nfs1',
    'disks',
  ]) {
    mkdirSync(join(d, sub), { recursive: true });
  }
  writeFileSync(join(d, 'hostname'), `${nas.hostname}\n`);
  writeFileSync(
    join(d, 'etc', 'hosts'),
    `127.0.0.1\tlocalhost\n${nas.address}\t${nas.hostname}.local ${nas.hostname}\n`,
  );

  if (has('avahi')) {
    writeFileSync(
      join(d, 'avahi', 'avahi-daemon.conf'),
      [
        '[server]',
        `host-name=${nas.hostname}`,
        'domain-name=local',
        'use-ipv4=yes',
        `use-ipv6=${nasState.address6 ? 'yes' : 'no'}`,
        `allow-interfaces=${nas.ifName}`,
        'enable-dbus=no',
        'ratelimit-interval-usec=1000000',
        'ratelimit-burst=1000',
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'publish-hinfo=no',
        'publish-workstation=no',
        'publish-aaaa-on-ipv4=no',
        '',
      ].join('\n'),
    );
    const p = personaServices(nasState.persona, nas, nasState.services);
    p.services.forEach((svc, i) => {
      writeFileSync(
        join(d, 'avahi', 'services', `${String(i).padStart(2, '0')}${svc.type.replace(/[^a-z-]/g, '')}.service`),
        avahiServiceXml(svc),
      );
    });
    writeArgv(nas, 'avahi', [
      '/usr/sbin/avahi-daemon',
      '-f',
      join(d, 'avahi', 'avahi-daemon.conf'),
      '--no-drop-root',
      '--no-chroot',
      '--no-rlimits',
      '--no-proc-title',
    ]);
  }

  if (has('smb') || has('nmbd')) {
    const s = join(d, 'samba');
    for (const sub of ['private', 'lock', 'state', 'cache', 'run/ncalrpc', 'run/nmbd', 'log'])
      mkdirSync(join(s, sub), { recursive: true });
    chmodSync(join(s, 'private'), 0o700);
    writeFileSync(
      join(s, 'smb.conf'),
      [
        '[global]',
        `  workgroup = ${WORKGROUP}`,
        `  netbios name = ${nas.netbiosName}`,
        `  server string = nasdeck lab ${nas.hostname}`,
        '  server role = standalone server',
        `  interfaces = lo ${nas.address}/24`,
        '  bind interfaces only = yes',
        `  private dir = ${s}/private`,
        `  lock directory = ${s}/lock`,
        `  state directory = ${s}/state`,
        `  cache directory = ${s}/cache`,
        `  pid directory = ${s}/run`,
        `  ncalrpc dir = ${s}/run/ncalrpc`,
        `  nmbd:socket dir = ${s}/run/nmbd`,
        `  log file = ${s}/log/log.%m`,
        '  passdb backend = tdbsam',
        '  map to guest = never',
        '  load printers = no',
        '  printing = bsd',
        '  printcap name = /dev/null',
        '  disable spoolss = yes',
        '  server min protocol = SMB2_10',
        '  include = registry',
        '',
      ].join('\n'),
    );
    if (has('smb'))
      writeArgv(nas, 'smbd', [
        '/usr/sbin/smbd',
        '-F',
        '--no-process-group',
        '-s',
        join(s, 'smb.conf'),
        '-l',
        join(s, 'log'),
        '-d1',
      ]);
    if (has('nmbd'))
      writeArgv(nas, 'nmbd', [
        '/usr/sbin/nmbd',
        '-F',
        '--no-process-group',
        '-s',
        join(s, 'smb.conf'),
        '-l',
        join(s, 'log'),
        '-d1',
      ]);
  }

  if (has('nfs')) {
    const g = join(d, 'ganesha');
    mkdirSync(join(g, 'recovery'), { recursive: true });
    writeFileSync(
      join(g, 'ganesha.conf'),
      [
        'NFS_CORE_PARAM {',
        '  Protocols = 3, 4;',
        `  Bind_addr = ${nas.address};`,
        '  NFS_Port = 2049; MNT_Port = 20048;',
        '  Enable_NLM = false; Enable_RQUOTA = false;',
        '  mount_path_pseudo = true;',
        '}',
        'NFSV4 {',
        '  Graceless = true; Lease_Lifetime = 10;',
        '  RecoveryBackend = fs;',
        `  RecoveryRoot = "${g}/recovery";`,
        '}',
        'EXPORT_DEFAULTS { Access_Type = None; }',
        'EXPORT {',
        '  Export_Id = 1;',
        // a btrfs subvolume must be exported from its own mount (lab.md §4 pitfall)
        `  Path = "${join(d, 'exports', 'nfs1')}";`,
        '  Pseudo = "/export";',
        '  Protocols = 3, 4; Transports = TCP; SecType = sys; Squash = No_Root_Squash;',
        '  FSAL { Name = VFS; }',
        `  CLIENT { Clients = ${n.subnet}.0/24; Access_Type = RW; }`,
        '}',
        'LOG { Default_Log_Level = EVENT; }',
        '',
      ].join('\n'),
    );
    writeArgv(nas, 'rpcbind', ['/usr/sbin/rpcbind', '-f', '-w', '-h', nas.address]);
    writeArgv(nas, 'ganesha', [
      '/usr/bin/ganesha.nfsd',
      '-F',
      '-f',
      join(g, 'ganesha.conf'),
      '-L',
      join(d, 'log', 'ganesha.nfsd.log'),
      '-p',
      join(g, 'ganesha.pid'),
      '-N',
      'NIV_EVENT',
    ]);
  }

  if (has('iscsi')) writeArgv(nas, 'tgtd', ['/usr/sbin/tgtd', '-f', '--iscsi', `portal=${nas.address}:3260`]);

  if (has('ssh')) {
    const s = join(d, 'ssh');
    mkdirSync(s, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(s, 'sshd_config'),
      [
        'Port 22',
        `ListenAddress ${nas.address}`,
        `HostKey ${join(s, 'ssh_host_ed25519_key')}`,
        'PidFile /run/sshd.pid',
        `AuthorizedKeysFile .ssh/authorized_keys ${join(n.workDir, 'authkeys')}/%u`,
        'StrictModes no', // keys live under /tmp (mode 1777)
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `PermitRootLogin ${opts.rootLogin ? 'prohibit-password' : 'no'}`,
        'UsePAM no',
        'UseDNS no',
        'Subsystem sftp internal-sftp',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    writeArgv(nas, 'sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', join(s, 'sshd_config')]);
  }

  if (has('wsdd')) {
    writeArgv(nas, 'wsdd', [
      '/usr/bin/python3',
      '/usr/sbin/wsdd',
      '-i',
      nas.ifName,
      '-4',
      '-n',
      nas.netbiosName,
      '-w',
      WORKGROUP,
      '-U',
      nasState.wsdd!.uuid,
    ]);
  }
}

async function spawnInit(state: LabState, nas: NasState): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    // keep every daemon away from /root
    HOME: join(nas.dir, 'home'),
    XDG_CONFIG_HOME: join(nas.dir, 'home', '.config'),
    XDG_CACHE_HOME: join(nas.dir, 'home', '.cache'),
    XDG_DATA_HOME: join(nas.dir, 'home', '.local', 'share'),
    XDG_RUNTIME_DIR: '/run/lab',
  };
  const out = openSync(join(nas.dir, 'log', 'init.log'), 'a');
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      nas.namespace,
      'unshare',
      '--mount',
      '--uts',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--propagation',
      'private',
      '/bin/bash',
      INIT_SCRIPT,
      nas.dir,
    ],
    { detached: true, stdio: ['ignore', out, out], env },
  );
  closeSync(out);
  child.on('error', () => {});
  child.unref();
  if (!child.pid) throw new Error(`could not start the init of NAS ${nas.index}`);
  nas.supervisorPid = child.pid;
  writeState(state);
  // `ip netns exec` execs unshare in place; unshare forks the namespace init
  nas.initPid = await waitFor(`init of NAS ${nas.index}`, () => childrenOf(child.pid!)[0], 10_000, 10);
  writeState(state);
  await waitFor(`init ready on NAS ${nas.index}`, () => existsSync(join(nas.dir, 'ready')), 10_000, 20);
}

async function setupStorage(
  state: LabState,
  nas: NasState,
  raid: RaidProfile,
  smbUid: number | undefined,
): Promise<void> {
  const count = raid === 'raid10' ? 4 : raid === 'raid5' ? 3 : 2;
  const files: string[] = [];
  const devices: string[] = [];
  for (let i = 1; i <= count; i++) {
    const f = join(nas.dir, 'disks', `d${i}.img`);
    const fd = openSync(f, 'w');
    ftruncateSync(fd, DISK_BYTES);
    closeSync(fd);
    files.push(f);
  }
  nas.pool = {
    mountPoint: join(nas.dir, 'pool'),
    devices,
    files,
    profile: raid,
    label: nas.hostname,
    nfsSubvolMount: join(nas.dir, 'exports', 'nfs1'),
  };
  for (const f of files) {
    devices.push(await attachLoop(f));
    writeState(state); // recorded as soon as attached, for crash cleanup
  }
  const meta = raid === 'raid5' ? 'raid1' : raid;
  await must(['mkfs.btrfs', '-q', '-f', '-L', nas.hostname, '-d', raid, '-m', meta, ...devices]);
  const pid = nas.initPid!;
  const mnt = nas.pool.mountPoint;
  await nsenterMust(pid, ['mount', '-t', 'btrfs', '-o', devices.map((d) => `device=${d}`).join(','), devices[0]!, mnt]);
  // btrfs-progs 6.2 takes one subvolume per call
  for (const sv of ['share1', 'share2', 'nfs1', 'iscsi', '.snapshots'])
    await nsenterMust(pid, ['btrfs', 'subvolume', 'create', join(mnt, sv)]);
  const P = (p: string) => nasPath(nas, join(mnt, p));
  writeFileSync(P('share1/hello.txt'), `hello from ${nas.hostname}\n`);
  writeFileSync(P('share2/readme.txt'), `read-only share on ${nas.hostname}\n`);
  writeFileSync(P('nfs1/readme.txt'), `nfs export on ${nas.hostname}\n`);
  if (smbUid !== undefined) {
    chownSync(P('share1'), smbUid, -1);
    chownSync(P('share1/hello.txt'), smbUid, -1);
  }
  chmodSync(P('nfs1'), 0o777);
  await nsenterMust(pid, [
    'btrfs',
    'subvolume',
    'snapshot',
    '-r',
    join(mnt, 'share1'),
    join(mnt, '.snapshots', 'share1@lab-initial'),
  ]);
  if (nas.services.includes('iscsi')) {
    await nsenterMust(pid, ['chattr', '+C', join(mnt, 'iscsi')]); // no CoW for LUN files
    const fd = openSync(P('iscsi/lun1.img'), 'w');
    ftruncateSync(fd, LUN_BYTES);
    closeSync(fd);
  }
  await nsenterMust(pid, [
    'mount',
    '-t',
    'btrfs',
    '-o',
    ['subvol=nfs1', ...devices.map((d) => `device=${d}`)].join(','),
    devices[0]!,
    nas.pool.nfsSubvolMount,
  ]);
}

async function setupSamba(state: LabState, nas: NasState, smbPass: string): Promise<void> {
  const n = naming(state.instance);
  const conf = join(nas.dir, 'samba', 'smb.conf');
  const pid = nas.initPid!;
  const net = (...a: string[]) => nsenterMust(pid, ['net', '-s', conf, 'conf', ...a]);
  const mnt = nas.pool!.mountPoint;
  await net('addshare', 'share1', join(mnt, 'share1'), 'writeable=y', 'guest_ok=n', 'Lab share one');
  await net('setparm', 'share1', 'valid users', n.smbUser);
  await net('setparm', 'share1', 'vfs objects', 'btrfs');
  await net('addshare', 'share2', join(mnt, 'share2'), 'writeable=n', 'guest_ok=n', 'Lab share two (read-only)');
  await nsenterMust(pid, ['smbpasswd', '-c', conf, '-a', '-s', n.smbUser], { input: `${smbPass}\n${smbPass}\n` });
  nas.smb = {
    user: n.smbUser,
    password: smbPass,
    shares: ['share1', 'share2'],
    netbiosName: nasNaming(state.instance, nas.index).netbiosName,
    workgroup: WORKGROUP,
  };
}

async function bringUpNas(
  state: LabState,
  nn: NasNaming,
  nas: NasState,
  secrets: Secrets,
  opts: { raid: RaidProfile; rootLogin: boolean; synologyFinder?: boolean; vendorWeb?: boolean },
  log: Log,
): Promise<void> {
  const t0 = Date.now();
  const has = (s: Service) => nas.services.includes(s);
  writeNasConfigs(state, nn, nas, { rootLogin: opts.rootLogin });
  await must(['mkfifo', '-m', '600', join(nas.dir, 'ctl.fifo')]);
  if (has('ssh')) {
    const key = join(nas.dir, 'ssh', 'ssh_host_ed25519_key');
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', nas.hostname, '-f', key]);
    const fp = (await must(['ssh-keygen', '-l', '-E', 'sha256', '-f', `${key}.pub`])).split(/\s+/)[1] ?? '';
    const n = naming(state.instance);
    nas.ssh = {
      port: 22,
      user: n.adminUser,
      password: secrets.adminPass,
      hostKeySha256: fp,
      hostPublicKey: readFileSync(`${key}.pub`, 'utf8').trim(),
      privateKeyPath: secrets.clientKey,
      knownHostsPath: join(n.workDir, 'client', 'known_hosts'),
      rootLogin: opts.rootLogin,
    };
    appendFileSync(
      nas.ssh.knownHostsPath,
      `${nas.address} ${nas.ssh.hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`,
    );
  }
  await spawnInit(state, nas);
  const daemons = daemonsFor(nas.services);
  const took: string[] = [];
  const startTimed = async (d: Daemon) => took.push(`${d} ${await startDaemonOn(nas, d)}ms`);
  // daemons that don't need the pool start now, overlapping the storage setup (avahi takes ~2 s)
  const early = daemons.filter((d) => ['avahi', 'wsdd', 'sshd', 'nmbd'].includes(d));
  const earlyDone = Promise.all(early.map(startTimed));
  earlyDone.catch(() => {}); // awaited below; don't let a failure go unhandled meanwhile
  if (has('storage')) {
    const smbUid = has('smb') ? Number((await must(['id', '-u', naming(state.instance).smbUser])).trim()) : undefined;
    await setupStorage(state, nas, opts.raid, smbUid);
  }
  if (has('smb')) await setupSamba(state, nas, secrets.smbPass);
  if (has('nfs')) nas.nfs = { exports: ['/export'], path: nas.pool!.nfsSubvolMount };
  if (has('iscsi')) {
    const n = naming(state.instance);
    nas.iscsi = {
      portal: `${nas.address}:3260`,
      targets: [
        {
          iqn: nn.targetIqn,
          chapUser: `${state.instance}-chap`,
          chapSecret: secret(16),
          initiator: n.initiatorIqn,
          lun: 1,
          lunPath: join(nas.pool!.mountPoint, 'iscsi', 'lun1.img'),
          sizeBytes: LUN_BYTES,
        },
      ],
    };
  }
  writeState(state);
  const tPrep = Date.now() - t0;
  // rpcbind must be registered before ganesha starts (v3 needs it, else ganesha exits rc 2)
  if (daemons.includes('rpcbind')) await startTimed('rpcbind');
  await Promise.all(daemons.filter((d) => d !== 'rpcbind' && !early.includes(d)).map(startTimed));
  await earlyDone;
  if (opts.synologyFinder && nas.persona === 'synology')
    took.push(`syno-findhostd ${await startSynoFindhostd(nn, nas)}ms`);
  const web = opts.vendorWeb ? vendorWebConfig(nas.persona) : undefined;
  if (web) took.push(`vendor-web ${await startVendorWeb(nn, nas, web)}ms`);
  log(
    `nas${nas.index}: ${nas.hostname} ${nas.address} [${nas.persona}] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (prep ${tPrep}ms; ${took.join(', ')})`,
  );
}

/** The findhostd stand-in: node + tsx inside the NAS, answering on UDP 9999 (lab-only, opt-in). */
async function startSynoFindhostd(nn: NasNaming, nas: NasState): Promise<number> {
  const t0 = Date.now();
  const cfg = synologyFinderConfig(nn);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  writeArgv(nn, 'syno-findhostd', [
    process.execPath,
    '--import',
    tsx,
    join(HERE, 'probes', 'syno-findhostd.ts'),
    JSON.stringify(cfg),
  ]);
  await initCtl(nas, 'start', 'syno-findhostd');
  await waitFor(`syno-findhostd on NAS ${nas.index}`, () => portBound(nas.initPid!, 'udp', 9999), 20_000, 50);
  const { hostname, mac, model, serial, version, build } = cfg;
  nas.synologyFinder = { port: 9999, hostname, mac, model, serial, version, build };
  return Date.now() - t0;
}

/** The vendor web API stand-in: node + tsx inside the NAS, answering on the persona's web port (lab-only, opt-in). */
async function startVendorWeb(nn: NasNaming, nas: NasState, cfg: VendorWebConfig): Promise<number> {
  const t0 = Date.now();
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  writeArgv(nn, 'vendor-web', [
    process.execPath,
    '--import',
    tsx,
    join(HERE, 'probes', 'vendor-web.ts'),
    JSON.stringify(cfg),
  ]);
  await initCtl(nas, 'start', 'vendor-web');
  await waitFor(`vendor-web on NAS ${nas.index}`, () => portBound(nas.initPid!, 'tcp', cfg.port), 20_000, 50);
  nas.vendorWeb = { port: cfg.port, paths: Object.keys(cfg.routes) };
  return Date.now() - t0;
}

export async function up(opts: UpOptions = {}): Promise<LabState> {
  const t0 = Date.now();
  const log = opts.log ?? quiet;
  const instance = validateInstance(opts.instance ?? DEFAULT_INSTANCE);
  const count = opts.nas ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NAS) throw new Error(`--nas must be 1..${MAX_NAS}`);
  const services = [...(opts.services ?? ALL_SERVICES)];
  for (const s of services) if (!ALL_SERVICES.includes(s)) throw new Error(`unknown service ${s}`);
  if (['smb', 'nfs', 'iscsi'].some((s) => services.includes(s as Service)) && !services.includes('storage'))
    services.push('storage');
  const personas = opts.personas?.length ? opts.personas : ['linux' as Persona];
  const raid = opts.raid ?? 'raid1';

  if (isUp(instance)) throw new Error(`lab "${instance}" is already up (run down first)`);
  // leftovers of a crashed run: clear them first
  await down(instance, { log: quiet });

  const n = naming(instance);
  mkdirSync(n.workDir, { recursive: true, mode: 0o755 });
  chmodSync(n.workDir, 0o755);
  const state: LabState = {
    instance,
    workDir: n.workDir,
    stateFile: n.stateFile,
    phase: 'starting',
    startedAt: new Date().toISOString(),
    client: {
      namespace: n.clientNs,
      bridge: n.bridge,
      address: n.clientAddr,
      subnet: `${n.subnet}.0/24`,
      ...(opts.ipv6 ? { address6: n.clientAddr6 } : {}),
    },
    host: { interface: n.hostLink, address: n.hostAddr },
    nas: [],
  };
  writeState(state);
  const nasList = Array.from({ length: count }, (_, i) => nasNaming(instance, i + 1));
  for (const nn of nasList) {
    state.nas.push({
      index: nn.index,
      namespace: nn.namespace,
      hostname: nn.hostname,
      address: nn.address,
      ...(opts.ipv6 ? { address6: nn.address6 } : {}),
      mac: nn.mac,
      persona: personas[Math.min(nn.index - 1, personas.length - 1)] ?? 'linux',
      services: [...services],
      ifName: nn.ifName,
      bridgePort: nn.bridgePort,
      dir: nn.dir,
      wsdd: { uuid: randomUUID() },
    });
  }
  writeState(state);
  try {
    const needSsh = services.includes('ssh');
    const needSmb = services.includes('smb');
    const { adminPass, smbPass } = await createUsers(state, needSsh, needSmb, log);
    writeState(state);
    const clientKey = needSsh ? await setupClientKeys(state, join(n.workDir, 'home', 'admin')) : '';
    await setupTopology(state, nasList, log);
    const secrets: Secrets = { adminPass, smbPass, clientKey };
    // bring NAS up in parallel, but in small batches: 2 cores, and avahi/samba startup is CPU-bound
    const light = services.every((x) => x === 'avahi' || x === 'wsdd');
    const batch = light ? MAX_NAS : 5;
    for (let i = 0; i < nasList.length; i += batch) {
      await Promise.all(
        nasList.slice(i, i + batch).map((nn) =>
          bringUpNas(
            state,
            nn,
            state.nas[nn.index - 1]!,
            secrets,
            {
              raid,
              rootLogin: !!opts.rootLogin,
              synologyFinder: !!opts.synologyFinder,
              vendorWeb: !!opts.vendorWeb,
            },
            log,
          ),
        ),
      );
    }
    state.phase = 'up';
    state.upSeconds = (Date.now() - t0) / 1000;
    writeState(state);
    log(`lab ${instance} up in ${state.upSeconds.toFixed(1)} s`);
    return state;
  } catch (e) {
    log(`up failed: ${String(e)}; cleaning up`);
    await down(instance, { log });
    throw e;
  }
}

// ---------------------------------------------------------------- down

function labNamespaces(instance: string, all: string[]): string[] {
  const re = new RegExp(`^${instance}-(client|nas\\d+)$`);
  return all.filter((x) => re.test(x));
}

async function listNetns(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

function labUid(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return Number(f[2]);
    }
  } catch {
    /* ignore */
  }
  return undefined;
}

/** processes that belong to the lab: in its netns, under its recorded supervisors, owned by its users, or naming its work dir */
function labProcesses(instance: string, netnsNames: string[], state: LabState | undefined): number[] {
  const n = naming(instance);
  const nsIds = new Set(netnsNames.map(netnsId).filter(Boolean) as string[]);
  const pidNs = new Set<string>();
  for (const nas of state?.nas ?? []) {
    if (nas.initPid && isAlive(nas.initPid)) {
      const id = nsInode(nas.initPid, 'pid');
      // only trust a recorded pid if it still is our init (pids get reused)
      if (id && cmdline(nas.initPid).includes(INIT_SCRIPT)) pidNs.add(id);
    }
  }
  const uids = new Set([labUid(n.adminUser), labUid(n.smbUser)].filter((u): u is number => u !== undefined));
  const keep = selfAndAncestors();
  const out: number[] = [];
  for (const pid of listPids()) {
    if (keep.has(pid) || !isAlive(pid)) continue;
    const net = nsInode(pid, 'net');
    const pns = nsInode(pid, 'pid');
    const uid = procUid(pid);
    const argv = cmdline(pid);
    if (
      (net && nsIds.has(net)) ||
      (pns && pidNs.has(pns)) ||
      (uid !== undefined && uids.has(uid)) ||
      argv.some((a) => a.startsWith(`${n.workDir}/`) || a === n.workDir) ||
      argv.some((a) => netnsNames.includes(a))
    ) {
      out.push(pid);
    }
  }
  return out;
}

function labMounts(instance: string): string[] {
  const wd = naming(instance).workDir;
  const out: string[] = [];
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mp = line.split(' ')[4];
      if (mp && (mp === wd || mp.startsWith(`${wd}/`))) out.push(mp.replace(/\\040/g, ' '));
    }
  } catch {
    /* ignore */
  }
  return out;
}

async function labLoops(instance: string): Promise<{ name: string; file: string }[]> {
  const wd = naming(instance).workDir;
  const r = await run(['losetup', '-l', '-n', '--raw', '-O', 'NAME,BACK-FILE']);
  const out: { name: string; file: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m && m[2] && m[2].startsWith(`${wd}/`)) out.push({ name: m[1]!, file: m[2] });
  }
  return out;
}

export interface DownResult {
  seconds: number;
  killed: number;
}

export async function down(instance = DEFAULT_INSTANCE, opts: { log?: Log } = {}): Promise<DownResult> {
  const t0 = Date.now();
  const log = opts.log ?? quiet;
  validateInstance(instance);
  const n = naming(instance);
  const state = readState(instance);
  const netns = labNamespaces(instance, await listNetns());

  // 1. processes: SIGKILL the supervisors first (their --kill-child ends each NAS pid namespace), then the rest
  let killed = 0;
  for (const nas of state?.nas ?? []) {
    const p = nas.supervisorPid;
    if (p && isAlive(p) && cmdline(p).includes(INIT_SCRIPT)) {
      try {
        process.kill(p, 'SIGKILL');
        killed++;
      } catch {
        /* gone */
      }
    }
  }
  for (let round = 0; round < 50; round++) {
    const procs = labProcesses(instance, netns, state);
    if (procs.length === 0) break;
    for (const p of procs) {
      try {
        process.kill(p, 'SIGKILL');
        killed++;
      } catch {
        /* gone */
      }
    }
    await sleep(100);
  }

  // 2. mounts in our own namespace (the pool lives only in NAS namespaces, which die with their processes)
  for (const mp of labMounts(instance).reverse()) await run(['umount', '-l', mp]);

  // 3. loop devices backed by lab files (the kernel frees a loop once its last user is gone)
  const loops = await labLoops(instance);
  if (loops.length) {
    await waitFor(
      'lab loop devices to detach',
      async () => {
        const left = await labLoops(instance);
        for (const l of left) await run(['losetup', '-d', l.name]);
        return left.length === 0 || (await labLoops(instance)).length === 0;
      },
      15_000,
      200,
    ).catch((e) => log(String(e)));
  }

  // 4. namespaces (deleting the client ns deletes the bridge and every veth pair)
  for (const ns of netns) await run(['ip', 'netns', 'del', ns]);
  if ((await run(['ip', 'link', 'show', n.hostLink])).code === 0) await run(['ip', 'link', 'del', n.hostLink]);

  // 5. users, sudoers drop-in
  rmSync(n.sudoersFile, { force: true });
  for (const u of [n.adminUser, n.smbUser]) {
    if (labUid(u) !== undefined) {
      const r = await run(['userdel', '-f', u]);
      if (r.code !== 0 && r.code !== 6) log(`userdel ${u}: ${r.stderr.trim()}`);
    }
    if ((await run(['getent', 'group', u])).code === 0) await run(['groupdel', u]);
  }

  // 6. files (homes live under the work dir)
  rmSync(n.workDir, { recursive: true, force: true });
  rmSync(n.stateFile, { force: true });
  const seconds = (Date.now() - t0) / 1000;
  log(`lab ${instance} down in ${seconds.toFixed(1)} s (${killed} signals sent)`);
  return { seconds, killed };
}

// ---------------------------------------------------------------- check-clean

/** every instance with any trace on this machine (state file, work dir, netns, user, sudoers drop-in) */
export async function knownInstances(): Promise<string[]> {
  const found = new Set<string>();
  try {
    for (const f of readdirSync(baseDir())) {
      const m = /^([a-z][a-z0-9]{1,9})(\.state\.json)?$/.exec(f);
      if (m) found.add(m[1]!);
    }
  } catch {
    /* no base dir */
  }
  for (const ns of await listNetns()) {
    const m = /^([a-z][a-z0-9]{1,9})-(client|nas\d+)$/.exec(ns);
    if (m) found.add(m[1]!);
  }
  try {
    for (const f of readdirSync('/etc/sudoers.d')) {
      const m = /^([a-z][a-z0-9]{1,9})-lab$/.exec(f);
      if (m) found.add(m[1]!);
    }
  } catch {
    /* ignore */
  }
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const m = /^([a-z][a-z0-9]{1,9})-(admin|smb):.*nasdeck lab/.exec(line);
    if (m) found.add(m[1]!);
  }
  return [...found].sort();
}

export async function checkClean(instance = DEFAULT_INSTANCE): Promise<string[]> {
  validateInstance(instance);
  const n = naming(instance);
  const left: string[] = [];
  const netns = labNamespaces(instance, await listNetns());
  for (const ns of netns) left.push(`netns ${ns}`);
  for (const mp of labMounts(instance)) left.push(`mount ${mp}`);
  for (const l of await labLoops(instance)) left.push(`loop ${l.name} -> ${l.file}`);
  for (const u of [n.adminUser, n.smbUser]) {
    if (labUid(u) !== undefined) left.push(`user ${u}`);
    if ((await run(['getent', 'group', u])).code === 0) left.push(`group ${u}`);
  }
  if (existsSync(n.sudoersFile)) left.push(`sudoers ${n.sudoersFile}`);
  for (const pid of labProcesses(instance, netns, readState(instance)))
    left.push(`process ${pid} (${procState(pid)}) ${cmdline(pid).join(' ')}`);
  // bridge or veth that escaped into the root namespace
  const links = await run(['ip', '-o', 'link', 'show']);
  for (const line of links.stdout.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m && m[1]!.startsWith(`${instance}-`)) left.push(`link ${m[1]} in the root namespace`);
  }
  if (existsSync(n.workDir)) left.push(`work dir ${n.workDir}`);
  if (existsSync(n.stateFile)) left.push(`state file ${n.stateFile}`);
  return left;
}

// ---------------------------------------------------------------- status

export interface StatusNas extends NasState {
  alive: boolean;
  daemons: Record<string, boolean>;
}

export function status(instance = DEFAULT_INSTANCE): (LabState & { up: boolean; nas: StatusNas[] }) | undefined {
  const s = readState(instance);
  if (!s) return undefined;
  const nas = s.nas.map((x) => {
    const alive = !!x.supervisorPid && isAlive(x.supervisorPid) && !!x.initPid && isAlive(x.initPid);
    const daemons: Record<string, boolean> = {};
    if (alive) for (const d of daemonsFor(x.services)) daemons[d] = daemonReady(x, d);
    return { ...x, alive, daemons };
  });
  return { ...s, up: s.phase === 'up' && nas.every((x) => x.alive), nas };
}

// ---------------------------------------------------------------- fault controls

/** pull the NAS's "cable": its bridge port goes down */
export async function cutLink(nasIndex = 1, instance = DEFAULT_INSTANCE): Promise<void> {
  const s = requireState(instance);
  await must(['ip', '-n', s.client.namespace, 'link', 'set', nasOf(s, nasIndex).bridgePort, 'down']);
}

export async function restoreLink(nasIndex = 1, instance = DEFAULT_INSTANCE): Promise<void> {
  const s = requireState(instance);
  await must(['ip', '-n', s.client.namespace, 'link', 'set', nasOf(s, nasIndex).bridgePort, 'up']);
}

function checkDaemon(nas: NasState, daemon: string): Daemon {
  if (!daemonsFor(nas.services).includes(daemon as Daemon)) {
    throw new Error(`NAS ${nas.index} does not run ${daemon} (has: ${daemonsFor(nas.services).join(', ')})`);
  }
  return daemon as Daemon;
}

export async function stopDaemon(nasIndex: number, daemon: string, instance = DEFAULT_INSTANCE): Promise<void> {
  const s = requireState(instance);
  const nas = nasOf(s, nasIndex);
  const d = checkDaemon(nas, daemon);
  await initCtl(nas, 'stop', d);
  await waitFor(
    `${d} stopped on NAS ${nasIndex}`,
    () => (d === 'avahi' ? !portBound(nas.initPid!, 'udp', 5353) : !daemonReady(nas, d)),
    10_000,
  );
}

export async function startDaemon(nasIndex: number, daemon: string, instance = DEFAULT_INSTANCE): Promise<void> {
  const s = requireState(instance);
  const nas = nasOf(s, nasIndex);
  const d = checkDaemon(nas, daemon);
  // avahi readiness counts log lines after the latest "startup complete"
  await startDaemonOn(nas, d);
}

const POOL_USERS: Daemon[] = ['smbd', 'ganesha', 'tgtd'];

async function remountPool(nas: NasState, degraded: boolean): Promise<void> {
  const pool = nas.pool!;
  const devOpts = pool.devices.map((d) => `device=${d}`);
  const extra = degraded ? ['degraded'] : [];
  await nsenterMust(nas.initPid!, [
    'mount',
    '-t',
    'btrfs',
    '-o',
    [...extra, ...devOpts].join(','),
    pool.devices[0]!,
    pool.mountPoint,
  ]);
  await nsenterMust(nas.initPid!, [
    'mount',
    '-t',
    'btrfs',
    '-o',
    [...extra, 'subvol=nfs1', ...devOpts].join(','),
    pool.devices[0]!,
    pool.nfsSubvolMount,
  ]);
}

export interface FailResult {
  device: string;
  file: string;
}

/**
 * Fail one pool member like a dead disk: stop the pool's users, unmount, detach the loop device,
 * forget it, and mount the pool degraded again (then restart the daemons).
 */
export async function failMember(nasIndex = 1, member?: number, instance = DEFAULT_INSTANCE): Promise<FailResult> {
  const s = requireState(instance);
  const nas = nasOf(s, nasIndex);
  const pool = nas.pool;
  if (!pool) throw new Error(`NAS ${nasIndex} has no pool`);
  const idx = member ?? pool.devices.length - 1;
  const device = pool.devices[idx];
  const file = pool.files[idx];
  if (!device || !file) throw new Error(`pool member ${idx} does not exist`);
  const running = POOL_USERS.filter((d) => daemonsFor(nas.services).includes(d));
  for (const d of running) await initCtl(nas, 'stop', d);
  await nsenterMust(nas.initPid!, ['umount', pool.nfsSubvolMount]);
  await nsenterMust(nas.initPid!, ['umount', pool.mountPoint]);
  await must(['losetup', '-d', device]);
  await waitFor(
    `${device} detached`,
    async () => !(await labLoops(instance)).some((l) => l.name === device),
    10_000,
    50,
  );
  await run(['btrfs', 'device', 'scan', '--forget']);
  rmSync(file, { force: true }); // the dead disk is gone for good
  pool.devices.splice(idx, 1);
  pool.files.splice(idx, 1);
  writeState(s);
  await remountPool(nas, true);
  for (const d of running) await startDaemonOn(nas, d);
  return { device, file };
}

/** replace the missing member with a fresh disk and restore redundancy */
export async function replaceMember(
  nasIndex = 1,
  instance = DEFAULT_INSTANCE,
): Promise<{ device: string; devid: number }> {
  const s = requireState(instance);
  const nas = nasOf(s, nasIndex);
  const pool = nas.pool;
  if (!pool) throw new Error(`NAS ${nasIndex} has no pool`);
  const show = await nsenterMust(nas.initPid!, ['btrfs', 'filesystem', 'show', pool.mountPoint]);
  const m = /devid\s+(\d+)\s+size\s+0\s+used\s+0\s+path\s+.*missing/i.exec(show);
  if (!m) throw new Error(`no missing device in the pool:\n${show}`);
  const devid = Number(m[1]);
  let k = 1;
  while (existsSync(join(nas.dir, 'disks', `d${k}.img`))) k++;
  const file = join(nas.dir, 'disks', `d${k}.img`);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, DISK_BYTES);
  closeSync(fd);
  const device = await attachLoop(file);
  pool.devices.push(device);
  pool.files.push(file);
  writeState(s);
  await nsenterMust(nas.initPid!, ['btrfs', 'replace', 'start', '-B', '-f', String(devid), device, pool.mountPoint]);
  // degraded writes made single-profile chunks; convert them back
  const data = pool.profile;
  const meta = pool.profile === 'raid5' ? 'raid1' : pool.profile;
  await nsenterMust(
    nas.initPid!,
    ['btrfs', 'balance', 'start', `-dconvert=${data},soft`, `-mconvert=${meta},soft`, pool.mountPoint],
    { timeoutMs: 120_000 },
  );
  return { device, devid };
}

export interface CorruptResult {
  device: string;
  backingFile: string;
  logical: number;
  physical: number;
  bytes: number;
}

/**
 * Overwrite the first 4 KiB block of `file` (a path inside the NAS) on ONE mirror only,
 * so a scrub has to repair it from the other copy (lab.md §2 recipe).
 */
export async function corruptBlock(
  nasIndex: number,
  file: string,
  instance = DEFAULT_INSTANCE,
): Promise<CorruptResult> {
  const s = requireState(instance);
  const nas = nasOf(s, nasIndex);
  if (!nas.pool) throw new Error(`NAS ${nasIndex} has no pool`);
  await nsenterMust(nas.initPid!, ['sync']);
  const frag = await nsenterMust(nas.initPid!, ['filefrag', '-v', '-b4096', file]);
  // " 0:        0..     255:      33632..     33887:    256: ..." (btrfs "physical" = logical address)
  const ext = /^\s*\d+:\s+\d+\.\.\s*\d+:\s+(\d+)\.\.\s*\d+:/m.exec(frag);
  if (!ext) throw new Error(`no extent for ${file} (inline file?):\n${frag}`);
  const logical = Number(ext[1]) * 4096;
  const map = await must(['btrfs-map-logical', '-l', String(logical), '-b', '4096', nas.pool.devices[0]!]);
  const mirror = /mirror 1 logical \d+ physical (\d+) device (\S+)/.exec(map);
  if (!mirror) throw new Error(`btrfs-map-logical gave no mirror 1:\n${map}`);
  const physical = Number(mirror[1]);
  const device = mirror[2]!;
  const backingFile = readFileSync(`/sys/block/${device.replace('/dev/', '')}/loop/backing_file`, 'utf8').trim();
  const bytes = 4096;
  const fd = openSync(backingFile, 'r+');
  try {
    writeSync(fd, randomBytes(bytes), 0, bytes, physical);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await must(['sync']);
  // drop clean caches so the next read (or scrub) really goes to the disk
  writeFileSync('/proc/sys/vm/drop_caches', '3\n');
  return { device, backingFile, logical, physical, bytes };
}
