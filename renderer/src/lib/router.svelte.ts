// Hash routing (#/devices, #/device/<id>/storage): works over file:// in Electron and needs no
// server support.

export const routes = [
  { id: 'setup', label: 'Setup', nav: true },
  { id: 'devices', label: 'Devices', nav: true },
  { id: 'device', label: 'Device', nav: false },
  { id: 'mounts', label: 'Mounts', nav: true },
  { id: 'storage', label: 'Storage', nav: true },
  { id: 'hypervisors', label: 'Hypervisors', nav: true },
  { id: 'settings', label: 'Settings', nav: true },
] as const;

export type RouteId = (typeof routes)[number]['id'];

/** The pages the main navigation lists (a device page is reached from the Devices list). */
export const navRoutes = routes.filter((route) => route.nav);

export const DEFAULT_ROUTE: RouteId = 'devices';

/** `#/id` or `#/id/param/param…`; params are URI-encoded (device ids and names are user text). */
export const hrefFor = (id: RouteId, ...params: string[]) =>
  `#/${[id, ...params.map((p) => encodeURIComponent(p))].join('/')}`;

export interface Location {
  id: RouteId;
  params: string[];
}

export function parseHash(hash: string): Location {
  const [first = '', ...rest] = hash.replace(/^#\/?/, '').split('?')[0]!.split('/');
  const route = routes.find((r) => r.id === first);
  if (!route) return { id: DEFAULT_ROUTE, params: [] };
  const params = rest.filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { id: route.id, params };
}

export const routeFromHash = (hash: string): RouteId => parseHash(hash).id;

/** The nav entry a route belongs to: a device page is part of Devices. */
export const navOwner = (id: RouteId): RouteId => (id === 'device' ? 'devices' : id);

class Router {
  private location = $state<Location>(parseHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.location = parseHash(window.location.hash);
    });
  }

  get current(): RouteId {
    return this.location.id;
  }

  get params(): string[] {
    return this.location.params;
  }

  get label(): string {
    return routes.find((route) => route.id === this.current)?.label ?? '';
  }

  go(id: RouteId, ...params: string[]): void {
    window.location.hash = hrefFor(id, ...params);
  }
}

export const router = new Router();
