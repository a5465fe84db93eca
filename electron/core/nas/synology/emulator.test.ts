// The DSM emulator speaks the protocol of the reference, not just what our client sends:
// cookie sessions with X-SYNO-TOKEN, quoted and bare JSON-format parameters, 101/102/103/104.
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { startSynologyEmulator, type SynologyEmulator } from '../../../../e2e/emulators/synology/server';

let emu: SynologyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ body: unknown; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu!.url}${path}`,
      { ca: emu!.tls.cert, checkServerIdentity: () => undefined, headers },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          expect(res.statusCode).toBe(200); // DSM answers API errors with HTTP 200 too
          resolve({ body: JSON.parse(text), setCookie: res.headers['set-cookie'] ?? [] });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('DSM emulator protocol', () => {
  it('cookie sessions need the SynoToken; JSON-format parameters arrive quoted or bare', async () => {
    emu = await startSynologyEmulator({ dsm: 7 });
    const login = await get(
      '/webapi/entry.cgi?api=SYNO.API.Auth&version=7&method=login&account=admin&passwd=admin-pass&format=cookie&enable_syno_token=yes',
    );
    const data = (login.body as { data: { sid: string; synotoken: string } }).data;
    expect(login.setCookie[0]).toMatch(new RegExp(`^id=${data.sid};`));
    const cookie = { Cookie: `id=${data.sid}` };
    const path = '/webapi/entry.cgi?api=SYNO.Core.FileServ.NFS.SharePrivilege&version=1&method=load';
    expect((await get(`${path}&share_name=%22media%22`, cookie)).body).toEqual({
      error: { code: 119 },
      success: false,
    });
    const withToken = { ...cookie, 'X-SYNO-TOKEN': data.synotoken };
    const quoted = await get(`${path}&share_name=%22media%22`, withToken);
    const bare = await get(`${path}&share_name=media`, withToken);
    expect(quoted.body).toMatchObject({ success: true, data: { share_name: 'media' } });
    expect(bare.body).toEqual(quoted.body);
    // The token also works as a parameter (PYSYNO style).
    expect((await get(`${path}&share_name=media&SynoToken=${data.synotoken}`, cookie)).body).toEqual(quoted.body);
  });

  it('answers 101/102/103/104 for a missing parameter, unknown API, unknown method, bad version', async () => {
    emu = await startSynologyEmulator({ dsm: 6 });
    const err = async (q: string) =>
      ((await get(`/webapi/entry.cgi?${q}`)).body as { error: { code: number } }).error.code;
    expect(await err('api=SYNO.DSM.Info&method=getinfo')).toBe(101);
    expect(await err('api=SYNO.Nope&version=1&method=get')).toBe(102);
    expect(await err('api=SYNO.DSM.Info&version=2&method=nope')).toBe(103);
    expect(await err('api=SYNO.DSM.Info&version=9&method=getinfo')).toBe(104);
    // DSM 6 serves Auth on auth.cgi only, at most version 6.
    expect(await err('api=SYNO.API.Auth&version=6&method=login&account=admin&passwd=admin-pass')).toBe(102);
    const v7 = await get('/webapi/auth.cgi?api=SYNO.API.Auth&version=7&method=login&account=admin&passwd=admin-pass');
    expect(v7.body).toEqual({ error: { code: 104 }, success: false });
    // Snapshot create exists at version 1 only.
    const login = await get(
      '/webapi/auth.cgi?api=SYNO.API.Auth&version=6&method=login&account=admin&passwd=admin-pass',
    );
    const sid = (login.body as { data: { sid: string } }).data.sid;
    expect(await err(`api=SYNO.Core.Share.Snapshot&version=2&method=create&name=%22media%22&_sid=${sid}`)).toBe(103);
  });
});
