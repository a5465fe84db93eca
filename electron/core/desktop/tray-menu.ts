// The tray's menu as data: a pure function of the mounts and the app's state. electron/main/tray.ts
// only renders it. Every action lives in the context menu, because tray click events are
// unreliable on Linux (AppIndicator never delivers them).
import type { Mount, MountState } from '../../../shared/domain';
import { pageHref } from './routes';

/** The tray icon: one per overall state (build/icons/tray/<name>.png). */
export type TrayStatus = 'idle' | 'mounted' | 'offline' | 'error';

export type TrayAction =
  | { type: 'mount'; mount: string }
  | { type: 'unmount'; mount: string }
  | { type: 'mountAll' }
  | { type: 'unmountAll' }
  | { type: 'openFolder'; path: string }
  | { type: 'openApp'; route?: string }
  | { type: 'quit' };

export type TrayEntry =
  | { kind: 'separator' }
  | {
      kind: 'item';
      label: string;
      enabled: boolean;
      action?: TrayAction;
      /** A per-state dot shown beside a mount's name. */
      status?: TrayStatus;
      submenu?: TrayEntry[];
    };

export interface TrayModel {
  status: TrayStatus;
  tooltip: string;
  entries: TrayEntry[];
}

export interface TrayState {
  mounts: readonly Mount[];
  /** Mount ids with a mount/unmount in flight: their items are disabled until it settles. */
  busy?: ReadonlySet<string>;
  /** True while the whole-app "Mount all"/"Unmount all" is running. */
  busyAll?: boolean;
  /** Mounts could not be listed (the backend failed): the tray says so instead of "no mounts". */
  listError?: string;
}

const STATE_LABEL: Record<MountState, string> = {
  mounted: 'Mounted',
  offline: 'Offline',
  reconnecting: 'Reconnecting…',
  unmounted: 'Not mounted',
  error: 'Error',
};

const STATE_STATUS: Record<MountState, TrayStatus> = {
  mounted: 'mounted',
  offline: 'offline',
  reconnecting: 'offline',
  unmounted: 'idle',
  error: 'error',
};

/** States in which the share is (or should be) attached: "Unmount" applies. */
const ATTACHED: ReadonlySet<MountState> = new Set(['mounted', 'offline', 'reconnecting']);

/**
 * The overall state: error beats offline beats mounted. A mount the user unmounted on purpose is
 * not a problem, so with nothing mounted and nothing broken the tray is simply idle.
 */
export function overallStatus(mounts: readonly Mount[], listError?: string): TrayStatus {
  if (listError) return 'error';
  const states = new Set(mounts.map((m) => m.state));
  if (states.has('error')) return 'error';
  if (states.has('offline') || states.has('reconnecting')) return 'offline';
  if (states.has('mounted')) return 'mounted';
  return 'idle';
}

function tooltip(mounts: readonly Mount[], status: TrayStatus, listError?: string): string {
  if (listError) return `Nasdeck — mounts unavailable: ${listError}`;
  if (mounts.length === 0) return 'Nasdeck — no mounts';
  const count = (states: MountState[]) => mounts.filter((m) => states.includes(m.state)).length;
  const mounted = count(['mounted']);
  const parts = [`${mounted} of ${mounts.length} mounted`];
  const offline = count(['offline', 'reconnecting']);
  if (offline) parts.push(`${offline} offline`);
  const failed = count(['error']);
  if (failed) parts.push(`${failed} failed`);
  return `Nasdeck — ${parts.join(', ')}${status === 'mounted' && mounted === mounts.length ? ' (all)' : ''}`;
}

function mountEntry(mount: Mount, busy: boolean): TrayEntry {
  const attached = ATTACHED.has(mount.state);
  const submenu: TrayEntry[] = [];
  if (mount.reason && mount.state !== 'mounted') {
    submenu.push({ kind: 'item', label: mount.reason, enabled: false }, { kind: 'separator' });
  }
  submenu.push(
    attached
      ? { kind: 'item', label: 'Unmount', enabled: !busy, action: { type: 'unmount', mount: mount.id } }
      : {
          kind: 'item',
          label: mount.state === 'error' ? 'Try again' : 'Mount',
          enabled: !busy,
          action: { type: 'mount', mount: mount.id },
        },
    {
      kind: 'item',
      label: 'Open in file manager',
      enabled: mount.state === 'mounted',
      action: { type: 'openFolder', path: mount.mountPoint },
    },
  );
  return {
    kind: 'item',
    label: `${mount.name} — ${busy ? 'Working…' : STATE_LABEL[mount.state]}`,
    enabled: true,
    status: STATE_STATUS[mount.state],
    submenu,
  };
}

export function trayMenu(state: TrayState): TrayModel {
  const { mounts, busy = new Set<string>(), busyAll = false, listError } = state;
  const status = overallStatus(mounts, listError);
  const entries: TrayEntry[] = [];

  if (listError) {
    entries.push({ kind: 'item', label: `Mounts unavailable: ${listError}`, enabled: false });
  } else if (mounts.length === 0) {
    entries.push(
      { kind: 'item', label: 'No mounts yet', enabled: false },
      { kind: 'item', label: 'Add a mount…', enabled: true, action: { type: 'openApp', route: pageHref('mounts') } },
    );
  } else {
    const sorted = [...mounts].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    for (const mount of sorted) entries.push(mountEntry(mount, busyAll || busy.has(mount.id)));
    entries.push(
      { kind: 'separator' },
      {
        kind: 'item',
        label: 'Mount all',
        enabled: !busyAll && mounts.some((m) => !ATTACHED.has(m.state)),
        action: { type: 'mountAll' },
      },
      {
        kind: 'item',
        label: 'Unmount all',
        enabled: !busyAll && mounts.some((m) => ATTACHED.has(m.state)),
        action: { type: 'unmountAll' },
      },
    );
  }

  entries.push(
    { kind: 'separator' },
    { kind: 'item', label: 'Open Nasdeck', enabled: true, action: { type: 'openApp' } },
    { kind: 'item', label: 'Quit Nasdeck', enabled: true, action: { type: 'quit' } },
  );
  return { status, tooltip: tooltip(mounts, status, listError), entries };
}

/** Every action a model offers, depth first (tests and the renderer's key handling use it). */
export function trayActions(entries: readonly TrayEntry[]): Array<{ label: string; action: TrayAction }> {
  return entries.flatMap((e) =>
    e.kind === 'separator'
      ? []
      : [...(e.action ? [{ label: e.label, action: e.action }] : []), ...trayActions(e.submenu ?? [])],
  );
}

/** The API command a tray action runs, or null for the shell's own actions (open, quit). */
export function trayCommand(
  action: TrayAction,
): { method: 'mounts.up' | 'mounts.down'; params: { mount: string } | { all: true } } | null {
  switch (action.type) {
    case 'mount':
      return { method: 'mounts.up', params: { mount: action.mount } };
    case 'unmount':
      return { method: 'mounts.down', params: { mount: action.mount } };
    case 'mountAll':
      return { method: 'mounts.up', params: { all: true } };
    case 'unmountAll':
      return { method: 'mounts.down', params: { all: true } };
    default:
      return null;
  }
}
