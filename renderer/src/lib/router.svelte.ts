// Hash routing (#/devices): works over file:// in Electron and needs no server support.

export const routes = [
  { id: 'setup', label: 'Setup' },
  { id: 'devices', label: 'Devices' },
  { id: 'mounts', label: 'Mounts' },
  { id: 'storage', label: 'Storage' },
  { id: 'hypervisors', label: 'Hypervisors' },
  { id: 'settings', label: 'Settings' },
] as const;

export type RouteId = (typeof routes)[number]['id'];

export const DEFAULT_ROUTE: RouteId = 'devices';

export const hrefFor = (id: RouteId) => `#/${id}`;

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return routes.find((route) => route.id === id)?.id ?? DEFAULT_ROUTE;
}

class Router {
  current = $state<RouteId>(routeFromHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.current = routeFromHash(window.location.hash);
    });
  }

  get label(): string {
    return routes.find((route) => route.id === this.current)?.label ?? '';
  }
}

export const router = new Router();
