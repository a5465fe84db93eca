import { describe, expect, it } from 'vitest';
import { commands } from '../../../shared/api';
import type { Mount, MountState } from '../../../shared/domain';
import { overallStatus, trayActions, trayCommand, trayMenu, type TrayEntry } from './tray-menu';

const mount = (name: string, state: MountState, extra: Partial<Mount> = {}): Mount => ({
  id: `id-${name}`,
  name,
  url: `smb://nas.local/${name}`,
  mountPoint: `/home/me/nas/${name}`,
  persistent: true,
  autoReconnect: true,
  state,
  since: '2026-11-30T09:00:00.000Z',
  ...extra,
});

type Item = Extract<TrayEntry, { kind: 'item' }>;
const item = (entries: readonly TrayEntry[], label: string | RegExp): Item => {
  const found = entries.find(
    (e): e is Item => e.kind === 'item' && (typeof label === 'string' ? e.label === label : label.test(e.label)),
  );
  if (!found) throw new Error(`no item ${String(label)} in ${entries.map((e) => ('label' in e ? e.label : '—'))}`);
  return found;
};
const labels = (entries: readonly TrayEntry[]) => entries.map((e) => (e.kind === 'separator' ? '—' : e.label));

describe('overall status', () => {
  it('is idle with no mounts, or with only mounts the user unmounted', () => {
    expect(overallStatus([])).toBe('idle');
    expect(overallStatus([mount('a', 'unmounted')])).toBe('idle');
  });
  it('is mounted when everything attached is mounted', () => {
    expect(overallStatus([mount('a', 'mounted'), mount('b', 'mounted')])).toBe('mounted');
    expect(overallStatus([mount('a', 'mounted'), mount('b', 'unmounted')])).toBe('mounted');
  });
  it('is offline when any mount is offline or reconnecting', () => {
    expect(overallStatus([mount('a', 'mounted'), mount('b', 'offline')])).toBe('offline');
    expect(overallStatus([mount('a', 'mounted'), mount('b', 'reconnecting')])).toBe('offline');
  });
  it('is error when any mount failed, whatever the others do', () => {
    expect(overallStatus([mount('a', 'offline'), mount('b', 'error'), mount('c', 'mounted')])).toBe('error');
  });
  it('is error when the mounts could not be listed', () => {
    expect(overallStatus([], 'backend down')).toBe('error');
  });
});

describe('tray menu', () => {
  it('with no mounts offers adding one, opening the app and quitting', () => {
    const model = trayMenu({ mounts: [] });
    expect(labels(model.entries)).toEqual(['No mounts yet', 'Add a mount…', '—', 'Open Nasdeck', 'Quit Nasdeck']);
    expect(item(model.entries, 'No mounts yet').enabled).toBe(false);
    expect(item(model.entries, 'Add a mount…').action).toEqual({ type: 'openApp', route: '#/mounts' });
    expect(model.tooltip).toBe('Nasdeck — no mounts');
  });

  it('lists every mount by name with its state, sorted', () => {
    const model = trayMenu({
      mounts: [
        mount('video', 'offline'),
        mount('backup', 'mounted'),
        mount('photos', 'error'),
        mount('docs', 'unmounted'),
      ],
    });
    expect(labels(model.entries)).toEqual([
      'backup — Mounted',
      'docs — Not mounted',
      'photos — Error',
      'video — Offline',
      '—',
      'Mount all',
      'Unmount all',
      '—',
      'Open Nasdeck',
      'Quit Nasdeck',
    ]);
    expect(model.status).toBe('error');
    expect(item(model.entries, /^backup/).status).toBe('mounted');
    expect(item(model.entries, /^video/).status).toBe('offline');
    expect(item(model.entries, /^photos/).status).toBe('error');
    expect(item(model.entries, /^docs/).status).toBe('idle');
    expect(model.tooltip).toBe('Nasdeck — 1 of 4 mounted, 1 offline, 1 failed');
  });

  it('a mounted share offers unmount and opening its folder', () => {
    const sub = item(trayMenu({ mounts: [mount('backup', 'mounted')] }).entries, /^backup/).submenu!;
    expect(labels(sub)).toEqual(['Unmount', 'Open in file manager']);
    expect(item(sub, 'Unmount')).toMatchObject({ enabled: true, action: { type: 'unmount', mount: 'id-backup' } });
    expect(item(sub, 'Open in file manager')).toMatchObject({
      enabled: true,
      action: { type: 'openFolder', path: '/home/me/nas/backup' },
    });
  });

  it('an unmounted share offers mount; its folder cannot be opened', () => {
    const sub = item(trayMenu({ mounts: [mount('docs', 'unmounted')] }).entries, /^docs/).submenu!;
    expect(item(sub, 'Mount')).toMatchObject({ enabled: true, action: { type: 'mount', mount: 'id-docs' } });
    expect(item(sub, 'Open in file manager').enabled).toBe(false);
  });

  it('an offline or reconnecting share can be unmounted (give up) and shows why it is offline', () => {
    for (const state of ['offline', 'reconnecting'] as const) {
      const sub = item(
        trayMenu({ mounts: [mount('video', state, { reason: 'nas.local did not answer' })] }).entries,
        /^video/,
      ).submenu!;
      expect(labels(sub)).toEqual(['nas.local did not answer', '—', 'Unmount', 'Open in file manager']);
      expect(item(sub, 'nas.local did not answer').enabled).toBe(false);
      expect(item(sub, 'Open in file manager').enabled).toBe(false);
    }
  });

  it('a failed share offers trying again (a mount) with the reason', () => {
    const sub = item(
      trayMenu({ mounts: [mount('photos', 'error', { reason: 'Access denied' })] }).entries,
      /^photos/,
    ).submenu!;
    expect(labels(sub)).toEqual(['Access denied', '—', 'Try again', 'Open in file manager']);
    expect(item(sub, 'Try again').action).toEqual({ type: 'mount', mount: 'id-photos' });
  });

  it('a mounted share does not repeat a stale reason', () => {
    const sub = item(trayMenu({ mounts: [mount('a', 'mounted', { reason: 'old failure' })] }).entries, /^a —/).submenu!;
    expect(labels(sub)).toEqual(['Unmount', 'Open in file manager']);
  });

  it('"Mount all" only when something is not attached, "Unmount all" only when something is', () => {
    const allMounted = trayMenu({ mounts: [mount('a', 'mounted'), mount('b', 'mounted')] }).entries;
    expect(item(allMounted, 'Mount all').enabled).toBe(false);
    expect(item(allMounted, 'Unmount all').enabled).toBe(true);
    const noneMounted = trayMenu({ mounts: [mount('a', 'unmounted'), mount('b', 'error')] }).entries;
    expect(item(noneMounted, 'Mount all').enabled).toBe(true);
    expect(item(noneMounted, 'Unmount all').enabled).toBe(false);
  });

  it('disables a mount while its operation runs, and everything during mount/unmount all', () => {
    const mounts = [mount('a', 'mounted'), mount('b', 'unmounted')];
    const one = trayMenu({ mounts, busy: new Set(['id-a']) }).entries;
    expect(item(one, /^a/).label).toBe('a — Working…');
    expect(item(item(one, /^a/).submenu!, 'Unmount').enabled).toBe(false);
    expect(item(item(one, /^b/).submenu!, 'Mount').enabled).toBe(true);
    const all = trayMenu({ mounts, busyAll: true }).entries;
    expect(item(all, 'Mount all').enabled).toBe(false);
    expect(item(all, 'Unmount all').enabled).toBe(false);
    expect(item(item(all, /^b/).submenu!, 'Mount').enabled).toBe(false);
    expect(item(all, 'Quit Nasdeck').enabled).toBe(true);
  });

  it('says so when mounts cannot be listed, instead of claiming there are none', () => {
    const model = trayMenu({ mounts: [], listError: 'Mounting is not available' });
    expect(model.status).toBe('error');
    expect(labels(model.entries)).toEqual([
      'Mounts unavailable: Mounting is not available',
      '—',
      'Open Nasdeck',
      'Quit Nasdeck',
    ]);
  });

  it('tooltip says when everything is mounted', () => {
    expect(trayMenu({ mounts: [mount('a', 'mounted'), mount('b', 'mounted')] }).tooltip).toBe(
      'Nasdeck — 2 of 2 mounted (all)',
    );
  });

  it('keeps two profiles with the same name apart by id', () => {
    const model = trayMenu({ mounts: [mount('x', 'mounted', { id: 'b' }), mount('x', 'unmounted', { id: 'a' })] });
    const [first, second] = model.entries as Item[];
    expect(first!.submenu!.map((e) => (e.kind === 'item' ? e.action : null))).toContainEqual({
      type: 'mount',
      mount: 'a',
    });
    expect(second!.submenu!.map((e) => (e.kind === 'item' ? e.action : null))).toContainEqual({
      type: 'unmount',
      mount: 'b',
    });
  });

  it('every action is reachable from the context menu', () => {
    const model = trayMenu({ mounts: [mount('a', 'mounted'), mount('b', 'unmounted')] });
    const kinds = new Set(trayActions(model.entries).map((a) => a.action.type));
    expect([...kinds].sort()).toEqual(['mount', 'mountAll', 'openApp', 'openFolder', 'quit', 'unmount', 'unmountAll']);
  });
});

describe('tray actions to commands', () => {
  it('maps mount actions to the contract with params its schema accepts', () => {
    const cases = [
      { type: 'mount', mount: 'id-a' },
      { type: 'unmount', mount: 'id-a' },
      { type: 'mountAll' },
      { type: 'unmountAll' },
    ] as const;
    expect(cases.map((c) => trayCommand(c))).toEqual([
      { method: 'mounts.up', params: { mount: 'id-a' } },
      { method: 'mounts.down', params: { mount: 'id-a' } },
      { method: 'mounts.up', params: { all: true } },
      { method: 'mounts.down', params: { all: true } },
    ]);
    for (const c of cases) {
      const command = trayCommand(c)!;
      expect(commands[command.method].params.safeParse(command.params).success).toBe(true);
    }
  });
  it('leaves opening and quitting to the shell', () => {
    expect(trayCommand({ type: 'quit' })).toBeNull();
    expect(trayCommand({ type: 'openApp' })).toBeNull();
    expect(trayCommand({ type: 'openFolder', path: '/x' })).toBeNull();
  });
});
