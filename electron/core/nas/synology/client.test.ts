// DSM sign-in, sessions, certificate pinning and error paths against the emulator over real HTTPS:
// every failure is a typed AppError with the right code, never a crash or a hang.
import { afterEach, describe, expect, it } from 'vitest';
import {
  startSynologyEmulator,
  type HostileMode,
  type SynologyEmulator,
} from '../../../../e2e/emulators/synology/server';
import { AppError } from '../../../../shared/errors';
import { MemoryVault, secretAccount } from '../../secrets/vault';
import { DsmClient, encodeParam } from './client';
import { createSynologyDriver } from './index';
import { deviceFor, harness, type Harness } from './test-helpers';

let h: Harness | undefined;
const emus: SynologyEmulator[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(emus.splice(0).map((e) => e.close()));
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`not an AppError: ${String(err)}`);
  return err;
}

async function emulator(dsm: 6 | 7 = 7) {
  const emu = await startSynologyEmulator({ dsm });
  emus.push(emu);
  return emu;
}

/** A driver + device for an account of the emulator, before `device add`. */
function fresh(emu: SynologyEmulator, user: string, password: string) {
  const vault = new MemoryVault();
  const device = deviceFor(emu, user);
  void vault.set(secretAccount(device.id, 'password'), password);
  const driver = createSynologyDriver({ timeoutMs: 3000, deviceName: 'nasdeck-test' });
  return { vault, device, driver };
}

describe('requestFormat JSON parameters', () => {
  it('quotes strings, writes arrays/objects as JSON and numbers/booleans bare', () => {
    expect(encodeParam('share1', true)).toBe('"share1"');
    expect(encodeParam('a"b', true)).toBe('"a\\"b"');
    expect(encodeParam('share1', false)).toBe('share1');
    expect(encodeParam(['s1'], true)).toBe('["s1"]');
    expect(encodeParam({ desc: 'x', lock: true }, true)).toBe('{"desc":"x","lock":true}');
    expect(encodeParam(1073741824, true)).toBe('1073741824');
    expect(encodeParam(true, true)).toBe('true');
  });
});

describe('DSM sign-in', () => {
  it('wrong password → AUTH_FAILED (400); repeated failures get the IP blocked (407) and it says so', async () => {
    const emu = await emulator();
    emu.model.autoBlockAfter = 3;
    const { vault, device, driver } = fresh(emu, 'admin', 'wrong');
    const first = await failure(driver.verify(device, vault, { acceptNewCert: true }));
    expect(first).toMatchObject({ code: 'AUTH_FAILED', details: { dsmCode: 400 } });
    expect(first.message).toMatch(/wrong password/);
    await failure(driver.verify(device, vault, { acceptNewCert: true }));
    await failure(driver.verify(device, vault, { acceptNewCert: true }));
    const blocked = await failure(driver.verify(device, vault, { acceptNewCert: true }));
    expect(blocked).toMatchObject({ code: 'AUTH_FAILED', details: { dsmCode: 407, blocked: true } });
    expect(blocked.message).toMatch(/blocked/);
    // The password never shows up in what the user sees.
    expect(JSON.stringify(blocked.toWire())).not.toContain('wrong');
  });

  it('a disabled account → AUTH_FAILED (401)', async () => {
    const emu = await emulator();
    emu.model.users.get('alice')!.disabled = true;
    const { vault, device, driver } = fresh(emu, 'alice', 'alice-pass');
    expect(await failure(driver.verify(device, vault, { acceptNewCert: true }))).toMatchObject({
      code: 'AUTH_FAILED',
      details: { dsmCode: 401 },
    });
  });

  it('a non-admin account signs in but storage needs an administrator (105 → PERMISSION_DENIED)', async () => {
    h = await harness({ user: 'alice', password: 'alice-pass' });
    const a = await h.adapter();
    const err = await failure(a.pools());
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', details: { dsmCode: 105 } });
    expect(err.message).toMatch(/needs an administrator account/);
    // The host name falls back to the device name; model and DSM version still read.
    expect(await a.systemInfo()).toMatchObject({ hostname: 'syno', model: 'DS920+' });
  });

  it.each([6, 7] as const)(
    'DSM %i 2-step: 403 asks for a code, a wrong code is refused (404), the right one with "remember" gives a device token used next time without a code',
    async (dsm) => {
      const emu = await emulator(dsm);
      const { vault, device, driver } = fresh(emu, 'otpadmin', 'otp-pass');
      const need = await failure(driver.verify(device, vault, { acceptNewCert: true }));
      expect(need).toMatchObject({ code: 'AUTH_FAILED', details: { dsmCode: 403, otpRequired: true } });

      const good = emu.model.otpFor('otpadmin');
      const wrong = good === '000000' ? '111111' : '000000';
      const bad = await failure(driver.verify(device, vault, { acceptNewCert: true, otp: wrong }));
      expect(bad).toMatchObject({ code: 'AUTH_FAILED', details: { dsmCode: 404 } });
      expect(bad.message).toMatch(/wrong code/);

      const ok = await driver.verify(device, vault, { acceptNewCert: true, otp: good, rememberDevice: true });
      expect(ok).toMatchObject({
        model: dsm === 6 ? 'DS918+' : 'DS920+',
        certSha256: expect.stringMatching(/^SHA256:/),
      });
      const token = ok.tokens?.deviceToken;
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      const withOtp = emu.calls('SYNO.API.Auth', 'login').at(-1)!;
      expect(withOtp.params).toMatchObject({ otp_code: good, enable_device_token: 'yes', device_name: 'nasdeck-test' });
      // verify signs out again.
      expect(emu.model.sessions.size).toBe(0);

      // As devices.add does: the token goes to the keychain; later logins send it instead of a code.
      device.access.certSha256 = ok.certSha256!;
      device.access.secrets.push('deviceToken');
      await vault.set(secretAccount(device.id, 'deviceToken'), token!);
      const pools = await (await driver.adapter({ device, vault })).pools();
      expect(pools.length).toBe(2);
      const later = emu.calls('SYNO.API.Auth', 'login').at(-1)!;
      expect(later.params).toMatchObject({ device_id: token, device_name: 'nasdeck-test' });
      expect(later.params.otp_code).toBeUndefined();
      await driver.closeAll();
    },
  );

  it('a code without "remember" gives no token: the next sign-in asks again', async () => {
    const emu = await emulator();
    const { vault, device, driver } = fresh(emu, 'otpadmin', 'otp-pass');
    const ok = await driver.verify(device, vault, { acceptNewCert: true, otp: emu.model.otpFor('otpadmin') });
    expect(ok.tokens).toBeUndefined();
    device.access.certSha256 = ok.certSha256!;
    const err = await failure((await driver.adapter({ device, vault })).pools());
    expect(err.details).toMatchObject({ otpRequired: true });
  });
});

describe('DSM sessions', () => {
  it('an expired session (106) mid-operation is renewed once and the call retried', async () => {
    h = await harness();
    const a = await h.adapter();
    await a.pools();
    const logins = h.emu.calls('SYNO.API.Auth', 'login').length;
    h.emu.model.expireSessions();
    // Several calls at once find the session gone: one re-login serves them all.
    const [shares, disks] = await Promise.all([a.shares(), (await h.adapter()).disks()]);
    expect(shares.length).toBeGreaterThan(0);
    expect(disks.length).toBe(4);
    expect(h.emu.calls('SYNO.API.Auth', 'login').length).toBe(logins + 1);
    expect(h.emu.calls('SYNO.Core.Share', 'list').length).toBe(2); // the 106 answer, then the retry
  });

  it('a session that expires in the middle of a multi-step change is renewed and the step sent once', async () => {
    h = await harness();
    const a = await h.adapter();
    await a.iscsiTargets();
    const logins = h.emu.calls('SYNO.API.Auth', 'login').length;
    h.emu.expireOn = { api: 'SYNO.Core.ISCSI.Target', method: 'create' };
    await a.createIscsiTarget({ name: 'midway', sizeBytes: 1024 ** 3, initiators: [] });
    expect(h.emu.calls('SYNO.API.Auth', 'login').length).toBe(logins + 1);
    expect(h.emu.model.luns.map((l) => l.name)).toEqual(['midway']);
    expect(h.emu.model.targets.map((t) => [t.name, t.mapped.length])).toEqual([['midway', 1]]);
    expect(h.emu.calls('SYNO.Core.ISCSI.Target', 'create')).toHaveLength(2); // the 106, then the retry
  });

  it('when the re-login fails too, the error is the login error, and there is no loop', async () => {
    h = await harness();
    const a = await h.adapter();
    await a.disks();
    h.emu.model.users.get('admin')!.password = 'changed-in-dsm';
    h.emu.model.expireSessions();
    const before = h.emu.calls('SYNO.API.Auth', 'login').length;
    const err = await failure((await h.adapter()).pools());
    expect(err).toMatchObject({ code: 'AUTH_FAILED', details: { dsmCode: 400 } });
    expect(h.emu.calls('SYNO.API.Auth', 'login').length).toBe(before + 1);
  });

  it('a session without its SynoToken is refused (119) by the emulator, and the client always sends it', async () => {
    h = await harness();
    await (await h.adapter()).disks();
    const sid = [...h.emu.model.sessions.keys()][0]!;
    const res = await fetchJson(
      h.emu,
      `/webapi/entry.cgi?api=SYNO.Storage.CGI.Storage&version=1&method=load_info&_sid=${sid}`,
    );
    expect(res).toEqual({ error: { code: 119 }, success: false });
    const data = h.emu.requests.filter((r) => r.api !== 'SYNO.API.Info' && r.api !== 'SYNO.API.Auth');
    expect(data.slice(0, -1).every((r) => r.synoTokenHeader !== null)).toBe(true);
  });

  it('closeAll logs out of DSM', async () => {
    h = await harness();
    await (await h.adapter()).disks();
    expect(h.emu.model.sessions.size).toBe(1);
    await h.driver.closeAll();
    expect(h.emu.model.sessions.size).toBe(0);
    expect(h.emu.calls('SYNO.API.Auth', 'logout')).toHaveLength(2); // verify's and the adapter's
  });

  it('DSM codes the client has no word for → INTERNAL with the code; unknown API/method → NOT_SUPPORTED', async () => {
    const emu = await emulator();
    const client = new DsmClient({
      origin: emu.url,
      pin: { acceptNewCert: true },
      account: 'admin',
      password: async () => 'admin-pass',
      deviceName: 'nasdeck-test',
      timeoutMs: 3000,
    });
    const ext4 = await failure(client.call('SYNO.Core.Share.Snapshot', 'create', { name: 'archive', snapinfo: {} }));
    expect(ext4).toMatchObject({ code: 'INVALID_INPUT', details: { dsmCode: 3300 } });
    // The DSM 6 utilization fixture's "Transmition failed" (1055) has no meaning of ours.
    const errors = { err_key: '', err_line: 883, err_msg: 'Transmition failed.', err_session: '' };
    emu.failNext = { api: 'SYNO.Core.System.Utilization', method: 'get', code: 1055, errors };
    const odd = await failure(client.call('SYNO.Core.System.Utilization', 'get'));
    expect(odd).toMatchObject({ code: 'INTERNAL', details: { dsmCode: 1055, errors } });
    expect(odd.message).toMatch(/error code 1055/);
    expect(await failure(client.call('SYNO.Core.Share', 'frobnicate'))).toMatchObject({
      code: 'NOT_SUPPORTED',
      details: { dsmCode: 103 },
    });
    expect((await failure(client.call('SYNO.Nope', 'list'))).code).toBe('NOT_SUPPORTED');
    expect(emu.calls('SYNO.Nope')).toEqual([]); // not in SYNO.API.Info: never sent
    await client.logout();
  });
});

describe('TLS pinning', () => {
  it('a changed certificate → CERT_MISMATCH before any request; first contact needs acceptance', async () => {
    h = await harness();
    h.device.access.certSha256 = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const before = h.emu.requests.length;
    const err = await failure((await h.adapter()).pools());
    expect(err.code).toBe('CERT_MISMATCH');
    expect(h.emu.requests.length).toBe(before);

    const { vault, device, driver } = fresh(h.emu, 'admin', 'admin-pass');
    const first = await failure(driver.verify(device, vault, { acceptNewCert: false }));
    expect(first).toMatchObject({ code: 'CERT_MISMATCH', details: { firstContact: true } });
    expect(h.emu.requests.length).toBe(before);
  });
});

describe('hostile answers', () => {
  it.each<[HostileMode, string, RegExp]>([
    ['truncated', 'INTERNAL', /not complete JSON/],
    ['wrong-types', 'INTERNAL', /unexpected shape/],
    ['html', 'INTERNAL', /web page instead of JSON/],
    ['http-error', 'UNREACHABLE', /HTTP 502/],
    ['huge', 'INTERNAL', /larger than/],
  ])('%s → %s', async (mode, expected, message) => {
    h = await harness();
    h.emu.hostile = mode;
    const a = await h.adapter();
    for (const read of [
      () => a.pools(),
      () => a.disks(),
      () => a.shares(),
      () => a.iscsiTargets(),
      () => a.snapshots(),
    ]) {
      const err = await failure(read());
      expect(err.code).toBe(expected);
      expect(err.message).toMatch(message);
    }
    h.emu.hostile = null;
    expect((await (await h.adapter()).pools()).length).toBe(2); // the session survived
  });

  it('a DSM that never answers → TIMEOUT, not a hang', async () => {
    h = await harness({ timeoutMs: 500 });
    h.emu.hostile = 'hang';
    const err = await failure((await h.adapter()).pools());
    expect(err.code).toBe('TIMEOUT');
  });

  it('a hostile SYNO.API.Info entry (path outside /webapi, wrong types) is dropped, not followed', async () => {
    h = await harness();
    h.emu.extraInfo = {
      'SYNO.Evil.Path': { path: '../../../etc/passwd.cgi', minVersion: 1, maxVersion: 1 },
      'SYNO.Evil.Url': { path: 'https://attacker.example/x.cgi', minVersion: 1, maxVersion: 1 },
      'SYNO.Evil.Types': { path: 'entry.cgi', minVersion: '1', maxVersion: null },
      'SYNO.Evil.Null': null,
    };
    const client = new DsmClient({
      origin: h.emu.url,
      pin: { certSha256: h.device.access.certSha256! },
      account: 'admin',
      password: async () => 'admin-pass',
      deviceName: 'x',
    });
    const apis = await client.apis();
    expect(Object.keys(apis).filter((k) => k.startsWith('SYNO.Evil'))).toEqual([]);
    expect(apis['SYNO.Core.Share']).toEqual({ path: 'entry.cgi', minVersion: 1, maxVersion: 1, requestFormat: 'JSON' });
    expect((await failure(client.call('SYNO.Evil.Path', 'list'))).code).toBe('NOT_SUPPORTED');
    await client.logout();
  });
});

/** A raw request with the emulator's certificate trusted, for protocol checks the client would not make. */
async function fetchJson(emu: SynologyEmulator, path: string): Promise<unknown> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https
      .get(`${emu.url}${path}`, { ca: emu.tls.cert, checkServerIdentity: () => undefined }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}
