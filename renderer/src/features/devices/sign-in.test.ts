import { describe, expect, test } from 'vitest';
import { accept, addParamsOf, challengeOf, emptySignIn } from './sign-in';

const err = (code: string, details?: Record<string, unknown>) =>
  ({ code, title: '', fix: '', message: '', details }) as Parameters<typeof challengeOf>[0];

describe('sign-in challenges', () => {
  test('HOST_KEY_UNKNOWN asks to confirm the fingerprint, which is then pinned exactly', () => {
    const fp = 'SHA256:' + 'A'.repeat(43);
    const c = challengeOf(err('HOST_KEY_UNKNOWN', { host: '10.0.0.11', fingerprint: fp }));
    expect(c).toEqual({ kind: 'hostKey', host: '10.0.0.11', fingerprint: fp });
    const form = accept({ ...emptySignIn(), address: '10.0.0.11', user: 'admin', password: 'pw' }, c!);
    expect(addParamsOf(form)).toEqual({ host: '10.0.0.11', user: 'admin', password: 'pw', hostKeySha256: fp });
  });

  test('CERT_MISMATCH: first contact or a changed certificate, pinned as certSha256', () => {
    const fp = 'SHA256:' + 'B'.repeat(43);
    expect(challengeOf(err('CERT_MISMATCH', { host: 'nas', actual: fp, firstContact: true }))).toEqual({
      kind: 'cert',
      host: 'nas',
      fingerprint: fp,
      changed: false,
    });
    const changed = challengeOf(err('CERT_MISMATCH', { host: 'nas', expected: 'x', actual: fp }))!;
    expect(changed).toMatchObject({ changed: true });
    expect(addParamsOf(accept({ ...emptySignIn(), address: 'nas' }, changed))).toEqual({ host: 'nas', certSha256: fp });
  });

  test('AUTH_FAILED with otpRequired asks for a code; other errors are no challenge', () => {
    expect(challengeOf(err('AUTH_FAILED', { otpRequired: true }))).toEqual({ kind: 'otp' });
    expect(challengeOf(err('AUTH_FAILED'))).toBeNull();
    expect(challengeOf(err('HOST_KEY_UNKNOWN'))).toBeNull();
    expect(challengeOf(null)).toBeNull();
  });

  test('only typed fields are sent, trimmed; the password as typed', () => {
    expect(
      addParamsOf({
        ...emptySignIn(),
        address: ' nas.local ',
        name: ' ',
        user: ' admin ',
        password: ' p ',
        otp: '123456',
        rememberDevice: true,
      }),
    ).toEqual({ host: 'nas.local', user: 'admin', password: ' p ', otp: '123456', rememberDevice: true });
  });
});
