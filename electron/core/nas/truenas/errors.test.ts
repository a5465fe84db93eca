// Every error path the issue names, against the emulator through the real network stack: wrong
// password, OTP required → wrong → right, session expired and socket dropped mid-operation, a
// failing job, the auth rate limit, a non-admin account, an API key over plain ws://, certificate
// pinning, timeouts and unreachable hosts, each mapped to its error code.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../../e2e/support/self-signed';
import { TrueNasEmulator, type EmulatorOptions } from '../../../../e2e/emulators/truenas/server';
import { secretAccount } from '../../secrets/vault';
import { clearLockouts } from './client';
import { deviceFor, jobContext, newDriver } from './test-helpers';

const running: TrueNasEmulator[] = [];
const drivers: Array<ReturnType<typeof newDriver>> = [];
async function start(options: EmulatorOptions = {}) {
  const emu = await TrueNasEmulator.start(options);
  running.push(emu);
  return emu;
}
function driverFor(tuning = {}) {
  const d = newDriver(tuning);
  drivers.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.closeAll()));
  await Promise.all(running.splice(0).map((e) => e.close()));
  clearLockouts();
});

describe('TrueNAS sign-in', () => {
  it('a wrong password is AUTH_FAILED (JSON-RPC and REST)', async () => {
    for (const release of ['25.04', '24.10'] as const) {
      const emu = await start({ release });
      const { device, vault } = await deviceFor(emu, { password: 'wrong' });
      await expect(driverFor().verify(device, vault, { acceptNewCert: false })).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        message: expect.stringMatching(/refused the user name or password/),
      });
      await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    }
  });

  it('OTP: required → AUTH_FAILED {otpRequired}; wrong → {otpWrong}; right → signed in, with an API key kept for later sessions', async () => {
    const emu = await start();
    const driver = driverFor();
    const { device, vault } = await deviceFor(emu, { user: 'otpuser', password: 'otp-pass' });
    await expect(driver.verify(device, vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true },
    });
    await expect(driver.verify(device, vault, { acceptNewCert: false, otp: '000000' })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true, otpWrong: true },
    });
    const ok = await driver.verify(device, vault, { acceptNewCert: false, otp: '424242' });
    expect(ok).toMatchObject({ model: 'TRUENAS-MINI-3.0-XL+', osVersion: 'TrueNAS-SCALE-25.04.2.6' });
    const key = ok.tokens?.apiKey;
    expect(key).toMatch(/^\d+-\S{64}$/);
    expect(emu.model.apiKeys.find((k) => k.key === key)).toMatchObject({ username: 'otpuser', revoked: false });

    // Later sessions sign in with that key; no code needed.
    await vault.set(secretAccount(device.id, 'apiKey'), key!);
    device.access.secrets.push('apiKey');
    expect((await (await driver.adapter({ device, vault })).pools()).length).toBe(2);
  });

  it('REST refuses password sign-in for a 2FA account: AUTH_FAILED {otpRequired} with the fix', async () => {
    const emu = await start({ release: '24.10' });
    const { device, vault } = await deviceFor(emu, { user: 'otpuser', password: 'otp-pass' });
    await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      details: { otpRequired: true, fix: expect.stringMatching(/API key/) },
    });
  });

  it('API key: accepted over wss:// and over REST https', async () => {
    for (const release of ['25.04', '24.10'] as const) {
      const emu = await start({ release });
      const { device, vault } = await deviceFor(emu, { apiKey: emu.model.apiKeys[0]!.key });
      expect((await (await driverFor().adapter({ device, vault })).shares()).length).toBe(2);
    }
  });

  it('API key without a user name: auth.login_with_api_key; a password without one is refused', async () => {
    const emu = await start();
    const keyed = await deviceFor(emu, { apiKey: emu.model.apiKeys[0]!.key, user: null });
    const a = await driverFor().adapter(keyed);
    expect((await a.pools()).length).toBe(2);
    expect(emu.receivedText()).toContain('"method":"auth.login_with_api_key"');
    await expect(driverFor().adapter(await deviceFor(emu, { user: null }))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('an API key is refused over plain ws:// before anything is sent (TrueNAS would revoke it)', async () => {
    const emu = await start({ tls: false });
    const key = emu.model.apiKeys[0]!.key;
    const { device, vault } = await deviceFor(emu, { apiKey: key, pin: null });
    expect(device.url).toMatch(/^ws:\/\//);
    await expect(driverFor().verify(device, vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { fix: expect.stringMatching(/wss:\/\//) },
    });
    await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(emu.received).toEqual([]);
    expect(emu.model.apiKeys[0]!.revoked).toBe(false);

    // What the refusal prevents: the emulated 25.04 revokes a key that arrives without TLS.
    const ws = new WebSocket(emu.url);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'auth.login_ex',
        params: [{ mechanism: 'API_KEY_PLAIN', username: 'admin', api_key: key }],
      }),
    );
    expect(JSON.parse(await reply).result).toEqual({ response_type: 'EXPIRED' });
    ws.close();
    expect(emu.model.apiKeys[0]!.revoked).toBe(true);
    // A password over plain ws:// is the user's choice, and works.
    const pw = await deviceFor(emu, { pin: null });
    expect((await (await driverFor().adapter(pw)).pools()).length).toBe(2);
  });

  it('the auth rate limit becomes a clear AUTH_FAILED {rateLimited}, and no further sign-in is sent', async () => {
    const emu = await start({ rateLimit: 3 });
    const { device, vault } = await deviceFor(emu, { password: 'wrong' });
    const driver = driverFor();
    for (let i = 0; i < 3; i++)
      await expect(driver.adapter({ device, vault })).rejects.toMatchObject({
        code: 'AUTH_FAILED',
        details: { vendor: 'truenas' },
      });
    const limited = await driver.adapter({ device, vault }).catch((e: unknown) => e);
    expect(limited).toMatchObject({
      code: 'AUTH_FAILED',
      details: { rateLimited: true, retryAfterSeconds: 600 },
      message: expect.stringMatching(/too many attempts/),
    });
    const frames = emu.received.length;
    // Even with the right password: nothing is sent while the lock-out lasts.
    const good = await deviceFor(emu);
    await expect(driver.adapter(good)).rejects.toMatchObject({ details: { rateLimited: true } });
    await expect(driver.verify(good.device, good.vault, { acceptNewCert: false })).rejects.toMatchObject({
      details: { rateLimited: true },
    });
    expect(emu.received.length).toBe(frames);
  });

  it('a non-admin account reads, and a change is PERMISSION_DENIED with the fix (JSON-RPC and REST)', async () => {
    for (const release of ['25.04', '24.10'] as const) {
      const emu = await start({ release });
      const { device, vault } = await deviceFor(emu, { user: 'viewer', password: 'viewer-pass' });
      const a = await driverFor().adapter({ device, vault });
      expect((await a.pools()).length).toBe(2);
      expect((await a.capabilities()).notes.join(' ')).toMatch(/READONLY_ADMIN.*Full Admin/);
      await expect(a.createSnapshot('tank/media', 'nope')).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
        details: { fix: expect.stringMatching(/Full Admin/) },
      });
      expect(emu.model.snapshots.some((s) => s.snapshot_name === 'nope')).toBe(false);
    }
  });
});

describe('TrueNAS certificate pinning', () => {
  it('first contact: refused with the fingerprint; accepted with acceptNewCert and pinned', async () => {
    const emu = await start();
    const { device, vault } = await deviceFor(emu, { pin: null });
    await expect(driverFor().verify(device, vault, { acceptNewCert: false })).rejects.toMatchObject({
      code: 'CERT_MISMATCH',
      details: { actual: emu.certSha256, firstContact: true },
    });
    expect(emu.received).toEqual([]);
    expect(await driverFor().verify(device, vault, { acceptNewCert: true })).toEqual({
      certSha256: emu.certSha256,
      model: 'TRUENAS-MINI-3.0-XL+',
      osVersion: 'TrueNAS-SCALE-25.04.2.6',
    });
    await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({ code: 'CERT_MISMATCH' });
  });

  it('a changed certificate is CERT_MISMATCH before the password leaves (WebSocket and REST)', async () => {
    for (const release of ['25.04', '24.10'] as const) {
      const emu = await start({ release, cert: selfSigned('imposter.local') });
      const { device, vault } = await deviceFor(emu, { pin: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
      await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({
        code: 'CERT_MISMATCH',
        details: { actual: emu.certSha256 },
      });
      await expect(driverFor().verify(device, vault, { acceptNewCert: true })).rejects.toMatchObject({
        code: 'CERT_MISMATCH',
      });
      expect(emu.receivedText()).not.toContain('admin-pass');
      expect(emu.received).toEqual([]);
    }
  });
});

describe('TrueNAS dropped sessions and jobs', () => {
  it('session expired mid-use: one transparent re-login, the call answered', async () => {
    const emu = await start();
    const a = await driverFor().adapter(await deviceFor(emu));
    const logins = emu.logins;
    emu.faults.expireOn = 'pool.query';
    expect((await a.pools()).length).toBe(2);
    expect(emu.logins).toBe(logins + 1);
    // A change is also safe to resend: TrueNAS refused it unauthenticated, it did not run.
    emu.faults.expireOn = 'zfs.snapshot.create';
    await a.createSnapshot('tank/media', 'after-expiry');
    expect(emu.model.snapshots.filter((s) => s.snapshot_name === 'after-expiry')).toHaveLength(1);
  });

  it('socket dropped during a read: reconnect, re-login, answer', async () => {
    const emu = await start();
    const a = await driverFor().adapter(await deviceFor(emu));
    const logins = emu.logins;
    emu.faults.dropOn = 'sharing.smb.query';
    expect((await a.shares()).length).toBe(2);
    expect(emu.logins).toBe(logins + 1);
  });

  it('socket dropped during a change: UNREACHABLE {maybeApplied}, not silently resent; the next call reconnects', async () => {
    const emu = await start();
    const a = await driverFor().adapter(await deviceFor(emu));
    emu.faults.dropOn = 'zfs.snapshot.create';
    await expect(a.createSnapshot('tank/media', 'x')).rejects.toMatchObject({
      code: 'UNREACHABLE',
      details: { maybeApplied: true },
    });
    expect((await a.snapshots('tank/media')).length).toBe(1);
  });

  it('the whole middleware restarting during a scrub: the job is followed to its end after reconnecting', async () => {
    const emu = await start({ jobTickMs: 100 });
    const a = await driverFor().adapter(await deviceFor(emu));
    const ctx = jobContext();
    const done = a.scrub('tank', ctx);
    await expect.poll(() => ctx.seen.some(([f]) => f !== null && f > 0)).toBe(true);
    emu.dropAll();
    expect((await done).scrub).toMatchObject({ state: 'finished' });
  });

  it('job progress arrives as collection_update events (no polling needed)', async () => {
    const emu = await start();
    const a = await driverFor({ jobPollMs: 600_000 }).adapter(await deviceFor(emu));
    const ctx = jobContext();
    expect((await a.scrub('tank', ctx)).scrub).toMatchObject({ state: 'finished' });
    expect(ctx.seen.length).toBeGreaterThan(3);
    // One poll at the start, then events only.
    expect(emu.received.filter((r) => r.text.includes('"core.get_jobs",')).length).toBeLessThanOrEqual(1);
  });

  it('a pinned API version path (/api/v25.04.2) is kept', async () => {
    const emu = await start();
    const a = await driverFor().adapter(
      await deviceFor(emu, { url: emu.url.replace('/api/current', '/api/v25.04.2') }),
    );
    expect((await a.pools()).length).toBe(2);
    expect(emu.received.some((r) => r.path === 'UPGRADE /api/v25.04.2')).toBe(true);
  });

  it('a failing job: its error, typed', async () => {
    const emu = await start();
    emu.faults.failJob = 'pool.scrub';
    const a = await driverFor().adapter(await deviceFor(emu));
    await expect(a.scrub('tank', jobContext())).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/pool\.scrub failed: \[EFAULT\] I\/O error/),
    });
  });

  it('cancelling a scrub aborts the job and stops the scrub on the NAS', async () => {
    const emu = await start({ jobTickMs: 100 });
    const a = await driverFor().adapter(await deviceFor(emu));
    const ctx = jobContext();
    const done = a.scrub('tank', ctx);
    await expect.poll(() => ctx.seen.some(([f]) => f !== null && f > 0)).toBe(true);
    ctx.controller.abort();
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => emu.model.pools[0]!.scan?.state).toBe('CANCELED');
  });

  it('a call TrueNAS never answers times out (TIMEOUT), and the session stays usable', async () => {
    const emu = await start();
    const a = await driverFor({ callTimeoutMs: 300 }).adapter(await deviceFor(emu));
    emu.faults.silentOn = 'disk.query';
    await expect(a.disks()).rejects.toMatchObject({ code: 'TIMEOUT' });
    delete emu.faults.silentOn;
    expect((await a.pools()).length).toBe(2);
  });

  it('nothing listening: UNREACHABLE', async () => {
    const emu = await start();
    const { device, vault } = await deviceFor(emu);
    await emu.close();
    running.splice(running.indexOf(emu), 1);
    await expect(driverFor().adapter({ device, vault })).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
