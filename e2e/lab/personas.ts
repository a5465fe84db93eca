// What each NAS advertises over mDNS (avahi static service files).
// TXT records follow what the real devices send (see shared/reference/vendor-apis.md §A mDNS, §B.5, anchors.md):
//  - Synology DSM: _http._tcp :5000 with vendor/model/serial/version_*/admin_port/secure_admin_port/mac_address
//  - TrueNAS: _http._tcp with NO vendor TXT, _device-info._tcp model=MacPro7,1@ECOLOR=226,226,224, _adisk sys=adVF=0x100
//  - QNAP: _qdiscover._tcp with accessType/accessPort/model/displayModel/fwVer/fwBuildNum, _workstation "name [mac]"
//  - linux (default): a plain Linux box, _http._tcp :80 path=/ (e.g. a web console)
import type { NasNaming, Persona, Service } from './config';

export interface AvahiService {
  /** instance name; "%h" = host name */
  name: string;
  type: string;
  port: number;
  txt: string[];
}

export interface PersonaInfo {
  vendor: string;
  model: string;
  serial: string;
  services: AvahiService[];
}

export function personaServices(persona: Persona, nas: NasNaming, services: readonly Service[]): PersonaInfo {
  const has = (s: Service) => services.includes(s);
  const serial = `LAB${nas.mac.replace(/:/g, '').slice(-8).toUpperCase()}`;
  const common: AvahiService[] = [];
  if (has('smb')) common.push({ name: '%h', type: '_smb._tcp', port: 445, txt: [] });
  if (has('nfs')) common.push({ name: '%h', type: '_nfs._tcp', port: 2049, txt: ['path=/export'] });
  if (has('ssh')) common.push({ name: '%h', type: '_ssh._tcp', port: 22, txt: [] });
  const adisk = (sys: string): AvahiService => ({
    name: '%h',
    type: '_adisk._tcp',
    port: 9,
    txt: [sys, 'dk0=adVN=TimeMachine,adVF=0x82'],
  });

  switch (persona) {
    case 'synology':
      return {
        vendor: 'Synology',
        model: 'DS920+',
        serial,
        services: [
          ...common,
          {
            name: '%h',
            type: '_http._tcp',
            port: 5000,
            txt: [
              'vendor=Synology',
              'model=DS920+',
              `serial=${serial}`,
              'version_major=7',
              'version_minor=2',
              'version_build=64570',
              'admin_port=5000',
              'secure_admin_port=5001',
              `mac_address=${nas.mac}`,
            ],
          },
          { name: '%h', type: '_device-info._tcp', port: 0, txt: ['model=DS920+'] },
          adisk('sys=waMa=0,adVF=0x100'),
        ],
      };
    case 'truenas':
      return {
        vendor: 'TrueNAS',
        model: 'TrueNAS-SCALE',
        serial,
        services: [
          ...common,
          // TrueNAS sends no vendor TXT on _http._tcp
          { name: '%h', type: '_http._tcp', port: 80, txt: [] },
          { name: '%h', type: '_device-info._tcp', port: 0, txt: ['model=MacPro7,1@ECOLOR=226,226,224'] },
          adisk('sys=adVF=0x100'),
        ],
      };
    case 'qnap':
      return {
        vendor: 'QNAP',
        model: 'TS-464C',
        serial,
        services: [
          ...common,
          {
            name: '%h',
            type: '_qdiscover._tcp',
            port: 8080,
            txt: [
              'accessType=http',
              'accessPort=8080',
              'model=TS-X64',
              'displayModel=TS-464C',
              'fwVer=5.2.9',
              'fwBuildNum=20260214',
            ],
          },
          { name: '%h', type: '_http._tcp', port: 8080, txt: ['path=/'] },
          { name: `%h [${nas.mac}]`, type: '_workstation._tcp', port: 9, txt: [] },
          { name: '%h(AFP)', type: '_device-info._tcp', port: 0, txt: ['model=Xserve'] },
        ],
      };
    case 'linux':
    default:
      return {
        vendor: 'Linux',
        model: 'Debian 12',
        serial,
        services: [
          ...common,
          { name: '%h', type: '_http._tcp', port: 80, txt: ['path=/'] },
          { name: '%h', type: '_device-info._tcp', port: 0, txt: ['model=Linux'] },
          adisk('sys=waMa=0,adVF=0x100'),
        ],
      };
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function avahiServiceXml(svc: AvahiService): string {
  const wild = svc.name.includes('%h') ? ' replace-wildcards="yes"' : '';
  return [
    '<?xml version="1.0" standalone="no"?>',
    '<!DOCTYPE service-group SYSTEM "avahi-service.dtd">',
    '<service-group>',
    `  <name${wild}>${esc(svc.name)}</name>`,
    '  <service>',
    `    <type>${esc(svc.type)}</type>`,
    `    <port>${svc.port}</port>`,
    ...svc.txt.map((t) => `    <txt-record>${esc(t)}</txt-record>`),
    '  </service>',
    '</service-group>',
    '',
  ].join('\n');
}

/** What the findhostd stand-in (probes/syno-findhostd.ts) of a synology-persona NAS answers,
 * consistent with its mDNS TXT (DS920+, DSM 7.2-64570, the same serial and MAC). */
export interface SynologyFinderConfig {
  hostname: string;
  ip: string;
  netmask: string;
  mac: string;
  model: string;
  serial: string;
  version: string;
  build: number;
  http: number;
  https: number;
  platform: string;
}

export function synologyFinderConfig(nas: NasNaming): SynologyFinderConfig {
  const p = personaServices('synology', nas, []);
  return {
    hostname: nas.hostname,
    ip: nas.address,
    netmask: '255.255.255.0',
    mac: nas.mac,
    model: p.model,
    serial: p.serial,
    version: '7.2',
    build: 64570,
    http: 5000,
    https: 5001,
    platform: 'geminilake',
  };
}

/** What the vendor web API stand-in (probes/vendor-web.ts) of a NAS answers without a login, on the
 * port its persona advertises over mDNS: the documented unauthenticated pages (vendor-apis.md §A.2
 * SYNO.API.Info, §B.3 /api/versions, §C.7.1 + §C.3 QTS authLogin.cgi), consistent with the persona's
 * TXT records (same model and firmware). Everything else is a 404. None for linux. */
export interface VendorWebConfig {
  port: number;
  routes: Record<string, { type: string; body: string }>;
}

export function vendorWebConfig(persona: Persona): VendorWebConfig | undefined {
  const jsonRoute = (v: unknown) => ({ type: 'application/json', body: JSON.stringify(v) });
  switch (persona) {
    case 'synology':
      return {
        port: 5000,
        routes: {
          '/webapi/query.cgi?api=SYNO.API.Info&version=1&method=query&query=SYNO.API.Auth': jsonRoute({
            success: true,
            data: { 'SYNO.API.Auth': { maxVersion: 7, minVersion: 1, path: 'entry.cgi' } },
          }),
        },
      };
    case 'truenas':
      return { port: 80, routes: { '/api/versions': jsonRoute(['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0']) } };
    case 'qnap':
      return {
        port: 8080,
        routes: {
          '/cgi-bin/authLogin.cgi': {
            type: 'text/xml',
            body:
              '<?xml version="1.0" encoding="UTF-8" ?>\n<QDocRoot version="1.0"><model><modelName><![CDATA[TS-X64]]></modelName>' +
              '<displayModelName><![CDATA[TS-464C]]></displayModelName><is_zfs><![CDATA[0]]></is_zfs></model>' +
              '<firmware><name>QTS</name><version>5.2.9</version><build>20260214</build></firmware>' +
              '<authPassed><![CDATA[0]]></authPassed><errorValue><![CDATA[-1]]></errorValue></QDocRoot>',
          },
        },
      };
    default:
      return undefined;
  }
}
