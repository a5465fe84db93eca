// The TrueNAS vendor driver: one persistent authenticated client per device (TrueNAS locks a
// computer out for 10 minutes after 20 sign-ins a minute, so sessions are reused, never re-made
// per request), the first-contact check that pins the certificate, and the adapter.
import type { Device } from '../../../../shared/domain';
import { AppError } from '../../../../shared/errors';
import type { SeenCert } from '../../remote/tls';
import { secretAccount, type SecretVault } from '../../secrets/vault';
import type { VendorDriver, VendorVerified } from '../vendors';
import { TrueNasAdapter } from './adapter';
import type { ClientOptions, Credentials, TrueNasClient } from './client';
import { connectTrueNas, endpointOf } from './connect';
import { check, systemInfo } from './schemas';

export type Tuning = Partial<
  Pick<ClientOptions, 'callTimeoutMs' | 'connectTimeoutMs' | 'jobPollMs' | 'maxPayloadBytes'>
>;

async function credentials(device: Device, vault: SecretVault, otp?: string): Promise<Credentials> {
  const get = (kind: 'password' | 'apiKey') =>
    device.access.secrets.includes(kind) ? vault.get(secretAccount(device.id, kind)) : Promise.resolve(null);
  const [apiKey, password] = await Promise.all([get('apiKey'), get('password')]);
  if (!apiKey && password === null)
    throw new AppError('AUTH_FAILED', `No password or API key is stored for ${device.name}.`, {
      fix: 'Add the device with --password-stdin or --api-key-stdin.',
    });
  if (!apiKey && !device.access.user)
    throw new AppError('INVALID_INPUT', `No user name for ${device.name}: re-add it with --user.`);
  return {
    ...(device.access.user ? { username: device.access.user } : {}),
    ...(apiKey ? { apiKey } : { password: password! }),
    ...(otp ? { otp } : {}),
  };
}

export function createTrueNasDriver(tuning: Tuning = {}): VendorDriver & { sessions: number } {
  const sessions = new Map<string, { key: string; client: Promise<TrueNasClient> }>();

  async function client(device: Device, vault: SecretVault): Promise<TrueNasClient> {
    const endpoint = endpointOf(device);
    if (endpoint.secure && !device.access.certSha256)
      throw new AppError('CERT_MISMATCH', `No TLS certificate is pinned for ${device.name}: remove and re-add it.`, {
        host: device.host,
      });
    const creds = await credentials(device, vault);
    // A changed pin, address or credential makes a new session; the old one is closed.
    const key = JSON.stringify([endpoint, device.access.certSha256, creds.username, creds.apiKey ?? creds.password]);
    const known = sessions.get(device.id);
    if (known?.key === key) return known.client;
    if (known) void known.client.then((c) => c.close()).catch(() => undefined);
    const made = connectTrueNas({
      ...tuning,
      endpoint,
      credentials: creds,
      pin: device.access.certSha256 ? { certSha256: device.access.certSha256 } : {},
    });
    sessions.set(device.id, { key, client: made });
    made.catch(() => {
      if (sessions.get(device.id)?.client === made) sessions.delete(device.id);
    });
    return made;
  }

  return {
    get sessions() {
      return sessions.size;
    },

    async adapter({ device, vault, plan }) {
      return new TrueNasAdapter(await client(device, vault), plan);
    },

    async verify(device, vault, { acceptNewCert, otp }): Promise<VendorVerified> {
      const seen: SeenCert = {};
      const creds = await credentials(device, vault, otp);
      const c = await connectTrueNas({
        ...tuning,
        endpoint: endpointOf(device),
        credentials: creds,
        pin: { ...(device.access.certSha256 ? { certSha256: device.access.certSha256 } : {}), acceptNewCert },
        seen,
      });
      try {
        const info = check('system.info', systemInfo, await c.call('system.info'));
        const verified: VendorVerified = {
          ...(seen.certSha256 ? { certSha256: seen.certSha256 } : {}),
          model: info.system_product ?? null,
          osVersion: info.version,
        };
        // A one-time code cannot be replayed by later sessions: an account with 2FA gets an API key
        // of its own for Nasdeck (kept in the keychain), created over this verified TLS session.
        if (c.usedOtp && !creds.apiKey && c.transport === 'jsonrpc') {
          const made = (await c.call('api_key.create', [
            {
              name: `Nasdeck ${new Date().toISOString().slice(0, 10)} ${info.hostname}`.slice(0, 200),
              username: creds.username,
            },
          ])) as { key?: unknown };
          if (typeof made?.key !== 'string') throw new AppError('INTERNAL', 'TrueNAS api_key.create returned no key.');
          verified.tokens = { apiKey: made.key };
        }
        return verified;
      } finally {
        await c.close();
      }
    },

    async closeAll() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.client.then((c) => c.close()).catch(() => undefined)));
    },
  };
}

export const trueNasDriver = createTrueNasDriver();
