// zod schemas for every command's parameters. Front doors validate with these before core runs.
import { z } from 'zod';
import { clientOses, themes, vendors } from './domain';

const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/** A device name as the user types it: printable, trimmed, short. */
export const deviceName = z
  .string()
  .trim()
  .min(1, 'Name is empty')
  .max(64, 'Name is longer than 64 characters')
  .refine(noControlChars, 'Name contains control characters');

/** HOST as ../shared/CLI.md has it: a name, an address, host:port, or a URL. Parsed in core. */
export const hostInput = z
  .string()
  .trim()
  .min(1, 'Address is empty')
  .max(512, 'Address is too long')
  .refine(noControlChars, 'Address contains control characters')
  .refine((s) => !/\s/.test(s), 'Address contains spaces');

export const sha256Fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'Expected a fingerprint like SHA256:AbC… (43 base64 characters)');

/** A device reference: its id or its name. */
export const deviceRef = z.string().trim().min(1, 'Device is empty').max(128);

export const empty = z.object({}).strict();

export const devicesAddParams = z
  .object({
    host: hostInput,
    name: deviceName.optional(),
    vendor: z.enum(['auto', ...vendors]).default('auto'),
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._][A-Za-z0-9._@-]*$/, 'User names may use letters, digits, . _ @ -')
      .optional(),
    sshPort: z.number().int().min(1).max(65535).optional(),
    identityFile: z.string().min(1).max(4096).refine(noControlChars).optional(),
    password: z.string().min(1).max(4096).optional(),
    apiKey: z.string().min(1).max(4096).optional(),
    hostKeySha256: sha256Fingerprint.optional(),
    certSha256: sha256Fingerprint.optional(),
    /** First contact: trust the SSH host key the NAS shows (the user compared its fingerprint). */
    acceptNewHostKey: z.boolean().optional(),
    /** First contact: trust the TLS certificate the NAS shows (the user compared its fingerprint). */
    acceptNewCert: z.boolean().optional(),
    /** The 2FA / OTP code, when the vendor's login asked for one. */
    otp: z
      .string()
      .regex(/^\d{6,8}$/, 'A one-time code is 6 to 8 digits')
      .optional(),
    /** Ask the vendor for a device token ("remember this computer"), kept in the keychain. */
    rememberDevice: z.boolean().optional(),
    /** Save without connecting (the NAS is off, or will be set up later). */
    offline: z.boolean().optional(),
  })
  .strict();

export const deviceRefParams = z.object({ device: deviceRef }).strict();

export const settingsPatch = z
  .object({
    theme: z.enum(themes),
    startAtLogin: z.boolean(),
    autoReconnect: z.boolean(),
    setupCompleted: z.boolean(),
  })
  .partial()
  .strict();

export const jobRefParams = z.object({ id: z.string().min(1).max(64) }).strict();

/** Hosts or IPv4 CIDR ranges to probe (`nasdeck discover --probe`). */
export const probeParams = z
  .object({
    targets: z
      .array(
        z
          .string()
          .trim()
          .min(1)
          .max(255)
          .regex(
            /^[A-Za-z0-9.:-]+(\/\d{1,2})?$/,
            'Expected a host name, an address or a CIDR range like 192.168.1.0/24',
          ),
      )
      .min(1)
      .max(16),
  })
  .strict();

const dryRun = z.boolean().optional();
/** Names of shares, snapshots and targets: what every NAS accepts (no slashes, quotes or spaces at the ends). */
export const objectName = z
  .string()
  .min(1, 'Name is empty')
  .max(64, 'Name is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dot, dash and underscore; start with a letter or digit');
const unixUser = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'Not a valid user name');
const clientSpec = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(\*|[A-Za-z0-9.:-]+(\/\d{1,3})?)$/, 'Expected an address, a host name, a CIDR range or *');
const absolutePath = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^\/[^\0\n\r]*$/, 'Expected an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'The path may not contain ..');

export const deviceOnly = z.object({ device: deviceRef }).strict();
export const poolParams = z.object({ device: deviceRef, pool: z.string().min(1).max(255) }).strict();

export const shareCreateParams = z
  .object({
    device: deviceRef,
    protocol: z.enum(['smb', 'nfs']),
    name: objectName,
    path: absolutePath.optional(),
    pool: z.string().min(1).max(255).optional(),
    readOnly: z.boolean().default(false),
    users: z.array(unixUser).max(32).default([]),
    clients: z.array(clientSpec).max(32).default([]),
    dryRun,
  })
  .strict();

/** Changes the access rules of an existing share; fields left out stay as they are. */
export const shareUpdateParams = z
  .object({
    device: deviceRef,
    share: objectName,
    protocol: z.enum(['smb', 'nfs']).optional(),
    readOnly: z.boolean().optional(),
    users: z.array(unixUser).max(32).optional(),
    clients: z.array(clientSpec).max(32).optional(),
    dryRun,
  })
  .strict()
  .refine((p) => p.readOnly !== undefined || p.users !== undefined || p.clients !== undefined, {
    message: 'Nothing to change: give read-only, users or clients',
  });

export const shareDeleteParams = z
  .object({ device: deviceRef, share: objectName, protocol: z.enum(['smb', 'nfs']).optional(), dryRun })
  .strict();

export const snapshotListParams = z.object({ device: deviceRef, of: z.string().min(1).max(255).optional() }).strict();
export const snapshotParams = z
  .object({ device: deviceRef, of: z.string().min(1).max(255), name: objectName.optional(), dryRun })
  .strict();

export const iqn = z
  .string()
  .max(223)
  .regex(
    /^(iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9.:_-]+)?|eui\.[0-9A-Fa-f]{16})$/,
    'Expected an iSCSI name like iqn.2024-01.com.example:host',
  );
export const iscsiCreateParams = z
  .object({
    device: deviceRef,
    name: objectName,
    sizeBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(2 ** 50),
    chapUser: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._@-]+$/)
      .optional(),
    chapSecret: z
      .string()
      .min(12, 'CHAP secrets need 12 to 16 characters')
      .max(16, 'CHAP secrets need 12 to 16 characters')
      .optional(),
    initiators: z.array(iqn).max(32).default([]),
    dryRun,
  })
  .strict()
  .refine(
    (p) => (p.chapUser === undefined) === (p.chapSecret === undefined),
    'Give both a CHAP user and a CHAP secret, or neither',
  );
export const iscsiDeleteParams = z.object({ device: deviceRef, target: z.string().min(1).max(223), dryRun }).strict();

export const smbPasswordParams = z
  .object({ device: deviceRef, user: unixUser, password: z.string().min(1).max(256), dryRun })
  .strict();

const clientOs = z.enum(clientOses).optional();
const mountUrl = z
  .string()
  .trim()
  .max(1024)
  .refine(noControlChars, 'The URL contains control characters')
  .regex(/^(smb|nfs):\/\/[^/\s]+\/[^\s]*[^/\s]/, 'Expected smb://host/share[/path] or nfs://host/export');
/** Where to mount: a drive letter (Windows) or an absolute folder. */
const mountTarget = z
  .string()
  .max(1024)
  .refine(noControlChars, 'The mount point contains control characters')
  .regex(/^([A-Za-z]:|\/[^\0]*|~\/[^\0]*)$/, 'Expected a drive letter like Z: or an absolute folder')
  .refine((p) => !p.split('/').includes('..'), 'The mount point may not contain ..');

export const mountsAddParams = z
  .object({
    url: mountUrl,
    at: mountTarget.optional(),
    name: deviceName.optional(),
    user: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[^\s:;"'\\/]+(\\[^\s:;"'\\/]+)?$/, 'Not a valid user name (DOMAIN\\user is allowed)')
      .optional(),
    password: z.string().min(1).max(1024).optional(),
    readOnly: z.boolean().default(false),
    smbVersion: z.enum(['1.0', '2.0', '2.1', '3.0', '3.0.2', '3.1.1']).optional(),
    persistent: z.boolean().default(false),
    autoReconnect: z.boolean().default(true),
    /** Mount at once after saving (the default), or only save the profile. */
    mountNow: z.boolean().default(true),
    os: clientOs,
    dryRun,
  })
  .strict();

/** One mount (its id or name) or all of them. */
export const mountRefParams = z
  .object({ mount: z.string().trim().min(1).max(128).optional(), all: z.boolean().optional(), dryRun, os: clientOs })
  .strict()
  .refine((p) => (p.mount !== undefined) !== (p.all === true), 'Name one mount, or ask for all of them');

/** Show one mount's files in the file manager (Explorer, Finder, the desktop's default). */
export const mountOpenParams = z.object({ mount: z.string().trim().min(1).max(128) }).strict();

const portal = z
  .string()
  .trim()
  .min(1)
  .max(260)
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'Expected a portal like nas.local or 192.168.1.10:3260');
const chapUser = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@:-]+$/, 'CHAP user names use letters, digits and . _ @ : -');
const chapSecret = z
  .string()
  .min(12, 'CHAP secrets need 12 to 16 characters')
  .max(16, 'CHAP secrets need 12 to 16 characters');

export const initiatorDiscoverParams = z
  .object({ portal, chapUser: chapUser.optional(), chapSecret: chapSecret.optional(), os: clientOs })
  .strict()
  .refine(
    (p) => (p.chapUser === undefined) === (p.chapSecret === undefined),
    'Give both a CHAP user and a CHAP secret, or neither',
  );

export const initiatorConnectParams = z
  .object({
    portal,
    iqn,
    chapUser: chapUser.optional(),
    chapSecret: chapSecret.optional(),
    /** Mutual CHAP: the target proves itself with this secret. */
    mutualChapUser: chapUser.optional(),
    mutualChapSecret: chapSecret.optional(),
    persistent: z.boolean().default(true),
    /** Windows: initialize the new disk (GPT, one NTFS volume with this label); refused if it is not empty. */
    initialize: z
      .object({
        label: z
          .string()
          .min(1)
          .max(32)
          .regex(/^[A-Za-z0-9 _-]+$/, 'Volume labels use letters, digits, space, - and _'),
      })
      .strict()
      .optional(),
    os: clientOs,
    dryRun,
  })
  .strict()
  .refine(
    (p) => (p.chapUser === undefined) === (p.chapSecret === undefined),
    'Give both a CHAP user and a CHAP secret, or neither',
  )
  .refine(
    (p) => p.mutualChapSecret === undefined || p.chapSecret !== undefined,
    'Mutual CHAP needs one-way CHAP as well',
  );

export const initiatorDisconnectParams = z
  .object({ iqn: iqn.optional(), portal: portal.optional(), os: clientOs, dryRun })
  .strict();

export const initiatorListParams = z.object({ os: clientOs }).strict();
