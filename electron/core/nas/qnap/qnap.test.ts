// The QNAP driver against the QTS emulator (real HTTPS on 127.0.0.1, self-signed certificate).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QnapEmulator, type HostileMode } from '../../../../e2e/emulators/qnap/server';
import { defaultQnapState } from '../../../../e2e/emulators/qnap/state';
import type { Device } from '../../../../shared/domain';
import { MemoryVault, secretAccount } from '../../secrets/vault';
import { qtsBaseUrl } from './client';
import { QnapDriver, type QnapAdapter } from './index';

const PASSWORD = 'correct horse';

let emu: QnapEmulator;
let vault: MemoryVault;
let driver: QnapDriver;

function device(extra: Partial<Device['access']> = {}, id = 'q1'): Device {
  return {
    id,
    name: 'qnap',
    host: '127.0.0.1',
    port: emu.port,
    url: `${emu.url}/`,
    addresses: [],
    vendor: 'qnap',
    model: null,
    osVersion: null,
    services: [],
    macs: [],
    access: { user: 'admin', secrets: ['password'], certSha256: emu.certSha256, ...extra },
    addedAt: new Date(0).toISOString(),
  };
}

async function adapter(d = device()) {
  return driver.adapter({ device: d, vault });
}

beforeAll(async () => {
  emu = await QnapEmulator.start();
});
afterAll(() => emu.stop());

beforeEach(async () => {
  emu.state = defaultQnapState();
  emu.hostile = null;
  emu.expireSessions();
  emu.received.length = 0;
  emu.sessionRequestLimit = null;
  vault = new MemoryVault();
  await vault.set(secretAccount('q1', 'password'), PASSWORD);
  driver = new QnapDriver({ timeoutMs: 2000, maxBytes: 1024 * 1024 });
});
afterEach(() => driver.closeAll());

describe('adding a QNAP (verify)', () => {
  it('refuses an unknown certificate before signing in, and reports its fingerprint', async () => {
    const fresh = device({ certSha256: undefined });
    await expect(driver.verify(fresh, vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'CERT_MISMATCH',
      details: { actual: emu.certSha256, firstContact: true },
    });
    expect(emu.received).toEqual([]);
  });

  it('signs in with the base64 password in a POST body, pins the certificate, learns model and firmware, signs out', async () => {
    const verified = await driver.verify(device({ certSha256: undefined }), vault, { acceptNewCert: true });
    expect(verified).toEqual({ certSha256: emu.certSha256, model: 'TS-328', osVersion: 'QTS 5.2.6 (build 20250715)' });
    const [login] = emu.logins();
    expect(login).toMatchObject({
      method: 'POST',
      params: { user: 'admin', pwd: Buffer.from(PASSWORD).toString('base64') },
    });
    expect(JSON.stringify(emu.received)).not.toContain(PASSWORD);
    expect(emu.received.filter((r) => r.method === 'GET').every((r) => !('pwd' in r.params))).toBe(true);
    expect(emu.received.at(-1)?.path).toBe('/cgi-bin/authLogout.cgi');
    expect(emu.activeSessions).toBe(0);
  });

  it('wrong password or unknown user → AUTH_FAILED without the password in the error', async () => {
    await vault.set(secretAccount('q1', 'password'), 'wrong horse');
    const err = await driver.verify(device(), vault, { acceptNewCert: false }).catch((e) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', details: { errorValue: '-1' } });
    expect(JSON.stringify([err.message, err.details])).not.toMatch(/horse|d3Jvbmc/);
    await expect(driver.verify(device({ user: 'nobody' }), vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
  });

  it('2-step verification: code required, then a wrong code, then the right one (remembered with a qtoken)', async () => {
    emu.state.users.admin!.twoStepCode = '123456';
    await expect(driver.verify(device(), vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true },
    });
    await expect(driver.verify(device(), vault, { acceptNewCert: false, otp: '654321' })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true, otpRejected: true },
    });
    const verified = await driver.verify(device(), vault, {
      acceptNewCert: false,
      otp: '123456',
      rememberDevice: true,
    });
    expect(verified.tokens?.deviceToken).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.logins().at(-1)?.params).toMatchObject({ security_code: '123456', remme: '1' });

    // Later sign-ins use the remembered token and need no code.
    await vault.set(secretAccount('q1', 'deviceToken'), verified.tokens!.deviceToken!);
    const a = await adapter(device({ secrets: ['password', 'deviceToken'] }));
    expect((await a.systemInfo()).model).toBe('TS-328');
    const last = emu.logins().at(-1)!;
    expect(last.params).toMatchObject({ qtoken: verified.tokens!.deviceToken });
    expect(last.params.pwd).toBeUndefined();

    // Without the token a 2-step account cannot sign in in the background: a clear error with the fix.
    await driver.closeAll();
    await expect((await adapter()).pools()).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true, fix: expect.stringMatching(/--remember-device/) },
    });
  });

  it('a token the NAS no longer knows falls back to the password', async () => {
    await vault.set(secretAccount('q1', 'deviceToken'), 'f'.repeat(32));
    const a = await adapter(device({ secrets: ['password', 'deviceToken'] }));
    expect(await a.pools()).toHaveLength(1);
    expect(emu.logins().map((l) => ('qtoken' in l.params ? 'qtoken' : 'pwd' in l.params ? 'pwd' : '?'))).toEqual([
      'qtoken',
      'pwd',
    ]);
  });

  it('a non-administrator account → PERMISSION_DENIED naming the fix', async () => {
    emu.state.users.viewer = { password: PASSWORD, admin: false };
    await vault.set(secretAccount('q1', 'password'), PASSWORD);
    await expect(driver.verify(device({ user: 'viewer' }), vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { fix: expect.stringMatching(/administrator/) },
    });
  });

  it('an expired password → AUTH_FAILED telling the user to change it on the NAS', async () => {
    emu.state.users.admin!.passwordExpired = true;
    await expect(driver.verify(device(), vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringMatching(/expired/),
    });
  });

  it('the emulator answers an anonymous authLogin.cgi with model and firmware only, as QTS does', async () => {
    const { request } = await import('node:https');
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${emu.url}/cgi-bin/authLogin.cgi`, { rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toMatch(/<authPassed><!\[CDATA\[0\]\]><\/authPassed>/);
    expect(body).toMatch(/<displayModelName><!\[CDATA\[TS-328\]\]>/);
    expect(body).not.toMatch(/authSid/);
  });

  it('refuses plain http before anything is sent', () => {
    expect(() => qtsBaseUrl('nas', 8080, 'http://nas:8080/')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(qtsBaseUrl('nas')).toBe('https://nas:443');
    expect(qtsBaseUrl('fe80::1', 8443)).toBe('https://[fe80::1]:8443');
  });
});

describe('reading a QNAP', () => {
  it('returns system, pools, disks and shares in the shared shapes, with one sign-in for everything', async () => {
    const a = await adapter();
    const [system, pools, disks, shares] = await Promise.all([a.systemInfo(), a.pools(), a.disks(), a.shares()]);
    expect(system).toEqual({
      hostname: 'QNAP06',
      os: 'QTS 5.2.6',
      kernel: null,
      uptimeSeconds: 22513,
      model: 'TS-328',
    });
    expect(pools).toEqual([
      {
        id: '1',
        name: 'DataVol1',
        kind: 'vendor',
        raidLevel: 'raid5',
        state: 'healthy',
        rawState: 'ready',
        sizeBytes: 5934928510976,
        usedBytes: 5934928510976 - 865955594240,
        devices: [1, 2, 3].map((n) => ({ name: `Disk ${n}`, state: 'healthy' })),
      },
    ]);
    expect(disks).toHaveLength(3); // the empty fourth bay is left out
    expect(disks[0]).toEqual({
      name: 'Disk 1',
      model: 'HUH721212ALE604',
      serial: 'AAHKGNR1',
      sizeBytes: Math.round(10.91 * 1024 ** 4),
      temperatureC: 37,
      smart: 'ok',
    });
    expect(Math.abs(disks[0]!.sizeBytes - 12e12) / 12e12).toBeLessThan(0.001);
    expect(shares.map((s) => [s.name, s.protocol, s.path, s.readOnly, s.managed])).toEqual([
      ['Backups', 'smb', '/Backups', false, false],
      ['Multimedia', 'smb', '/Multimedia', false, false],
      ['Public', 'smb', '/Public', false, false],
    ]);
    expect(await a.alerts(pools, disks)).toEqual([]);
    expect(emu.logins()).toHaveLength(1);

    // A second adapter (the next request) reuses the session.
    await (await adapter()).pools();
    expect(emu.logins()).toHaveLength(1);
  });

  it('follows the NAS state: two volumes, a failing disk, a hot disk, a volume not ready, system warning', async () => {
    const s = emu.state;
    s.bays[1]!.health = 'Abnormal';
    s.bays[2]!.tempC = 58;
    s.volumes.push({ ...s.volumes[0]!, id: 2, label: 'Scratch', raid: 'single', bays: [4], status: -2, progress: 40 });
    s.health = 'warning';
    s.shares.push({ name: 'Archive', writable: false });
    const a = await adapter();
    const [pools, disks, shares] = await Promise.all([a.pools(), a.disks(), a.shares()]);
    expect(pools.map((p) => [p.name, p.state, p.rawState, p.devices])).toEqual([
      [
        'DataVol1',
        'healthy',
        'ready',
        [
          { name: 'Disk 1', state: 'healthy' },
          { name: 'Disk 2', state: 'failed' },
          { name: 'Disk 3', state: 'healthy' },
        ],
      ],
      ['Scratch', 'unknown', 'volumeStatus -2 (40%)', [{ name: 'Disk 4', state: 'failed' }]],
    ]);
    expect(disks.map((d) => [d.name, d.smart, d.temperatureC])).toEqual([
      ['Disk 1', 'ok', 37],
      ['Disk 2', 'failing', 38],
      ['Disk 3', 'ok', 58],
    ]);
    expect(shares.find((x) => x.name === 'Archive')?.readOnly).toBe(true);
    const alerts = await a.alerts(pools, disks);
    expect(alerts.map((x) => [x.level, x.source])).toEqual([
      ['warning', 'system'],
      ['critical', 'pool DataVol1'],
      ['warning', 'pool Scratch'],
      ['critical', 'pool Scratch'],
      ['critical', 'disk Disk 2'],
      ['warning', 'disk Disk 3'],
    ]);
  });

  it('signs in again once, transparently, when the NAS ended the session — also for callers arriving together', async () => {
    const a = await adapter();
    await a.pools();
    emu.expireSessions();
    const [pools, disks, shares] = await Promise.all([(await adapter()).pools(), a.disks(), a.shares()]);
    expect(pools).toHaveLength(1);
    expect(disks).toHaveLength(3);
    expect(shares).toHaveLength(3);
    expect(emu.logins()).toHaveLength(2);
  });

  it('a session the NAS ends at once, again and again → AUTH_FAILED after one new sign-in, not a loop', async () => {
    emu.sessionRequestLimit = 0;
    await expect((await adapter()).disks()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(emu.logins()).toHaveLength(2);
    emu.sessionRequestLimit = null;
  });

  it('an account that lost its admin right → PERMISSION_DENIED on the next sign-in', async () => {
    await (await adapter()).systemInfo();
    emu.expireSessions();
    emu.state.users.admin!.admin = false;
    await expect((await adapter()).pools()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('signs out on closeAll', async () => {
    await (await adapter()).systemInfo();
    expect(emu.activeSessions).toBe(1);
    await driver.closeAll();
    expect(emu.activeSessions).toBe(0);
  });

  it('a changed certificate → CERT_MISMATCH, and nothing is sent to the impostor', async () => {
    await (await adapter()).systemInfo();
    const pinned = emu.certSha256;
    emu.replaceCertificate();
    await driver.closeAll();
    emu.received.length = 0;
    await expect((await adapter(device({ certSha256: pinned }))).pools()).rejects.toMatchObject({
      code: 'CERT_MISMATCH',
      details: { expected: pinned, actual: emu.certSha256 },
    });
    expect(emu.received).toEqual([]);
  });

  it('a device without a pinned certificate is refused before connecting', async () => {
    await expect(adapter(device({ certSha256: undefined }))).rejects.toMatchObject({ code: 'CERT_MISMATCH' });
  });

  it('an address where nothing listens → UNREACHABLE', async () => {
    const dead = await QnapEmulator.start();
    const d = {
      ...device(),
      port: dead.port,
      url: `${dead.url}/`,
      access: { ...device().access, certSha256: dead.certSha256 },
    };
    await dead.stop();
    await expect((await adapter(d)).systemInfo()).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});

describe('what QTS has no public API for', () => {
  it('says so in the capabilities, with the fix', async () => {
    const caps = await (await adapter()).capabilities();
    expect(caps).toMatchObject({
      pools: true,
      disks: true,
      smart: true,
      scrub: false,
      snapshots: false,
      smbShares: false,
      nfsShares: false,
      iscsi: false,
    });
    expect(caps.notes.join('\n')).toMatch(/shared folders/);
    expect(caps.notes.every((n) => /--vendor linux/.test(n))).toBe(true);
  });

  it('every mutation and the unsupported lists → NOT_SUPPORTED with a fix, and nothing sent', async () => {
    const a = await adapter();
    const ctx = { signal: new AbortController().signal, progress: () => undefined };
    const calls: Array<() => Promise<unknown>> = [
      () => a.createShare({ protocol: 'smb', name: 'x', readOnly: false, users: [], clients: [] }),
      () => a.deleteShare('Public'),
      () => a.updateShare('Public', 'smb', { readOnly: true }),
      () => a.setSmbPassword('admin', 'secret'),
      () => a.createSnapshot('DataVol1', 's'),
      () => a.deleteSnapshot('DataVol1', 's'),
      () => a.rollbackSnapshot('DataVol1', 's'),
      () => a.createIscsiTarget({ name: 't', sizeBytes: 1, initiators: [] }),
      () => a.deleteIscsiTarget('t'),
      () => a.scrub('DataVol1', ctx),
      () => a.snapshots(),
      () => a.iscsiTargets(),
    ];
    for (const call of calls)
      await expect(call()).rejects.toMatchObject({
        code: 'NOT_SUPPORTED',
        details: { vendor: 'qnap', fix: expect.stringMatching(/SSH/) },
      });
    expect(emu.received).toEqual([]);
  });
});

describe('hostile replies', () => {
  // A short deadline so the stalled replies end quickly (the sane first sign-in is loopback-fast).
  beforeEach(() => {
    driver = new QnapDriver({ timeoutMs: 1000, maxBytes: 1024 * 1024 });
  });
  const modes: Array<[HostileMode, string]> = [
    ['truncated', 'INTERNAL'],
    ['wrong-types', 'INTERNAL'],
    ['huge', 'INTERNAL'],
    ['html', 'INTERNAL'],
    ['not-xml', 'INTERNAL'],
    ['doctype', 'INTERNAL'],
    ['http-500', 'UNREACHABLE'],
    ['stall', 'TIMEOUT'],
  ];
  it.each(modes)('%s → %s on every read, and the client works again afterwards', async (mode, code) => {
    const a = await adapter();
    await a.systemInfo(); // signed in with a sane reply first
    emu.hostile = mode;
    const reads = [
      (x: QnapAdapter) => x.systemInfo(),
      (x: QnapAdapter) => x.pools(),
      (x: QnapAdapter) => x.disks(),
      (x: QnapAdapter) => x.shares(),
    ];
    for (const read of reads) await expect(read(await adapter())).rejects.toMatchObject({ code });
    emu.hostile = null;
    expect((await (await adapter()).pools())[0]?.name).toBe('DataVol1');
  });

  it.each(modes)('%s on the sign-in itself → %s', async (mode, code) => {
    emu.hostile = mode;
    emu.hostileLogin = true;
    try {
      await expect(driver.verify(device(), vault, { acceptNewCert: false })).rejects.toMatchObject({ code });
    } finally {
      emu.hostileLogin = false;
    }
  });
});
