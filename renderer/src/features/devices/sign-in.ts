// What a failed devices.add asks of the user next, and the parameters of the retry. Pure, so the
// Devices page and the setup assistant answer the same challenges the same way.
import type { CommandParams } from '../../../../shared/api';
import type { ErrorText } from '../../lib/errors';

export type Challenge =
  /** First SSH contact: compare this fingerprint with the NAS's own, then trust it. */
  | { kind: 'hostKey'; host: string; fingerprint: string }
  /** First HTTPS contact, or a changed certificate: compare, then trust it. */
  | { kind: 'cert'; host: string; fingerprint: string; changed: boolean }
  /** The vendor's sign-in wants a one-time code. */
  | { kind: 'otp' };

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function challengeOf(error: ErrorText | null): Challenge | null {
  if (!error) return null;
  const d = error.details ?? {};
  if (error.code === 'HOST_KEY_UNKNOWN') {
    const fingerprint = str(d.fingerprint);
    return fingerprint ? { kind: 'hostKey', host: str(d.host) ?? '', fingerprint } : null;
  }
  if (error.code === 'CERT_MISMATCH') {
    const fingerprint = str(d.actual);
    return fingerprint
      ? { kind: 'cert', host: str(d.host) ?? '', fingerprint, changed: d.firstContact !== true }
      : null;
  }
  if (error.code === 'AUTH_FAILED' && d.otpRequired === true) return { kind: 'otp' };
  return null;
}

export interface SignInForm {
  address: string;
  name: string;
  user: string;
  password: string;
  identityFile: string;
  otp: string;
  rememberDevice: boolean;
  /** Fingerprints the user confirmed: pinned exactly, so a different key later is refused. */
  hostKeySha256?: string;
  certSha256?: string;
}

export const emptySignIn = (): SignInForm => ({
  address: '',
  name: '',
  user: '',
  password: '',
  identityFile: '',
  otp: '',
  rememberDevice: false,
});

/** devices.add parameters: only what was typed, trimmed (secrets as typed). */
export function addParamsOf(form: SignInForm): CommandParams<'devices.add'> {
  const params: CommandParams<'devices.add'> = { host: form.address.trim() };
  const name = form.name.trim();
  if (name) params.name = name;
  if (form.user.trim()) params.user = form.user.trim();
  if (form.password) params.password = form.password;
  if (form.identityFile.trim()) params.identityFile = form.identityFile.trim();
  if (form.otp.trim()) params.otp = form.otp.trim();
  if (form.rememberDevice) params.rememberDevice = true;
  if (form.hostKeySha256) params.hostKeySha256 = form.hostKeySha256;
  if (form.certSha256) params.certSha256 = form.certSha256;
  return params;
}

/** The form after the user accepted a challenge's fingerprint. */
export function accept(form: SignInForm, challenge: Challenge): SignInForm {
  if (challenge.kind === 'hostKey') return { ...form, hostKeySha256: challenge.fingerprint };
  if (challenge.kind === 'cert') return { ...form, certSha256: challenge.fingerprint };
  return form;
}
