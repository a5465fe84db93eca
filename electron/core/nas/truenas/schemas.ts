// The parts of TrueNAS replies the adapter reads, checked before use: a reply of the wrong shape
// becomes one typed error naming the method and the field, never a TypeError deep in a mapper.
// Shapes: ../shared/reference/vendor-apis.md B.4 and B.6.
import { z } from 'zod';
import { badReply } from './errors';

const int = z.number().finite();
const str = z.string();
const prop = <T extends z.ZodType>(parsed: T) =>
  z.object({ parsed: parsed.nullable().optional(), rawvalue: z.string().nullable().optional() }).nullable().optional();

export interface Vdev {
  name: string;
  type: string;
  status: string;
  disk?: string | null | undefined;
  device?: string | null | undefined;
  stats?:
    | { read_errors?: number | undefined; write_errors?: number | undefined; checksum_errors?: number | undefined }
    | null
    | undefined;
  children: Vdev[];
}

const vdev: z.ZodType<Vdev> = z.lazy(() =>
  z.object({
    name: str,
    type: str,
    status: str,
    disk: str.nullable().optional(),
    device: str.nullable().optional(),
    stats: z
      .object({ read_errors: int.optional(), write_errors: int.optional(), checksum_errors: int.optional() })
      .nullable()
      .optional(),
    children: z.array(vdev).default([]),
  }),
);

export const poolRow = z.object({
  id: int,
  name: str,
  status: str,
  path: str.nullable().optional(),
  size: int.nullable().optional(),
  allocated: int.nullable().optional(),
  scan: z
    .object({
      function: str.nullable().optional(),
      state: str.nullable().optional(),
      percentage: int.nullable().optional(),
      errors: int.nullable().optional(),
    })
    .nullable()
    .optional(),
  topology: z
    .object({
      data: z.array(vdev).default([]),
      log: z.array(vdev).default([]),
      cache: z.array(vdev).default([]),
      spare: z.array(vdev).default([]),
      special: z.array(vdev).default([]),
      dedup: z.array(vdev).default([]),
    })
    .nullable()
    .optional(),
});
export type PoolRow = z.infer<typeof poolRow>;

export const datasetRow = z.object({
  id: str,
  type: str,
  name: str,
  pool: str,
  mountpoint: str.nullable().optional(),
  used: prop(int),
  available: prop(int),
  volsize: prop(int),
});

export const diskRow = z.object({
  name: str,
  serial: str.nullable().optional(),
  size: int.nullable().optional(),
  model: str.nullable().optional(),
  type: str.nullable().optional(),
});

export const smbRow = z.object({
  id: int,
  name: str,
  path: str,
  ro: z.boolean().optional(),
  readonly: z.boolean().optional(),
  hostsallow: z.array(str).optional(),
  comment: str.nullable().optional(),
  enabled: z.boolean().optional(),
});

export const nfsRow = z.object({
  id: int,
  path: str.optional(),
  paths: z.array(str).optional(),
  comment: str.nullable().optional(),
  networks: z.array(str).default([]),
  hosts: z.array(str).default([]),
  ro: z.boolean().optional(),
  mapall_user: str.nullable().optional(),
  maproot_user: str.nullable().optional(),
});

export const snapshotRow = z.object({
  id: str,
  name: str,
  dataset: str,
  snapshot_name: str,
  properties: z
    .object({
      used: prop(int),
      creation: z
        .object({ parsed: z.union([z.date(), int, str]).nullable().optional(), rawvalue: str.nullable().optional() })
        .optional(),
    })
    .partial()
    .optional(),
});

export const targetRow = z.object({
  id: int,
  name: str,
  alias: str.nullable().optional(),
  groups: z
    .array(
      z.object({
        portal: int,
        initiator: int.nullable().optional(),
        authmethod: str.optional(),
        auth: int.nullable().optional(),
      }),
    )
    .default([]),
});
export type TargetGroup = z.infer<typeof targetRow>['groups'][number];
export const extentRow = z.object({
  id: int,
  name: str,
  type: str,
  disk: str.nullable().optional(),
  path: str.nullable().optional(),
  filesize: z.union([int, str]).nullable().optional(),
});
export const targetExtentRow = z.object({ id: int, target: int, extent: int, lunid: int.nullable().optional() });
export const authRow = z.object({ id: int, tag: int, user: str });
export const initiatorRow = z.object({ id: int, initiators: z.array(str).default([]) });
export const portalRow = z.object({ id: int, tag: int.optional() });
export const iscsiGlobal = z.object({ basename: str });

export const alertRow = z.object({
  klass: str.optional(),
  source: str.optional(),
  level: str,
  formatted: str.nullable().optional(),
  text: str.nullable().optional(),
  dismissed: z.boolean().optional(),
});

export const systemInfo = z.object({
  version: str,
  hostname: str,
  uptime_seconds: int.nullable().optional(),
  system_product: str.nullable().optional(),
  system_manufacturer: str.nullable().optional(),
});

export const temperatures = z.record(str, int.nullable());

export const userRow = z.object({ id: int, username: str });

/** Checks a reply; a wrong shape becomes INTERNAL "Could not parse TrueNAS <method> reply: <path>: <why>". */
export function check<T extends z.ZodType>(method: string, schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw badReply(method, `${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'unexpected shape'}`, value);
}

export const list = <T extends z.ZodType>(schema: T) => z.array(schema);
