// Fingerprint rules: data, tried in order, each tested on its own. Evidence is what every source
// saw of one device, merged. The first rule that matches names the vendor; later rules may
// still fill in a model or OS version the first did not know.
import type { Vendor } from '../../../shared/domain';
import type { Sighting } from './sighting';

export interface Evidence {
  serviceTypes: Set<string>;
  txt: Record<string, Record<string, string>>;
  facts: NonNullable<Sighting['facts']>;
  hostname?: string;
}

export interface Fingerprint {
  vendor: Vendor;
  model: string | null;
  osVersion: string | null;
}

export interface FingerprintRule {
  name: string;
  vendor: Vendor;
  match(e: Evidence): { model?: string | null; osVersion?: string | null } | null;
}

const txtOf = (e: Evidence, type: string) => e.txt[type] ?? {};
/** The vendor's unauthenticated web API answered (http-fingerprint.ts). */
const httpSays = (vendor: Vendor) => (e: Evidence) =>
  e.facts.httpVendor === vendor ? { model: e.facts.httpModel ?? null, osVersion: e.facts.httpOsVersion ?? null } : null;

export const fingerprintRules: FingerprintRule[] = [
  {
    name: 'Synology finder reply (UDP 9999)',
    vendor: 'synology',
    match: (e) => (e.facts.vendor === 'synology' ? { model: e.facts.model, osVersion: e.facts.osVersion } : null),
  },
  {
    // DSM advertises _http._tcp with vendor=Synology, model, serial, version_* (vendor-apis.md A.9).
    name: 'Synology _http._tcp TXT vendor=Synology',
    vendor: 'synology',
    match: (e) => {
      const t = txtOf(e, '_http._tcp');
      if (!/^synology/i.test(t.vendor ?? '')) return null;
      const version = t.version_major
        ? `DSM ${t.version_major}.${t.version_minor ?? '0'}${t.version_build ? `-${t.version_build}` : ''}`
        : null;
      return { model: t.model ?? null, osVersion: version };
    },
  },
  {
    name: 'Synology DSM web API (query.cgi SYNO.API.Info)',
    vendor: 'synology',
    match: httpSays('synology'),
  },
  {
    // QNAP announces _qdiscover._tcp with model, displayModel and fwVer.
    name: 'QNAP _qdiscover._tcp',
    vendor: 'qnap',
    match: (e) => {
      if (!e.serviceTypes.has('_qdiscover._tcp')) return null;
      const t = txtOf(e, '_qdiscover._tcp');
      const fw = t.fwver ? `QTS ${t.fwver}${t.fwbuildnum ? ` (${t.fwbuildnum})` : ''}` : null;
      return { model: t.displaymodel ?? t.model ?? null, osVersion: fw };
    },
  },
  {
    name: 'QNAP QTS web API (authLogin.cgi)',
    vendor: 'qnap',
    match: httpSays('qnap'),
  },
  {
    name: 'TrueNAS web API (/api/versions, system/version)',
    vendor: 'truenas',
    match: httpSays('truenas'),
  },
  {
    // TrueNAS publishes _device-info._tcp model=MacPro7,1@ECOLOR=226,226,224 (truenas/middleware avahi services).
    name: 'TrueNAS _device-info model MacPro7,1@ECOLOR=226,226,224',
    vendor: 'truenas',
    match: (e) => (/^MacPro7,1@ECOLOR=226,226,224$/i.test(txtOf(e, '_device-info._tcp').model ?? '') ? {} : null),
  },
  {
    name: 'OpenMediaVault SSH banner or host',
    vendor: 'omv',
    match: (e) => (/openmediavault/i.test(e.facts.sshBanner ?? '') ? {} : null),
  },
  {
    name: 'Unraid',
    vendor: 'unraid',
    match: (e) =>
      /unraid/i.test(e.facts.sshBanner ?? '') || /^unraid/i.test(txtOf(e, '_http._tcp').vendor ?? '') ? {} : null,
  },
  {
    // A Linux file server: SSH plus SMB or NFS, or a Debian/Ubuntu SSH banner.
    name: 'Linux file server (SSH with SMB or NFS)',
    vendor: 'linux',
    match: (e) => {
      const linuxBanner = /debian|ubuntu|fedora|arch|raspbian|alpine|rocky|centos/i.test(e.facts.sshBanner ?? '');
      const fileServer =
        e.serviceTypes.has('_smb._tcp') ||
        e.serviceTypes.has('_nfs._tcp') ||
        e.serviceTypes.has('smb') ||
        e.serviceTypes.has('nfs');
      const ssh = e.serviceTypes.has('_ssh._tcp') || e.serviceTypes.has('_sftp-ssh._tcp') || e.serviceTypes.has('ssh');
      if (!linuxBanner && !(ssh && fileServer)) return null;
      const model = txtOf(e, '_device-info._tcp').model;
      return { model: model && !model.includes('@') ? model : null };
    },
  },
];

export function fingerprint(e: Evidence, rules: readonly FingerprintRule[] = fingerprintRules): Fingerprint {
  const result: Fingerprint = { vendor: 'unknown', model: null, osVersion: null };
  for (const rule of rules) {
    if (result.vendor !== 'unknown' && rule.vendor !== result.vendor) continue;
    const hit = rule.match(e);
    if (!hit) continue;
    result.vendor = rule.vendor;
    result.model ??= hit.model ?? null;
    result.osVersion ??= hit.osVersion ?? null;
  }
  result.model ??= e.facts.model ?? null;
  return result;
}
