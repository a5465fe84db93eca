// The nasdeck CLI against the lab NAS, as a user runs it: host-key confirmation on add, the
// password through stdin into a real keychain, then status, pools and --dry-run plans.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabState, type LabState, type NasState } from '../../e2e/lab/lab-state';
import { startTestKeyring, type TestKeyring } from '../../e2e/support/keyring';

const repo = resolve(import.meta.dirname, '..', '..');
let state: LabState;
let nas: NasState;
let keyring: TestKeyring;
let env: NodeJS.ProcessEnv;

function nasdeck(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(repo, 'electron', 'cli', 'index.ts'), ...args],
      { env, cwd: repo, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

beforeAll(async () => {
  state = readLabState();
  nas = state.nas[0]!;
  keyring = await startTestKeyring();
  env = { ...keyring.env, NASDECK_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'nasdeck-cli-lab-')) };
});
afterAll(() => keyring?.stop());

describe('nasdeck on the lab NAS', () => {
  it('refuses an unknown host key with exit 4 and its fingerprint, then adds with the confirmed key', async () => {
    const first = await nasdeck(
      ['device', 'add', nas.address, '--name', 'lab', '--user', nas.ssh!.user, '--password-stdin'],
      `${nas.ssh!.password}\n`,
    );
    expect(first.code).toBe(4);
    expect(first.stderr).toContain(nas.ssh!.hostKeySha256);
    expect((await nasdeck(['device', 'list', '--json'])).stdout.trim()).toBe('[]');

    const wrong = await nasdeck(
      [
        'device',
        'add',
        nas.address,
        '--name',
        'lab',
        '--user',
        nas.ssh!.user,
        '--password-stdin',
        '--host-key',
        `SHA256:${'B'.repeat(43)}`,
      ],
      `${nas.ssh!.password}\n`,
    );
    expect(wrong.code).toBe(4);
    expect(JSON.parse((await nasdeck(['device', 'list', '--json'])).stdout)).toEqual([]);

    const ok = await nasdeck(
      [
        'device',
        'add',
        nas.address,
        '--name',
        'lab',
        '--user',
        nas.ssh!.user,
        '--password-stdin',
        '--host-key',
        nas.ssh!.hostKeySha256,
        '--json',
      ],
      `${nas.ssh!.password}\n`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      name: 'lab',
      vendor: 'linux',
      access: { hostKeySha256: nas.ssh!.hostKeySha256, secrets: ['password'] },
    });
    expect(ok.stdout + ok.stderr).not.toContain(nas.ssh!.password);
  });

  it('shows status and pools, as JSON and as text', async () => {
    const status = await nasdeck(['status', 'lab', '--json']);
    expect(status.code, status.stderr + status.stdout).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ health: 'healthy', system: { hostname: nas.hostname } });
    const pools = await nasdeck(['pool', 'list', 'lab']);
    expect(pools.stdout).toMatch(/^POOL\s+KIND\s+RAID\s+STATE/m);
    expect(pools.stdout).toMatch(/btrfs\s+raid1\s+healthy/);
  });

  it('prints the exact steps with --dry-run, secrets as ***, and changes nothing', async () => {
    const text = await nasdeck([
      'share',
      'create',
      'lab',
      '--protocol',
      'smb',
      '--name',
      'dryrun',
      '--user',
      nas.smb!.user,
      '--dry-run',
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Would run, in order \(nothing was changed\):/);
    expect(text.stdout).toContain(
      `sudo net conf addshare dryrun ${nas.pool!.mountPoint}/dryrun writeable=y guest_ok=n`,
    );

    const json = await nasdeck(
      [
        'iscsi',
        'create',
        'lab',
        '--name',
        'dry',
        '--size',
        '64M',
        '--chap-user',
        'u1',
        '--chap-secret-stdin',
        '--dry-run',
        '--json',
      ],
      'Canary-secret9\n',
    );
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as { steps: Array<{ argv: string[]; where: string }> };
    expect(plan.steps.map((s) => s.argv[0])).toEqual(expect.arrayContaining(['truncate', 'tgtadm']));
    expect(json.stdout).not.toContain('Canary-secret9');
    expect(json.stdout).toContain('***');

    const shares = await nasdeck(['share', 'list', 'lab', '--json']);
    expect(JSON.parse(shares.stdout).map((s: { name: string }) => s.name)).not.toContain('dryrun');
  });

  it('asks for --yes before destroying anything', async () => {
    const r = await nasdeck(['snapshot', 'delete', 'lab', 'share1', 'nothing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
  });
});
