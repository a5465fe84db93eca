// A QNAP QTS emulator: real HTTPS on 127.0.0.1 with a self-signed certificate, speaking the CGI
// protocol of /work/shared/reference/vendor-apis.md §C — authLogin.cgi (base64 `pwd`, 2-step
// `security_code`, `remme`/`qtoken`), sessions by `sid` (`authPassed=0` once ended), XML
// `QDocRoot` documents rendered from the state (CDATA mixed with bare text, one element or many),
// File Station JSON. Error paths and hostile replies are switches; every request is recorded.
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { certFingerprint } from '../../../electron/core/remote/tls';
import { selfSigned } from '../../support/self-signed';
import { defaultQnapState, type QnapState } from './state';

export type HostileMode = 'truncated' | 'wrong-types' | 'huge' | 'html' | 'http-500' | 'stall' | 'doctype' | 'not-xml';

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Query and form fields together, as the NAS sees them. */
  params: Record<string, string>;
}

interface Session {
  user: string;
  admin: boolean;
  requests: number;
}

const cdata = (v: string | number) => `<![CDATA[${String(v).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const esc = (v: string | number) =>
  String(v).replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n';
const doc = (inner: string) => `${XML_HEAD}<QDocRoot version="1.0">\n${inner}</QDocRoot>\n`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Human capacity in binary units, as QTS prints it ("10.91 TB"). */
function capacity(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

export class QnapEmulator {
  readonly received: ReceivedRequest[] = [];
  /** Makes data endpoints (not login/logout) misbehave. */
  hostile: HostileMode | null = null;
  /** Whether `hostile` also hits authLogin.cgi (a proxy or a broken firmware answering every URL). */
  hostileLogin = false;
  /** A session ends after this many data requests (null: never); 0 ends every session at once. */
  sessionRequestLimit: number | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly qtokens = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  certSha256 = '';
  port = 0;

  private constructor(public state: QnapState) {}

  static async start(state: QnapState = defaultQnapState()): Promise<QnapEmulator> {
    const emu = new QnapEmulator(state);
    const { key, cert } = selfSigned('qnap.local');
    emu.certSha256 = certFingerprint(new X509Certificate(cert).raw);
    emu.server = createServer({ key, cert }, (req, res) => void emu.handle(req, res));
    emu.server.on('secureConnection', (socket: Socket) => {
      emu.sockets.add(socket);
      socket.on('close', () => emu.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => emu.server.listen(0, '127.0.0.1', resolve));
    emu.port = (emu.server.address() as AddressInfo).port;
    return emu;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The NAS ends every session (reboot, idle timeout): the next call gets `authPassed=0`. */
  expireSessions(): void {
    this.sessions.clear();
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** A new certificate (the NAS was reset or someone is in the middle): new connections see it. */
  replaceCertificate(): void {
    const { key, cert } = selfSigned('qnap.local');
    this.certSha256 = certFingerprint(new X509Certificate(cert).raw);
    this.server.setSecureContext({ key, cert });
    for (const s of this.sockets) s.destroy();
  }

  logins(): ReceivedRequest[] {
    return this.received.filter((r) => r.path === '/cgi-bin/authLogin.cgi');
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'https://nas');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) {
        body += chunk;
        if (body.length > 1 << 20) return this.send(res, 413, 'text/html', '<html><body>413</body></html>');
      }
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    }
    this.received.push({ method: req.method ?? 'GET', path: url.pathname, params });

    switch (url.pathname) {
      case '/cgi-bin/authLogin.cgi':
        if (this.hostile && this.hostileLogin)
          return this.misbehave(res, false, url.pathname, () => this.login(params));
        return this.sendXml(res, this.login(params));
      case '/cgi-bin/authLogout.cgi':
        this.sessions.delete(params.sid ?? '');
        return this.sendXml(res, doc(`<authPassed>${cdata(0)}</authPassed>`));
    }

    const route = this.routes[url.pathname];
    if (!route) return this.send(res, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>');
    const sid = params.sid ?? '';
    const session = this.sessions.get(sid);
    if (session && this.sessionRequestLimit !== null && session.requests++ >= this.sessionRequestLimit)
      this.sessions.delete(sid);
    if (!session || !this.sessions.has(sid) || (!session.admin && route.admin)) {
      return route.json
        ? this.send(res, 200, 'application/json', JSON.stringify({ status: 17 }))
        : this.sendXml(res, doc(`<authPassed>${cdata(0)}</authPassed>`));
    }
    if (this.hostile) return this.misbehave(res, route.json ?? false, url.pathname, () => route.render(params));
    const body = route.render(params);
    return route.json ? this.send(res, 200, 'application/json', body) : this.sendXml(res, body);
  }

  private send(res: ServerResponse, status: number, type: string, body: string) {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  }

  private sendXml(res: ServerResponse, body: string) {
    this.send(res, 200, 'text/xml', body);
  }

  private login(p: Record<string, string>): string {
    const fail = (extra = `<errorValue>${cdata(-1)}</errorValue>`) =>
      doc(`<authPassed>${cdata(0)}</authPassed>${extra}`);
    // Without credentials QTS answers its basic info: model and firmware (QCINDER `get_basic_info`).
    if (p.user === undefined) return doc(`${this.header().replace(cdata(1), cdata(0))}`);
    const user = this.state.users[p.user];
    if (!user) return fail();
    const byToken = p.qtoken !== undefined && this.qtokens.get(p.qtoken) === p.user;
    if (!byToken) {
      // QTS compares the base64 ("ezEncode") form: a raw password is refused.
      if (p.pwd !== b64(user.password)) return fail();
      if (user.passwordExpired) return fail(`<pw_status>${cdata(1)}</pw_status>`);
      if (user.twoStepCode !== undefined && p.security_code !== user.twoStepCode)
        return fail(`<need_2sv>${cdata(1)}</need_2sv><lost_phone>${cdata(2)}</lost_phone>`);
    }
    const sid = randomBytes(6).toString('hex');
    this.sessions.set(sid, { user: p.user, admin: user.admin, requests: 0 });
    let qtoken = '';
    if (p.remme === '1') {
      qtoken = byToken ? p.qtoken! : randomBytes(16).toString('hex');
      this.qtokens.set(qtoken, p.user);
    }
    return doc(
      `<doQuick>${cdata('')}</doQuick><is_booting>${cdata(0)}</is_booting><mediaReady>${cdata(1)}</mediaReady>` +
        `<shutdown_info><type>${cdata(-1)}</type><timestamp>${cdata(0)}</timestamp><duration>${cdata(0)}</duration></shutdown_info>\n` +
        `<SMBFW>${cdata(1)}</SMBFW><hero_model>${cdata(this.state.isZfs ? 1 : 0)}</hero_model><qts_mode_type>${cdata(0)}</qts_mode_type>` +
        `<authPassed>${cdata(1)}</authPassed><authSid>${cdata(sid)}</authSid><pw_status>${cdata(0)}</pw_status>` +
        `<isAdmin>${cdata(user.admin ? 1 : 0)}</isAdmin><username>${cdata(p.user)}</username>` +
        `<groupname>${cdata(user.admin ? 'administrators' : 'everyone')}</groupname><ts>${cdata(73096820)}</ts>` +
        (qtoken ? `<qtoken>${cdata(qtoken)}</qtoken>` : '') +
        `<fwNotice>${cdata(0)}</fwNotice><SUID>${cdata('1bc35f0d0d904969cfa976f72010f3cd')}</SUID>` +
        `<cuid>${cdata('137c605b51b297d143dec7aa2d0346ed')}</cuid>\n`,
    );
  }

  /** The model/firmware header every QTS CGI document starts with. */
  private header(): string {
    const s = this.state;
    return (
      `<authPassed>${cdata(1)}</authPassed><model><modelName>${cdata(s.modelName)}</modelName>` +
      `<internalModelName>${cdata(s.modelName)}</internalModelName><platform>${cdata(s.platform)}</platform>` +
      `<displayModelName>${cdata(s.displayModelName)}</displayModelName><storage_v2>1</storage_v2>` +
      `<is_zfs>${cdata(s.isZfs ? 1 : 0)}</is_zfs></model>\n` +
      `<firmware><name>${cdata(s.isZfs ? 'QuTS hero' : 'QTS')}</name><version>${cdata(s.firmware.version)}</version>` +
      `<number>${cdata(s.firmware.number)}</number><build>${cdata(s.firmware.build)}</build><patch>${cdata(0)}</patch>` +
      `<buildTime>${cdata(s.firmware.buildTime)}</buildTime></firmware>\n` +
      `<specVersion>${cdata('1.0')}</specVersion><hostname>${cdata(s.hostname)}</hostname>\n`
    );
  }

  private readonly routes: Record<
    string,
    { admin: boolean; json?: boolean; render: (p: Record<string, string>) => string }
  > = {
    '/cgi-bin/management/manaRequest.cgi': { admin: false, render: (p) => this.sysinfo(p) },
    '/cgi-bin/management/chartReq.cgi': { admin: true, render: (p) => this.chart(p) },
    '/cgi-bin/disk/qsmart.cgi': { admin: true, render: (p) => this.smart(p) },
    '/cgi-bin/filemanager/utilRequest.cgi': { admin: false, json: true, render: (p) => this.fileStation(p) },
  };

  private sysinfo(p: Record<string, string>): string {
    const s = this.state;
    if (p.subfunc !== 'sysinfo') return doc(`${this.header()}<result>-1</result>`);
    if (p.sysHealth === '1')
      return doc(
        `${this.header()}<func><name>${cdata('S_MENU_40')}</name><ownContent><sysHealth><status>${cdata(s.health)}</status></sysHealth></ownContent></func>`,
      );
    const up = s.uptimeSeconds;
    return doc(
      `${this.header()}<func><name>${cdata('S_MENU_40')}</name><ownContent><root>\n` +
        `<timezone>${cdata('(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna')}</timezone><cpu_usage>${cdata('1.7 %')}</cpu_usage>` +
        `<cpu_model>${cdata(s.cpuModel)}</cpu_model><total_memory>${cdata(s.memory.totalMb.toFixed(1))}</total_memory>` +
        `<free_memory>${cdata(s.memory.freeMb.toFixed(1))}</free_memory><nic_cnt>${cdata(1)}</nic_cnt>` +
        `<ifname1>eth0</ifname1>\n<dname1>Adapter 1</dname1>\n<eth_status1>1</eth_status1>\n<eth_ip1>127.0.0.1</eth_ip1>\n` +
        `<eth_mac1>24:5e:be:20:fa:ee</eth_mac1>\n<eth_usage1>DHCP</eth_usage1>\n` +
        `<dnsInfo><DNS_LIST>${cdata('127.0.0.53')}</DNS_LIST></dnsInfo>\n` +
        `<uptime_day>${cdata(Math.floor(up / 86400))}</uptime_day><uptime_hour>${cdata(Math.floor(up / 3600) % 24)}</uptime_hour>` +
        `<uptime_min>${cdata(Math.floor(up / 60) % 60)}</uptime_min><uptime_sec>${cdata(up % 60)}</uptime_sec>` +
        s.bays
          .map(
            (b) =>
              `<disk_installed${b.bay}>${b.model ? 1 : 0}</disk_installed${b.bay}>\n<tempc${b.bay}>${b.model ? b.tempC : 0}</tempc${b.bay}>\n`,
          )
          .join('') +
        `<HDTempWarnT>${cdata(s.hdTempWarnC)}</HDTempWarnT><HDTempErrT>${cdata(s.hdTempWarnC + 5)}</HDTempErrT>` +
        `<sys_tempc>${s.sysTempC}</sys_tempc>\n<sys_tempf>${Math.round((s.sysTempC * 9) / 5 + 32)}</sys_tempf>\n` +
        `<sysfan_count>1</sysfan_count>\n<sysfan1>660</sysfan1>\n<sysfan1_stat>0</sysfan1_stat>\n` +
        `<serial_number>${esc(s.serial)}</serial_number>\n<server_name>${cdata(s.hostname)}</server_name>` +
        `</root>\n</ownContent>\n</func>\n`,
    );
  }

  private chart(p: Record<string, string>): string {
    if (p.chart_func !== 'disk_usage') return doc(`${this.header()}<result>-1</result>`);
    const vols = this.state.volumes;
    const volumeList = vols
      .map(
        (v) =>
          `<volume><volumeStat>${cdata(v.raid)}</volumeStat><volumeDisks>${cdata(` ${v.bays.join(',')}`)}</volumeDisks>` +
          `<volumeStatus>${cdata(v.status)}</volumeStatus><Progress>${cdata(v.progress)}</Progress>` +
          `<volumeValue>${cdata(v.id)}</volumeValue><freeSize>${cdata(Math.round(v.freeBytes / 1024 ** 3))}</freeSize>` +
          `<fstype>${cdata(9)}</fstype><volumeLabel>${cdata(v.label)}</volumeLabel>` +
          `<FolderCounter>${cdata(v.folders.length)}</FolderCounter><is_default_volume>${cdata(v.id === vols[0]?.id ? 1 : 0)}</is_default_volume></volume>\n`,
      )
      .join('');
    const useList = this.state.omitVolumeUse
      ? ''
      : vols
          .map(
            (v) =>
              `<volumeUse><volumeValue>${cdata(v.id)}</volumeValue><total_size>${cdata(v.totalBytes)}</total_size>` +
              `<free_size>${cdata(v.freeBytes)}</free_size>` +
              (v.folders.length === 0 ? '<folder_element></folder_element>\n' : '') +
              v.folders
                .map(
                  (f) =>
                    `<folder_element><sharename>${cdata(f.name)}</sharename><used_size>${cdata(f.usedBytes)}</used_size>` +
                    (f.system ? `<type>${cdata('system')}</type>` : '') +
                    '</folder_element>\n',
                )
                .join('') +
              `<others_size>${cdata(0)}</others_size><found_quota>${cdata(0)}</found_quota></volumeUse>\n`,
          )
          .join('');
    return doc(`${this.header()}<volumeList>${volumeList}</volumeList>\n<volumeUseList>${useList}</volumeUseList>\n`);
  }

  private smart(p: Record<string, string>): string {
    if (p.func !== 'all_hd_data') return doc(`${this.header()}<result>-1</result>`);
    const entries = this.state.bays
      .map(
        (b) =>
          `<entry><Disk_Alias>${cdata(`Disk ${b.bay}`)}</Disk_Alias>` +
          `<module_temperature><oC>${cdata(32763)}</oC><oF>${cdata(227)}</oF></module_temperature>` +
          `<Disk_Status>${cdata(b.model ? 0 : -5)}</Disk_Status><HDNo>${cdata(`0:${b.bay}`)}</HDNo>` +
          `<Vendor>${cdata(b.vendor)}</Vendor><Health>${cdata(b.health)}</Health>` +
          `<Capacity>${cdata(b.model ? capacity(b.capacityBytes) : '')}</Capacity>` +
          `<Temperature><oC>${cdata(b.model ? b.tempC : '')}</oC><oF>${cdata(b.model ? Math.round((b.tempC * 9) / 5 + 32) : '')}</oF></Temperature>` +
          `<Model>${cdata(b.model)}</Model><Serial>${cdata(b.serial)}</Serial><FirmVersion>${cdata(b.firmware)}</FirmVersion>` +
          `<hd_is_ssd>${cdata(b.ssd ? 1 : 0)}</hd_is_ssd></entry>\n`,
      )
      .join('');
    return doc(`${this.header()}<Disk_Info>${entries}</Disk_Info>\n`);
  }

  private fileStation(p: Record<string, string>): string {
    if (p.func !== 'get_tree' || p.node !== 'share_root') return JSON.stringify({ status: 0 });
    return JSON.stringify(
      this.state.shares.map((s) => ({
        id: `/${s.name}`,
        cls: s.writable ? 'w' : 'r',
        text: s.name,
        no_setup: 0,
        is_cached: 0,
        draggable: 0,
        iconCls: 'folder',
        recycle_bin: 'enable',
        recycle_folder: 'yes',
        max_item_limit: 2000,
        real_total: 2,
      })),
    );
  }

  /** Hostile replies: what a broken firmware, a proxy or an attacker in the middle could send. */
  private misbehave(res: ServerResponse, json: boolean, path: string, render: () => string) {
    switch (this.hostile) {
      case 'stall':
        return; // never answers; the socket is destroyed on stop()
      case 'html':
        return this.send(
          res,
          200,
          'text/html',
          '<!DOCTYPE html><html><head><title>QTS</title></head><body><h1>Please sign in</h1></body></html>',
        );
      case 'http-500':
        return this.send(res, 500, 'text/html', '<html><body><h1>500 Internal Server Error</h1></body></html>');
      case 'not-xml':
        return this.send(res, 200, 'text/plain', 'Service Unavailable');
      case 'doctype':
        return this.sendXml(
          res,
          `${XML_HEAD}<!DOCTYPE QDocRoot [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><QDocRoot><authPassed>1</authPassed><hostname>&c;&c;&c;</hostname></QDocRoot>`,
        );
      case 'truncated': {
        const body = render();
        return this.send(res, 200, json ? 'application/json' : 'text/xml', body.slice(0, Math.floor(body.length / 2)));
      }
      case 'wrong-types':
        return json
          ? this.send(res, 200, 'application/json', JSON.stringify({ status: 1, datas: 'Public' }))
          : this.sendXml(res, this.wrongTypes(path));
      case 'huge': {
        res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'text/xml' });
        res.write(json ? '[' : `${XML_HEAD}<QDocRoot version="1.0"><authPassed>1</authPassed><hostname>`);
        const chunk = 'A'.repeat(64 * 1024);
        let left = 400; // 25 MiB, written as the client reads
        const pump = () => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end(json ? ']' : '</hostname></QDocRoot>');
        };
        res.on('error', () => undefined);
        return pump();
      }
    }
  }

  /** The documented tags with the wrong kind of content. */
  private wrongTypes(path: string): string {
    switch (path) {
      case '/cgi-bin/management/manaRequest.cgi':
        return doc(`${this.header()}<func>${cdata('S_MENU_40')}</func>`);
      case '/cgi-bin/management/chartReq.cgi':
        return doc(
          `${this.header()}<volumeList><volume><volumeValue>1</volumeValue><volumeStatus>0</volumeStatus></volume></volumeList>` +
            `<volumeUseList><volumeUse><volumeValue>1</volumeValue><total_size>${cdata('lots')}</total_size></volumeUse></volumeUseList>`,
        );
      default:
        return doc(`${this.header()}<Disk_Info><entry>${cdata('Disk 1')}</entry></Disk_Info>`);
    }
  }
}
