// DSM error codes onto the shared taxonomy. Codes are per API family: 402 is "barred from the app"
// at login but "no such share" for SYNO.Core.Share, so the API decides which table applies first.
import { AppError, type ErrorCode } from '../../../../shared/errors';

interface Meaning {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** SYNO.API.Auth login (DSM Login Web API Guide p.16). */
const LOGIN: Record<number, Meaning> = {
  400: { code: 'AUTH_FAILED', message: 'DSM refused the sign-in: no such account or wrong password.' },
  401: { code: 'AUTH_FAILED', message: 'This DSM account is disabled (or is the guest account).' },
  402: {
    code: 'AUTH_FAILED',
    message: 'This DSM account may not use DSM or its administration port.',
    details: { fix: 'In DSM, Control Panel > User: allow the account to use DSM, or use another account.' },
  },
  403: {
    code: 'AUTH_FAILED',
    message: 'This DSM account uses 2-step verification: a one-time code is needed.',
    details: { otpRequired: true, fix: 'Give the code from the authenticator app (--otp CODE).' },
  },
  404: {
    code: 'AUTH_FAILED',
    message: 'DSM refused the 2-step verification code: wrong code (or it expired).',
    details: { otpRequired: true, fix: 'Wait for the next code in the authenticator app and retry.' },
  },
  405: { code: 'AUTH_FAILED', message: 'DSM refused the sign-in on this app portal.' },
  406: {
    code: 'AUTH_FAILED',
    message: 'DSM requires this account to set up 2-step verification first.',
    details: { fix: 'Sign in to DSM in a browser once and enrol in 2-step verification.' },
  },
  407: {
    code: 'AUTH_FAILED',
    message: "DSM has blocked this computer's IP address after too many failed sign-ins.",
    details: {
      blocked: true,
      fix: 'Wait for the block to expire, or remove the address under Control Panel > Security > Protection. Do not retry in a loop.',
    },
  },
  408: { code: 'AUTH_FAILED', message: 'The password of this DSM account expired and cannot be changed.' },
  409: {
    code: 'AUTH_FAILED',
    message: 'The password of this DSM account expired.',
    details: { fix: 'Sign in to DSM in a browser and change it.' },
  },
  410: {
    code: 'AUTH_FAILED',
    message: 'DSM requires a new password for this account.',
    details: { fix: 'Sign in to DSM in a browser and change it.' },
  },
  411: { code: 'AUTH_FAILED', message: 'This DSM account is locked after too many failed sign-ins.' },
};

/** SYNO.Core.Share (SYNOCSI shareErrCodeMapping). */
const SHARE: Record<number, Meaning> = {
  402: { code: 'NOT_FOUND', message: 'DSM has no such shared folder.' },
  403: { code: 'INVALID_INPUT', message: 'DSM rejected the shared-folder settings as invalid.' },
  3301: { code: 'CONFLICT', message: 'A shared folder with that name already exists.' },
  3309: { code: 'CONFLICT', message: 'DSM has reached its maximum number of shared folders.' },
  3328: { code: 'CONFLICT', message: 'DSM is busy; retry in a moment.' },
};

/** SYNO.Core.ISCSI.* (SYNOCSI, DEMOCSI, N4S4). */
const ISCSI: Record<number, Meaning> = {
  18990002: { code: 'CONFLICT', message: 'The volume has not enough free space for this LUN.' },
  18990318: { code: 'INVALID_INPUT', message: 'That LUN type does not work on this volume’s file system.' },
  18990500: { code: 'INVALID_INPUT', message: 'DSM does not know that LUN type.' },
  18990531: { code: 'NOT_FOUND', message: 'DSM has no such LUN.' },
  18990532: { code: 'NOT_FOUND', message: 'DSM has no such LUN snapshot.' },
  18990538: { code: 'CONFLICT', message: 'A LUN with that name already exists.' },
  18990541: { code: 'CONFLICT', message: 'DSM has reached its maximum number of LUNs.' },
  18990542: { code: 'CONFLICT', message: 'DSM has reached its maximum number of iSCSI targets.' },
  18990543: { code: 'CONFLICT', message: 'DSM has reached its maximum number of LUN snapshots.' },
  18990708: { code: 'INVALID_INPUT', message: 'DSM rejected the CHAP settings.' },
  18990744: { code: 'CONFLICT', message: 'An iSCSI target with that name already exists.' },
  18990745: { code: 'CONFLICT', message: 'An iSCSI target with that IQN already exists.' },
};

/** Every API (DSM Login Web API Guide p.8). */
const COMMON: Record<number, Meaning> = {
  100: { code: 'INTERNAL', message: 'DSM reported an unknown error.' },
  101: { code: 'INVALID_INPUT', message: 'DSM rejected the request: a parameter is missing or invalid.' },
  102: { code: 'NOT_SUPPORTED', message: 'This DSM does not offer the API.' },
  103: { code: 'NOT_SUPPORTED', message: 'This DSM does not offer the method.' },
  104: { code: 'NOT_SUPPORTED', message: 'This DSM does not offer the API in the version needed.' },
  105: {
    code: 'PERMISSION_DENIED',
    message: 'This needs an administrator account: the DSM account signed in is not in the administrators group.',
    details: { fix: 'Re-add the device with an account in the DSM administrators group.' },
  },
  106: { code: 'AUTH_FAILED', message: 'The DSM session timed out.' },
  107: { code: 'AUTH_FAILED', message: 'The DSM session was ended by another sign-in of the same account.' },
  114: { code: 'INVALID_INPUT', message: 'DSM rejected the request: a required parameter is missing.' },
  117: { code: 'CONFLICT', message: 'DSM is busy; retry in a moment.' },
  119: { code: 'AUTH_FAILED', message: 'DSM does not know this session (SID not found).' },
  120: { code: 'INVALID_INPUT', message: 'DSM rejected a parameter as invalid.' },
  150: { code: 'AUTH_FAILED', message: 'DSM refused the session: the request comes from another IP than the sign-in.' },
  160: {
    code: 'PERMISSION_DENIED',
    message: 'This DSM account lacks the application privilege for this.',
    details: { fix: 'Grant the privilege in Control Panel > Application Privileges, or use an administrator.' },
  },
};

/** Session problems that one transparent re-login fixes (expired, SID not found, kicked). */
export const SESSION_CODES = new Set([106, 107, 119]);

export function dsmError(api: string, method: string, code: number, extra?: unknown): AppError {
  const table =
    api === 'SYNO.API.Auth' && method === 'login'
      ? LOGIN
      : api.startsWith('SYNO.Core.Share') && !api.startsWith('SYNO.Core.Share.Snapshot')
        ? SHARE
        : api.startsWith('SYNO.Core.ISCSI')
          ? ISCSI
          : {};
  const meaning = table[code] ?? COMMON[code];
  const where = { api, method, dsmCode: code };
  if (meaning) return new AppError(meaning.code, meaning.message, { ...where, ...meaning.details });
  if (api.startsWith('SYNO.Core.Share') && code >= 3300 && code < 3400)
    return new AppError('INVALID_INPUT', `DSM refused the shared-folder change (code ${code}).`, where);
  return new AppError('INTERNAL', `DSM answered ${api}.${method} with error code ${code}.`, {
    ...where,
    ...(extra !== undefined ? { errors: extra } : {}),
  });
}
