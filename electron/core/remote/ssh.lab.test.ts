// SshSession against the lab NAS's real OpenSSH (reached over the lab's host link).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabState, type LabState, type NasState } from '../../../e2e/lab/lab-state';
import { SshSession, type SshTarget } from './ssh';

let state: LabState;
let nas: NasState;
let base: SshTarget;

beforeAll(() => {
  state = readLabState();
  nas = state.nas[0]!;
  base = { host: nas.address, username: nas.ssh!.user, auth: { password: nas.ssh!.password } };
});

describe('SshSession on the lab NAS', () => {
  it('refuses an unknown host key until the user accepts it, and shows its fingerprint', async () => {
    await expect(SshSession.connect(base)).rejects.toMatchObject({
      code: 'HOST_KEY_UNKNOWN',
      details: { fingerprint: nas.ssh!.hostKeySha256 },
    });
    const session = await SshSession.connect({ ...base, acceptNewHostKey: true });
    expect(session.hostKeySha256).toBe(nas.ssh!.hostKeySha256);
    session.close();
  });

  it('refuses a changed host key, never silently accepting it', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    await expect(SshSession.connect({ ...base, hostKeySha256: wrong, acceptNewHostKey: true })).rejects.toMatchObject({
      code: 'HOST_KEY_CHANGED',
      details: { expected: wrong, actual: nas.ssh!.hostKeySha256 },
    });
  });

  it('maps a wrong password to AUTH_FAILED and a closed port to UNREACHABLE', async () => {
    await expect(
      SshSession.connect({ ...base, auth: { password: 'wrong-password' }, hostKeySha256: nas.ssh!.hostKeySha256 }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(SshSession.connect({ ...base, port: 2, hostKeySha256: nas.ssh!.hostKeySha256 })).rejects.toMatchObject(
      {
        code: 'UNREACHABLE',
      },
    );
  });

  it('signs in with a private key and runs argv with exit codes, stdin and literal hostile arguments', async () => {
    const session = await SshSession.connect({
      ...base,
      auth: { privateKey: readFileSync(nas.ssh!.privateKeyPath!) },
      hostKeySha256: nas.ssh!.hostKeySha256,
    });
    try {
      expect(await session.exec(['hostname'])).toEqual({ code: 0, stdout: `${nas.hostname}\n`, stderr: '' });
      const hostile = ['$(touch /tmp/pwned)', '`id`', "a'b", 'x; y', '--help', 'ünï 𝄞', ''];
      const echoed = await session.exec(['printf', '%s\\0', ...hostile]);
      expect(echoed.stdout.split('\0').slice(0, -1)).toEqual(hostile);
      expect((await session.exec(['sh', '-c', 'exit 7'])).code).toBe(7);
      expect((await session.exec(['cat'], { stdin: 'through stdin' })).stdout).toBe('through stdin');
      await expect(session.exec(['sleep', '5'], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    } finally {
      session.close();
    }
  });

  it('runs privileged commands through sudo with the password on stdin, never in argv', async () => {
    const session = await SshSession.connect({ ...base, hostKeySha256: nas.ssh!.hostKeySha256 });
    try {
      expect((await session.exec(['id', '-u'])).stdout.trim()).not.toBe('0');
      const root = await session.exec(['id', '-u'], { sudo: true });
      expect(root).toMatchObject({ code: 0, stdout: '0\n' });
      expect((await session.exec(['cat'], { sudo: true, stdin: 'after the password' })).stdout).toBe(
        'after the password',
      );
    } finally {
      session.close();
    }
  });
});
