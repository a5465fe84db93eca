// Smoke suite: every NAS service, exercised from the CLIENT namespace like a real client on the LAN.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientExec,
  eventually,
  mdnsQuery,
  nasPath,
  readLabState,
  wsdProbe,
  type LabState,
  type NasState,
} from './lab-state';

let state: LabState;
let nas: NasState;
let tmp: string;
let sshEnv: NodeJS.ProcessEnv;
const t0 = Date.now();

beforeAll(() => {
  state = readLabState();
  nas = state.nas[0]!;
  tmp = mkdtempSync(join(state.workDir, 'smoke-'));
  const home = join(tmp, 'home');
  mkdirSync(home, { recursive: true });
  sshEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  console.log(`[lab] smoke suite took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

describe('SMB (smbd, registry shares)', () => {
  const smb = (args: string[], password: string) =>
    clientExec(state, ['smbclient', ...args, '-U', nas.smb!.user], { env: { ...sshEnv, PASSWD: password } });

  it('lists the registry shares', async () => {
    const r = await smb(['-g', '-L', `//${nas.address}`], nas.smb!.password);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Disk|share1|');
    expect(r.stdout).toContain('Disk|share2|');
  });

  it('puts and gets a file', async () => {
    const payload = randomBytes(64 * 1024);
    writeFileSync(join(tmp, 'up.bin'), payload);
    const r = await smb(
      [
        `//${nas.address}/share1`,
        '-c',
        `put ${join(tmp, 'up.bin')} smoke-up.bin; get smoke-up.bin ${join(tmp, 'down.bin')}; get hello.txt ${join(tmp, 'hello.txt')}`,
      ],
      nas.smb!.password,
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(tmp, 'down.bin')).equals(payload)).toBe(true);
    expect(readFileSync(join(tmp, 'hello.txt'), 'utf8')).toBe(`hello from ${nas.hostname}\n`);
    // it really landed on the NAS pool, owned by the samba user
    const onNas = nasPath(nas, join(nas.pool!.mountPoint, 'share1', 'smoke-up.bin'));
    expect(readFileSync(onNas).equals(payload)).toBe(true);
    expect(statSync(onNas).uid).not.toBe(0);
  });

  it('refuses a wrong password', async () => {
    const r = await smb(['-g', '-L', `//${nas.address}`], 'wrong-password');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('NT_STATUS_LOGON_FAILURE');
  });
});

describe('NFS (ganesha, btrfs subvolume export)', () => {
  for (const v of ['3', '4']) {
    it(`lists the export over NFSv${v}`, async () => {
      const r = await clientExec(state, ['nfs-ls', `nfs://${nas.address}${nas.nfs!.exports[0]}?version=${v}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/readme\.txt/);
    });
  }

  it('copies a file in (v3) and back out (v4)', async () => {
    const payload = randomBytes(100 * 1024);
    writeFileSync(join(tmp, 'nfs-up.bin'), payload);
    const name = `nfs-up-${Date.now()}.bin`; // nfs-cp never overwrites
    const up = await clientExec(state, [
      'nfs-cp',
      join(tmp, 'nfs-up.bin'),
      `nfs://${nas.address}/export/${name}?version=3`,
    ]);
    expect(up.code, up.stderr).toBe(0);
    const downR = await clientExec(state, [
      'nfs-cp',
      `nfs://${nas.address}/export/${name}?version=4`,
      join(tmp, 'nfs-down.bin'),
    ]);
    expect(downR.code, downR.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'nfs-down.bin')).equals(payload)).toBe(true);
    // landed in the nfs1 subvolume
    expect(readFileSync(nasPath(nas, join(nas.pool!.mountPoint, 'nfs1', name))).equals(payload)).toBe(true);
  });
});

describe('iSCSI (tgt, CHAP, initiator ACL)', () => {
  const chapEnv = (user: string, secret: string) => ({
    ...sshEnv,
    LIBISCSI_CHAP_USERNAME: user,
    LIBISCSI_CHAP_PASSWORD: secret,
  });

  it('discovers the target and its LUN with CHAP', async () => {
    const t = nas.iscsi!.targets[0]!;
    const r = await clientExec(state, ['iscsi-ls', '-i', t.initiator, '-s', `iscsi://${nas.address}`], {
      env: chapEnv(t.chapUser, t.chapSecret),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Target:${t.iqn}`);
    expect(r.stdout).toMatch(/Lun:1\s+Type:DIRECT_ACCESS/);
  });

  it('logs in with CHAP and reads the capacity', async () => {
    const t = nas.iscsi!.targets[0]!;
    const r = await clientExec(
      state,
      ['iscsi-readcapacity16', '-i', t.initiator, `iscsi://${nas.address}/${t.iqn}/${t.lun}`],
      {
        env: chapEnv(t.chapUser, t.chapSecret),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Total size:${t.sizeBytes}`);
  });

  it('refuses a wrong CHAP secret', async () => {
    const t = nas.iscsi!.targets[0]!;
    const r = await clientExec(
      state,
      ['iscsi-readcapacity16', '-i', t.initiator, `iscsi://${nas.address}/${t.iqn}/${t.lun}`],
      {
        env: chapEnv(t.chapUser, 'wrong-secret-123'),
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Authentication failure/);
  });

  it('hides the target from an initiator not in the ACL', async () => {
    const t = nas.iscsi!.targets[0]!;
    const r = await clientExec(
      state,
      ['iscsi-readcapacity16', '-i', 'iqn.2024-01.local.other:intruder', `iscsi://${nas.address}/${t.iqn}/${t.lun}`],
      {
        env: chapEnv(t.chapUser, t.chapSecret),
      },
    );
    expect(r.code).not.toBe(0);
  });
});

describe('SSH (admin with key and password, sudo, root refused)', () => {
  const base = () => [
    'ssh',
    '-o',
    `UserKnownHostsFile=${nas.ssh!.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes', // the host key must match the one in the lab state
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
  ];
  const keyLogin = (user: string, cmd: string, input?: string) =>
    clientExec(
      state,
      [
        ...base(),
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-i',
        nas.ssh!.privateKeyPath,
        `${user}@${nas.address}`,
        cmd,
      ],
      { env: sshEnv, input },
    );

  it('logs in with the key, and the host key is the advertised one', async () => {
    const r = await keyLogin(nas.ssh!.user, 'hostname; id -un');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([nas.hostname, nas.ssh!.user]);
    writeFileSync(join(tmp, 'hostkey.pub'), `${nas.ssh!.hostPublicKey}\n`);
    const fp = await clientExec(state, ['ssh-keygen', '-l', '-E', 'sha256', '-f', join(tmp, 'hostkey.pub')]);
    expect(fp.stdout).toContain(nas.ssh!.hostKeySha256);
  });

  it('logs in with the password', async () => {
    const r = await clientExec(
      state,
      [
        ...base(),
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'PreferredAuthentications=password',
        '-o',
        'NumberOfPasswordPrompts=1',
        `${nas.ssh!.user}@${nas.address}`,
        'id -un',
      ],
      {
        env: {
          ...sshEnv,
          SSH_ASKPASS: join(state.workDir, 'client', 'askpass.sh'),
          SSH_ASKPASS_REQUIRE: 'force',
          NASDECK_LAB_SSH_PASS: nas.ssh!.password,
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(nas.ssh!.user);
  });

  it('refuses a wrong password', async () => {
    const r = await clientExec(
      state,
      [
        ...base(),
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'PreferredAuthentications=password',
        '-o',
        'NumberOfPasswordPrompts=1',
        `${nas.ssh!.user}@${nas.address}`,
        'true',
      ],
      {
        env: {
          ...sshEnv,
          SSH_ASKPASS: join(state.workDir, 'client', 'askpass.sh'),
          SSH_ASKPASS_REQUIRE: 'force',
          NASDECK_LAB_SSH_PASS: 'nope',
        },
      },
    );
    expect(r.code).toBe(255);
  });

  it('needs sudo (with its password) for privileged commands', async () => {
    const plain = await keyLogin(nas.ssh!.user, 'id -u; head -c1 /etc/shadow >/dev/null 2>&1; echo rc=$?');
    expect(plain.stdout).not.toMatch(/^0$/m);
    expect(plain.stdout).not.toContain('rc=0');
    const noPass = await keyLogin(nas.ssh!.user, 'sudo -n true');
    expect(noPass.code).not.toBe(0);
    const r = await keyLogin(
      nas.ssh!.user,
      // `show <mountpoint>`: the kernel's btrfs device list is global, other labs' pools would count too
      `sudo -S -p '' sh -c 'id -u; head -c1 /etc/shadow >/dev/null && btrfs filesystem show ${nas.pool!.mountPoint} | grep -c devid'`,
      `${nas.ssh!.password}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    const [uid, devids] = r.stdout.trim().split('\n');
    expect(uid).toBe('0');
    expect(Number(devids)).toBe(nas.pool!.devices.length);
  });

  it('refuses root login even with an authorized key', async () => {
    const r = await keyLogin('root', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied/);
  });
});

describe('discovery', () => {
  it('answers mDNS queries from Node (multicast-dns) with host, services and TXT', async () => {
    const host = `${nas.hostname}.local`;
    const { records } = await mdnsQuery(
      state,
      [
        { name: '_services._dns-sd._udp.local', type: 'PTR' },
        { name: host, type: 'A' },
        { name: '_http._tcp.local', type: 'PTR' },
      ],
      2000,
    );
    const a = records.filter((r) => r.type === 'A' && r.name === host).map((r) => r.data);
    expect(a).toEqual([nas.address]);
    const types = records.filter((r) => r.name === '_services._dns-sd._udp.local').map((r) => r.data);
    for (const t of [
      '_smb._tcp.local',
      '_nfs._tcp.local',
      '_ssh._tcp.local',
      '_device-info._tcp.local',
      '_adisk._tcp.local',
      '_http._tcp.local',
    ]) {
      expect(types).toContain(t);
    }
    const txt = records.find((r) => r.type === 'TXT' && r.name === `${nas.hostname}._http._tcp.local`);
    expect(txt?.data).toEqual(['path=/']);
    const srv = records.find((r) => r.type === 'SRV' && r.name === `${nas.hostname}._http._tcp.local`);
    expect(srv?.data).toMatchObject({ port: 80, target: host });
  });

  it('answers a WS-Discovery Probe with a ProbeMatch', async () => {
    const matches = await wsdProbe(state, 1500);
    const m = matches.find((x) => x.from === nas.address);
    expect(m, JSON.stringify(matches)).toBeDefined();
    expect(m!.endpoint).toBe(`urn:uuid:${nas.wsdd!.uuid}`);
  });

  it('answers NetBIOS name queries (nmbd)', async () => {
    const name = nas.smb!.netbiosName;
    const r = await eventually(
      () => clientExec(state, ['nmblookup', '-U', nas.address, name]),
      (x) => x.stdout.includes(`${nas.address} ${name}<00>`),
      20_000,
    );
    expect(r.stdout).toContain(`${nas.address} ${name}<00>`);
    const st = await eventually(
      () => clientExec(state, ['nmblookup', '-A', nas.address]),
      (x) => /WORKGROUP\s+<00>/.test(x.stdout),
      20_000,
    );
    expect(st.stdout).toMatch(new RegExp(`${name}\\s+<20>`));
  });
});

describe('host link (root namespace → lab bridge)', () => {
  it('reaches every NAS from the root namespace over its own veth, and only the lab subnet goes there', async () => {
    const { connect } = await import('node:net');
    const host = state.host!;
    for (const n of state.nas) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect({ host: n.address, port: 22, localAddress: host.address, timeout: 3000 });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
        s.once('timeout', () => (s.destroy(), resolve(false)));
      });
      expect(ok, `${n.address}:22 from ${host.address}`).toBe(true);
    }
    const { run } = await import('./proc');
    const routes = await run(['ip', '-o', 'route', 'show', 'dev', host.interface]);
    expect(routes.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${state.client.subnet.replace(/\./g, '\\.')} `)),
    ]);
  });
});
