import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintRules, type Evidence } from './fingerprint';

const evidence = (e: Partial<Evidence> & { types?: string[] }): Evidence => ({
  serviceTypes: new Set(e.types ?? Object.keys(e.txt ?? {})),
  txt: e.txt ?? {},
  facts: e.facts ?? {},
});
const rule = (name: string) => {
  const r = fingerprintRules.find((x) => x.name.startsWith(name));
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};

// The DS218+ record from a real DSM 6.2 box (vendor-apis.md A.9, MDNSFIX).
const ds218 = {
  vendor: 'Synology',
  model: 'DS218+',
  serial: '17A0PCN482002',
  version_major: '6',
  version_minor: '2',
  version_build: '25556',
  admin_port: '5000',
  secure_admin_port: '5001',
  mac_address: '00:11:32:80:fd:b5',
};

describe('fingerprint rules, one by one', () => {
  it('Synology _http._tcp TXT', () => {
    const e = evidence({ txt: { '_http._tcp': ds218 }, types: ['_http._tcp', '_smb._tcp'] });
    expect(rule('Synology _http').match(e)).toEqual({ model: 'DS218+', osVersion: 'DSM 6.2-25556' });
    expect(rule('Synology _http').match(evidence({ txt: { '_http._tcp': { vendor: 'nginx' } } }))).toBeNull();
    expect(fingerprint(e)).toEqual({ vendor: 'synology', model: 'DS218+', osVersion: 'DSM 6.2-25556' });
  });

  it('Synology finder facts', () => {
    const e = evidence({ facts: { vendor: 'synology', model: 'DS1821+', osVersion: '7.3.2' } });
    expect(fingerprint(e)).toEqual({ vendor: 'synology', model: 'DS1821+', osVersion: '7.3.2' });
  });

  it('QNAP _qdiscover._tcp', () => {
    const e = evidence({
      txt: { '_qdiscover._tcp': { model: 'TS-X77U', displaymodel: 'TS-1677XU-RP', fwver: '5.1.0' } },
    });
    expect(fingerprint(e)).toEqual({ vendor: 'qnap', model: 'TS-1677XU-RP', osVersion: 'QTS 5.1.0' });
  });

  it('TrueNAS _device-info model', () => {
    const e = evidence({
      txt: { '_device-info._tcp': { model: 'MacPro7,1@ECOLOR=226,226,224' } },
      types: ['_device-info._tcp', '_http._tcp', '_smb._tcp'],
    });
    expect(fingerprint(e)).toEqual({ vendor: 'truenas', model: null, osVersion: null });
  });

  it('TrueNAS web API read', () => {
    expect(fingerprint(evidence({ facts: { httpVendor: 'truenas', httpOsVersion: 'TrueNAS 25.10' } }))).toEqual({
      vendor: 'truenas',
      model: null,
      osVersion: 'TrueNAS 25.10',
    });
    // with the mDNS _device-info evidence too: the web API adds the version
    const both = evidence({
      txt: { '_device-info._tcp': { model: 'MacPro7,1@ECOLOR=226,226,224' } },
      facts: { httpVendor: 'truenas', httpOsVersion: 'TrueNAS 25.04' },
    });
    expect(fingerprint(both)).toEqual({ vendor: 'truenas', model: null, osVersion: 'TrueNAS 25.04' });
  });

  it('Synology DSM web API read; the precise mDNS TXT values win over it', () => {
    const http = { httpVendor: 'synology', httpOsVersion: 'DSM 7' };
    expect(rule('Synology DSM web API').match(evidence({ facts: http }))).toEqual({ model: null, osVersion: 'DSM 7' });
    expect(rule('Synology DSM web API').match(evidence({ facts: { httpVendor: 'qnap' } }))).toBeNull();
    expect(fingerprint(evidence({ facts: http }))).toEqual({ vendor: 'synology', model: null, osVersion: 'DSM 7' });
    const withTxt = evidence({ txt: { '_http._tcp': ds218 }, facts: http });
    expect(fingerprint(withTxt)).toEqual({ vendor: 'synology', model: 'DS218+', osVersion: 'DSM 6.2-25556' });
  });

  it('QNAP QTS web API read', () => {
    const facts = { httpVendor: 'qnap', httpModel: 'TS-1677XU-RP', httpOsVersion: 'QTS 4.5.2 (20210302)' };
    expect(fingerprint(evidence({ facts }))).toEqual({
      vendor: 'qnap',
      model: 'TS-1677XU-RP',
      osVersion: 'QTS 4.5.2 (20210302)',
    });
    // a web server answering on 8080 is not enough: only a QTS answer names QNAP
    expect(fingerprint(evidence({ types: ['http'] })).vendor).toBe('unknown');
  });

  it('Linux: SSH plus SMB or NFS, device-info model kept', () => {
    const e = evidence({
      types: ['_ssh._tcp', '_smb._tcp', '_device-info._tcp'],
      txt: { '_device-info._tcp': { model: 'RackMac' } },
    });
    expect(fingerprint(e)).toEqual({ vendor: 'linux', model: 'RackMac', osVersion: null });
    expect(fingerprint(evidence({ facts: { sshBanner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' } })).vendor).toBe(
      'linux',
    );
    expect(fingerprint(evidence({ types: ['_smb._tcp'] })).vendor).toBe('unknown');
  });

  it('OpenMediaVault and Unraid', () => {
    expect(fingerprint(evidence({ facts: { sshBanner: 'SSH-2.0-OpenSSH_9.2 openmediavault' } })).vendor).toBe('omv');
    expect(fingerprint(evidence({ txt: { '_http._tcp': { vendor: 'Unraid' } } })).vendor).toBe('unraid');
  });

  it('a WS-Discovery computer alone is not enough to name a vendor (Windows and Samba both say pub:Computer)', () => {
    expect(fingerprint(evidence({ facts: { wsdTypes: 'wsdp:Device pub:Computer' } })).vendor).toBe('unknown');
  });

  it('a specific vendor wins over the generic Linux rule', () => {
    const e = evidence({ txt: { '_http._tcp': ds218 }, types: ['_http._tcp', '_ssh._tcp', '_smb._tcp'] });
    expect(fingerprint(e).vendor).toBe('synology');
  });
});
