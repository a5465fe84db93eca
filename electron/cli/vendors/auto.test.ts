// `nasdeck device add URL` without --vendor: the vendor is read from the page its web API answers
// without a login, then the add goes through that vendor's driver (certificate pin, login).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QnapEmulator } from '../../../e2e/emulators/qnap/server';
import { startSynologyEmulator, type SynologyEmulator } from '../../../e2e/emulators/synology/server';
import { TrueNasEmulator } from '../../../e2e/emulators/truenas/server';
import { cliHarness } from '../test-harness';

let synology: SynologyEmulator;
let truenas: TrueNasEmulator;
let qnap: QnapEmulator;

beforeAll(async () => {
  [synology, truenas, qnap] = await Promise.all([
    startSynologyEmulator({ dsm: 7 }),
    TrueNasEmulator.start({ release: '25.04' }),
    QnapEmulator.start(),
  ]);
});
afterAll(() => Promise.all([synology.close(), truenas.close(), qnap.stop()]));

describe('device add with --vendor auto', () => {
  const cases = () => [
    { vendor: 'synology', url: `https://127.0.0.1:${synology.port}`, password: 'admin-pass' },
    { vendor: 'truenas', url: truenas.url, password: 'admin-pass' },
    { vendor: 'qnap', url: qnap.url, password: 'correct horse' },
  ];

  it('names each vendor from its unauthenticated web page and signs in through its API', async () => {
    for (const { vendor, url, password } of cases()) {
      const { run } = await cliHarness('nasdeck-auto-');
      const added = await run(
        ['device', 'add', url, '--user', 'admin', '--password-stdin', '--accept-new-cert', '--json'],
        `${password}\n`,
      );
      expect({ vendor, code: added.code, err: added.err }).toEqual({ vendor, code: 0, err: '' });
      const device = JSON.parse(added.out);
      expect(device.vendor).toBe(vendor);
      expect(device.access.certSha256).toMatch(/^SHA256:/);
      expect(device.model).toEqual(expect.any(String));
    }
  });

  it('a wrong password still fails as an authentication error for the detected vendor', async () => {
    const { run } = await cliHarness('nasdeck-auto-');
    const added = await run(
      [
        'device',
        'add',
        `https://127.0.0.1:${synology.port}`,
        '--user',
        'admin',
        '--password-stdin',
        '--accept-new-cert',
        '--json',
      ],
      'wrong\n',
    );
    expect(added.code).toBe(4);
    expect(JSON.parse(added.err).error.code).toBe('AUTH_FAILED');
  });
});
