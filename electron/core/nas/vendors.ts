// Vendor API drivers (TrueNAS, Synology DSM, QNAP): one entry per vendor, each behind the same
// NasAdapter as the Linux/SSH adapter. A driver keeps one authenticated session per device.
import type { Device, PlanStep, Vendor } from '../../../shared/domain';
import { fingerprintHttp, HTTP_FINGERPRINT_PORTS } from '../discovery/http-fingerprint';
import type { SecretVault } from '../secrets/vault';
import type { NasAdapter } from './adapter';
import { qnapDriver } from './qnap';
import { synologyDriver } from './synology';
import { trueNasDriver } from './truenas';

export interface VendorContext {
  device: Device;
  vault: SecretVault;
  /**
   * Dry run: mutations append the API call they would make here (`where: 'api'`, secrets as
   * `***`) instead of sending it; reads still go to the NAS.
   */
  plan?: PlanStep[];
}

/** First contact when a device is added: log in once, pin the certificate, learn the model. */
export interface VendorVerifyOptions {
  acceptNewCert: boolean;
  otp?: string;
  rememberDevice?: boolean;
}

export interface VendorVerified {
  certSha256?: string;
  model?: string | null;
  osVersion?: string | null;
  /** Secrets the login produced (a DSM device token): stored in the keychain by the registry. */
  tokens?: Partial<Record<'deviceToken' | 'apiKey', string>>;
}

export interface VendorDriver {
  adapter(ctx: VendorContext): Promise<NasAdapter>;
  verify(device: Device, vault: SecretVault, options: VendorVerifyOptions): Promise<VendorVerified>;
  /** Logs out and closes every session (app exit). */
  closeAll(): Promise<void>;
}

/** Filled by each vendor's module; a vendor missing here is managed over SSH or not at all. */
export const vendorDrivers: Partial<Record<Vendor, VendorDriver>> = {
  qnap: qnapDriver,
  synology: synologyDriver,
  truenas: trueNasDriver,
};

export function vendorDriver(vendor: Vendor): VendorDriver | undefined {
  return vendorDrivers[vendor];
}

/**
 * `device add https://nas:5001 --vendor auto` (or wss://…, or host:port): ask the page each
 * vendor's web API answers without a login. Null when the address is not a web one or nothing
 * recognisable answers; the device is then managed over SSH as before.
 */
export async function detectApiVendor(device: Device, timeoutMs = 3000): Promise<Vendor | null> {
  const scheme = device.url ? new URL(device.url).protocol : undefined;
  if (scheme ? !/^(https?|wss?):$/.test(scheme) : device.port === undefined) return null;
  const secure = scheme ? /^(https|wss):$/.test(scheme) : HTTP_FINGERPRINT_PORTS[device.port!] === 'https';
  const port = device.port ?? (secure ? 443 : 80);
  const facts = await fingerprintHttp(device.host, port, secure ? 'https' : 'http', { timeoutMs });
  return facts && vendorDrivers[facts.vendor] ? facts.vendor : null;
}
