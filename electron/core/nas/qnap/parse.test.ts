import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseCapacity,
  parseDisks,
  parseShareTree,
  parseSysHealth,
  parseSysinfo,
  parseVolumes,
  smartState,
  volumeHealth,
} from './parse';
import { parseQDoc, QDoc } from './xml';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const qdoc = (name: string) => new QDoc(parseQDoc(fixture(name), name), name);

describe('QTS parsers on captured responses', () => {
  it('reads model, firmware, host name and uptime from sysinfo (QTS 5.2.6)', () => {
    expect(parseSysinfo(qdoc('sysinfo-TS-328-5.2.6.xml'))).toEqual({
      hostname: 'REDACTED',
      os: 'QTS 5.2.6',
      osName: 'QTS',
      kernel: null,
      uptimeSeconds: 6 * 3600 + 15 * 60 + 13,
      model: 'TS-328',
      firmware: '5.2.6 (build 20250715)',
      serial: 'REDACTED',
      diskTempWarnC: 55,
    });
  });

  it('reads the system health word', () => {
    expect(parseSysHealth(qdoc('syshealth-TS-451-4.2.2.xml'))).toBe('good');
  });

  it('reads a login reply: session id and admin flag in CDATA', () => {
    const root = parseQDoc(fixture('login-TS-1677XU-RP-4.5.2.xml'), 'authLogin.cgi');
    expect(root).toMatchObject({ authPassed: '1', authSid: '12345', isAdmin: '1', username: 'admin' });
  });

  it('reads volumes with sizes in bytes, members by bay and per-share usage; skips system folders', () => {
    const disks = parseDisks(qdoc('qsmart-vendor-apis-C.7.3.xml'));
    const [vol, ...rest] = parseVolumes(qdoc('volumes-TS-451-4.2.2.xml'), disks);
    expect(rest).toEqual([]);
    expect(vol).toMatchObject({
      id: '1',
      name: 'DataVol1',
      kind: 'vendor',
      raidLevel: 'raid5',
      state: 'healthy',
      rawState: 'ready',
      sizeBytes: 5934928510976,
      usedBytes: 5934928510976 - 865955594240,
    });
    // Bay 3 is the captured disk (OK); bays 1 and 2 are not in the capture, so they count as missing.
    expect(vol!.devices).toEqual([
      { name: 'Disk 1', state: 'failed' },
      { name: 'Disk 2', state: 'failed' },
      { name: 'Disk 3', state: 'healthy' },
    ]);
    expect(vol!.shares.map((s) => s.name)).toContain('Shared');
    expect(vol!.shares.map((s) => s.name)).not.toContain('System Reserved');
    expect(vol!.shares.find((s) => s.name === 'Shared')!.usedBytes).toBe(4770844930048);
  });

  it('keeps volumes when volumeUseList is empty (sizes unknown, shown as 0)', () => {
    const vols = parseVolumes(qdoc('volumes-TS-1677XU-RP-4.5.2.xml'), []);
    expect(vols.map((v) => [v.name, v.raidLevel, v.state, v.sizeBytes])).toEqual([
      ['V_DataVolUsers', 'mirror', 'healthy', 0],
      ['V_DataVol_Xray', 'mirror', 'healthy', 0],
    ]);
  });

  it('reads disks: binary-unit capacity, temperature, SMART health, bay', () => {
    expect(parseDisks(qdoc('qsmart-vendor-apis-C.7.3.xml'))).toEqual([
      {
        name: 'Disk 3',
        model: 'HUH721212ALE604',
        serial: 'AAHKGNRH',
        sizeBytes: Math.round(10.91 * 1024 ** 4),
        temperatureC: 43,
        smart: 'ok',
        bay: 3,
      },
    ]);
  });

  it('reads the File Station share tree as read-only-managed SMB shares', () => {
    expect(parseShareTree(JSON.parse(fixture('shares-TS-328-5.2.6.json')), 'get_tree')).toEqual([
      { name: 'Backups', protocol: 'smb', path: '/Backups', readOnly: false, users: [], clients: [], managed: false },
      { name: 'Public', protocol: 'smb', path: '/Public', readOnly: false, users: [], clients: [], managed: false },
    ]);
  });

  it('hides system folders whose names start with @ or .', () => {
    const shares = parseShareTree(
      [
        { id: '/@Recently-Snapshot', text: '@Recently-Snapshot', cls: 'r' },
        { id: '/.qpkg', text: '.qpkg', cls: 'w' },
        { id: '/Media', text: 'Media', cls: 'r' },
      ],
      'get_tree',
    );
    expect(shares.map((s) => [s.name, s.readOnly])).toEqual([['Media', true]]);
  });
});

describe('QTS value vocabulary', () => {
  it('converts binary-unit capacities', () => {
    expect(parseCapacity('894.25 GB')).toBe(Math.round(894.25 * 1024 ** 3));
    expect(parseCapacity('10.91 TB')).toBe(Math.round(10.91 * 1024 ** 4));
    expect(parseCapacity('')).toBeNull();
    expect(parseCapacity('lots')).toBeNull();
  });

  it('maps disk health and volume status, keeping the raw word', () => {
    expect(['OK', 'Warning', 'Abnormal', '', 'Strange'].map(smartState)).toEqual([
      'ok',
      'warning',
      'failing',
      'unknown',
      'unknown',
    ]);
    expect(volumeHealth('0')).toEqual({ state: 'healthy', rawState: 'ready' });
    expect(volumeHealth('-2')).toEqual({ state: 'unknown', rawState: 'volumeStatus -2' });
  });
});

describe('QTS XML reader refuses what it cannot read', () => {
  const bad = (body: string) => () => parseQDoc(body, 'x.cgi');
  it.each([
    ['truncated', fixture('volumes-TS-451-4.2.2.xml').slice(0, 900)],
    ['HTML', '<!DOCTYPE html><html><body>Login</body></html>'],
    ['plain text', 'Service Unavailable'],
    ['empty', ''],
    ['DOCTYPE entities', '<!DOCTYPE r [<!ENTITY a "aaaa">]><QDocRoot>&a;</QDocRoot>'],
    ['another root', '<?xml version="1.0"?><Other/>'],
    ['text root', '<QDocRoot>just text</QDocRoot>'],
  ])('%s → INTERNAL with the endpoint named', (_name, body) => {
    expect(bad(body)).toThrow(
      expect.objectContaining({ code: 'INTERNAL', details: expect.objectContaining({ endpoint: 'x.cgi' }) }),
    );
  });

  it('wrong types inside a valid document are typed errors too', () => {
    const doc = (inner: string) => new QDoc(parseQDoc(`<QDocRoot>${inner}</QDocRoot>`, 'x.cgi'), 'x.cgi');
    expect(() => parseVolumes(doc('<volumeList>text</volumeList>'), [])).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
    expect(() =>
      parseVolumes(
        doc(
          '<volumeList><volume><volumeValue>1</volumeValue></volume></volumeList><volumeUseList><volumeUse><volumeValue>1</volumeValue><total_size>lots</total_size></volumeUse></volumeUseList>',
        ),
        [],
      ),
    ).toThrow(/total_size is "lots", not a number/);
    expect(() => parseDisks(doc('<Disk_Info><entry>Disk 1</entry></Disk_Info>'))).toThrow(/Disk_Info\/entry is text/);
    expect(() => parseShareTree({ status: 1 }, 'get_tree')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => parseShareTree([{ text: 5 }], 'get_tree')).toThrow(/share 0 has no name/);
  });
});
