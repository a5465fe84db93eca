// zod schemas for every command's parameters. Front doors validate with these before core runs.
import { z } from 'zod';
import { themes, vendors } from './domain';

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
