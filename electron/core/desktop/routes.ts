// Pages the desktop shell can open (a tray item, a notification click). The renderer routes by
// hash (renderer/src/lib/router.svelte.ts): `#/id/param…`, params URI-encoded.

export type PageId = 'setup' | 'devices' | 'device' | 'mounts' | 'storage' | 'settings';

export const pageHref = (id: PageId, ...params: string[]): string =>
  `#/${[id, ...params.map((p) => encodeURIComponent(p))].join('/')}`;

/** A route from outside (argv, a notification) is only ever one of ours: `#/` + safe segments. */
export function isPageHref(value: string): boolean {
  return /^#\/[a-z]+(\/[A-Za-z0-9%._~-]+)*$/.test(value) && value.length <= 512;
}
