import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import type { PlanStep } from '../../../../shared/domain';
import { AppError, errorWords } from '../../../../shared/errors';
import { makeDevice } from '../../test/devices';
import { installFakeBridge, type FakeHandlers } from '../../test/fake-bridge';
import { makeJob, makeStatus, pool, shares, snapshots, target } from '../../test/nas';
import DevicePage from './DevicePage.svelte';

const device = makeDevice({ id: 'd1', name: 'Attic NAS', host: '10.0.0.11' });

function setup(handlers: FakeHandlers, tab: 'overview' | 'storage' | 'shares' | 'iscsi' = 'overview') {
  const bridge = installFakeBridge({
    'devices.get': () => device,
    'nas.status': () => makeStatus(),
    'jobs.list': () => [],
    'shares.list': () => shares,
    'snapshots.list': () => snapshots,
    'iscsi.list': () => [target],
    ...handlers,
  });
  render(DevicePage, { ref: 'd1', tab });
  return bridge;
}

describe('Device page: overview', () => {
  test('shows pools with RAID level, state and usage, disks with SMART and temperature, and alerts', async () => {
    setup({
      'nas.status': () =>
        makeStatus({
          health: 'degraded',
          alerts: [{ level: 'critical', source: 'disk sdb', message: 'Disk sdb reports SMART failure.' }],
        }),
    });

    const card = await screen.findByTestId('pool-card');
    expect(card.textContent).toContain('tank');
    expect(card.textContent).toContain('RAID1');
    expect(within(card).getByText('Healthy')).toBeTruthy();
    expect(within(card).getByRole('img', { name: 'Pool tank: 1.0 GB of 4.0 GB used (25%)' })).toBeTruthy();
    const rows = screen.getAllByTestId('disk-row');
    expect(rows[0]!.textContent).toContain('OK');
    expect(rows[0]!.textContent).toContain('34 °C');
    expect(rows[1]!.textContent).toContain('Failing');
    expect(rows[1]!.textContent).toContain('—');
    expect(screen.getByText(/Disk sdb reports SMART failure/)).toBeTruthy();
    // The page badge uses the same vocabulary.
    expect(screen.getByRole('heading', { level: 1, name: 'Attic NAS' })).toBeTruthy();
    expect(screen.getAllByText('Degraded').length).toBeGreaterThan(0);
  });

  test('an unreachable NAS is said in plain words with the fix; the raw message stays under details', async () => {
    setup({
      'nas.status': () => {
        throw new AppError('UNREACHABLE', 'connect EHOSTUNREACH 10.0.0.11:22', { stderr: 'ssh: connect to host' });
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(errorWords.UNREACHABLE.title);
    expect(alert.textContent).toContain(errorWords.UNREACHABLE.fix);
    const details = alert.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.textContent).toContain('stderr: ssh: connect to host');
  });
});

describe('Device page: storage', () => {
  test('a scrub shows its live progress from jobs.progress and reloads the status when it ends', async () => {
    const job = makeJob({ id: 'j1', title: 'Scrub tank' });
    const bridge = setup({ 'pools.scrub': () => job }, 'storage');

    await fireEvent.click(await screen.findByRole('button', { name: 'Scrub tank' }));
    expect(bridge.callsOf('pools.scrub')).toEqual([{ device: 'd1', pool: pool.id }]);
    const bar = await screen.findByRole('progressbar', { name: 'Scrub progress of tank' });
    expect(screen.getByRole('button', { name: 'Scrub tank' }).hasAttribute('disabled')).toBe(true);

    bridge.emit('jobs.progress', { ...job, progress: 0.42, message: '1.7 GB of 4 GB' });
    await waitFor(() => expect((bar as HTMLProgressElement).value).toBeCloseTo(0.42));
    expect(screen.getByText('42%')).toBeTruthy();
    expect(screen.getByText('1.7 GB of 4 GB')).toBeTruthy();

    const statusCalls = bridge.callsOf('nas.status').length;
    bridge.emit('jobs.progress', { ...job, state: 'succeeded', progress: 1, message: 'done' });
    await waitFor(() => expect(bridge.callsOf('nas.status').length).toBe(statusCalls + 1));
    expect(screen.getByRole('button', { name: 'Scrub tank' }).hasAttribute('disabled')).toBe(false);
  });

  test('rolling back asks first and says that changes since the snapshot are lost', async () => {
    const bridge = setup({ 'snapshots.rollback': () => ({ applied: true, value: null, steps: [] }) }, 'storage');

    await fireEvent.click(await screen.findByRole('button', { name: 'Roll back to nightly-1' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Roll share1 back to nightly-1?' });
    expect(dialog.textContent).toMatch(/Every change made to share1 since .* will be lost/);
    expect(bridge.callsOf('snapshots.rollback')).toEqual([]);

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    await waitFor(() =>
      expect(bridge.callsOf('snapshots.rollback')).toEqual([{ device: 'd1', of: 'share1', name: 'nightly-1' }]),
    );
    expect((await screen.findByText('share1 is back at snapshot nightly-1.')).getAttribute('role')).toBe('status');
  });

  test('takes a snapshot of the chosen share, newest listed first', async () => {
    let list = snapshots;
    const bridge = setup(
      {
        'snapshots.list': () => list,
        'snapshots.create': ({ of, name }) => {
          const made = { name: name!, of, createdAt: '2026-01-05T00:00:00Z' };
          list = [...list, made];
          return { applied: true, value: made, steps: [] };
        },
      },
      'storage',
    );
    await screen.findAllByTestId('snapshot-row');
    await fireEvent.input(screen.getByLabelText('New snapshot name'), { target: { value: 'before-upgrade' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Take snapshot' }));

    expect(bridge.callsOf('snapshots.create')).toEqual([{ device: 'd1', of: 'share1', name: 'before-upgrade' }]);
    await waitFor(() =>
      expect(screen.getAllByTestId('snapshot-row').map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
        'before-upgrade',
        'nightly-2',
        'nightly-1',
      ]),
    );
  });

  test('deleting a snapshot says what is lost; a failure is explained', async () => {
    setup(
      {
        'snapshots.delete': () => {
          throw new AppError('CONFLICT', 'nightly-2 is busy.');
        },
      },
      'storage',
    );
    await fireEvent.click(await screen.findByRole('button', { name: 'Delete snapshot nightly-2' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete snapshot nightly-2?' });
    expect(dialog.textContent).toMatch(/you can no\s+longer\s+go\s+back\s+to/);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete snapshot' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not delete snapshot nightly-2:');
    expect(alert.textContent).toContain(errorWords.CONFLICT.title);
  });
});

describe('Device page: shares', () => {
  const planned: PlanStep[] = [
    {
      where: 'remote',
      elevated: true,
      argv: ['net', 'conf', 'addshare', 'docs', '/srv/pool/docs', 'writeable=y', 'guest_ok=n'],
      description: 'Add the Samba share docs',
    },
  ];

  test('lists SMB and NFS shares with their access rules', async () => {
    setup({}, 'shares');
    const rows = await screen.findAllByTestId('share-row');
    expect(rows[0]!.textContent).toContain('Users: ndui-smb');
    expect(rows[1]!.textContent).toContain('NFS');
    expect(rows[1]!.textContent).toContain('Clients: 10.0.0.0/24');
    expect(rows[1]!.textContent).toContain('read-only');
  });

  test('a new share is previewed with dryRun first, and created with the same values', async () => {
    const bridge = setup(
      {
        'shares.create': (p) =>
          p.dryRun
            ? { applied: false, steps: planned }
            : {
                applied: true,
                steps: planned,
                value: {
                  name: p.name,
                  protocol: p.protocol,
                  path: '/srv/pool/docs',
                  readOnly: false,
                  users: p.users ?? [],
                  clients: [],
                },
              },
      },
      'shares',
    );
    await screen.findAllByTestId('share-row');
    const create = screen.getByRole('button', { name: 'Create share' });
    expect(create.hasAttribute('disabled')).toBe(true);

    await fireEvent.input(screen.getByLabelText('Share name'), { target: { value: 'docs' } });
    await fireEvent.input(screen.getByLabelText('Users allowed'), { target: { value: 'alice, bob' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));

    const plan = await screen.findByTestId('plan-preview');
    expect(plan.textContent).toContain('net conf addshare docs /srv/pool/docs writeable=y guest_ok=n');
    expect(plan.textContent).toContain('as administrator');
    expect(bridge.callsOf('shares.create')).toEqual([
      { protocol: 'smb', name: 'docs', readOnly: false, users: ['alice', 'bob'], device: 'd1', dryRun: true },
    ]);

    await fireEvent.click(create);
    await waitFor(() => expect(bridge.callsOf('shares.create')).toHaveLength(2));
    expect(bridge.callsOf('shares.create')[1]).toEqual({
      protocol: 'smb',
      name: 'docs',
      readOnly: false,
      users: ['alice', 'bob'],
      device: 'd1',
    });
    expect(await screen.findByText('SMB share docs created.')).toBeTruthy();
  });

  test('editing after the preview drops it: what is created is always what was previewed', async () => {
    setup({ 'shares.create': () => ({ applied: false, steps: planned }) }, 'shares');
    await screen.findAllByTestId('share-row');
    await fireEvent.input(screen.getByLabelText('Share name'), { target: { value: 'docs' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    await screen.findByTestId('plan-preview');

    await fireEvent.input(screen.getByLabelText('Share name'), { target: { value: 'docs2' } });
    await waitFor(() => expect(screen.queryByTestId('plan-preview')).toBeNull());
    expect(screen.getByRole('button', { name: 'Create share' }).hasAttribute('disabled')).toBe(true);
  });

  test('an NFS share takes clients, not users; an invalid name comes back in plain words', async () => {
    const bridge = setup(
      {
        'shares.create': () => {
          throw new AppError('INVALID_INPUT', 'name: Use letters, digits, dot, dash and underscore');
        },
      },
      'shares',
    );
    await screen.findAllByTestId('share-row');
    await fireEvent.click(screen.getByRole('radio', { name: /NFS/ }));
    await fireEvent.input(screen.getByLabelText('Share name'), { target: { value: 'bad name' } });
    await fireEvent.input(screen.getByLabelText('Clients allowed'), { target: { value: '10.0.0.0/24' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));

    expect(bridge.callsOf('shares.create')[0]).toMatchObject({ protocol: 'nfs', clients: ['10.0.0.0/24'] });
    expect(bridge.callsOf('shares.create')[0]).not.toHaveProperty('users');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(errorWords.INVALID_INPUT.title);
  });

  test('deleting a share shows its plan in the confirmation, then deletes it', async () => {
    const bridge = setup(
      {
        'shares.delete': (p) =>
          ({
            applied: !!p.dryRun === false,
            value: null,
            steps: [
              { where: 'remote', argv: ['net', 'conf', 'delshare', 'share1'], description: 'Remove the Samba share' },
            ],
          }) as never,
      },
      'shares',
    );
    await fireEvent.click(await screen.findByRole('button', { name: 'Delete SMB share share1' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete the share share1?' });
    expect(await within(dialog).findByText('net conf delshare share1')).toBeTruthy();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Delete share' }));
    await waitFor(() => expect(bridge.callsOf('shares.delete')).toHaveLength(2));
    expect(bridge.callsOf('shares.delete')[1]).toEqual({ device: 'd1', share: 'share1', protocol: 'smb' });
  });
});

describe('Device page: iSCSI', () => {
  test('lists targets with LUNs and CHAP; a new target with CHAP is previewed then created', async () => {
    const steps: PlanStep[] = [
      {
        where: 'remote',
        elevated: true,
        argv: ['tgtadm', '--op', 'new', '--mode', 'account', '--user', 'esx', '--password', '***'],
        description: 'Add the CHAP account',
      },
    ];
    const bridge = setup(
      {
        'iscsi.create': (p) =>
          p.dryRun ? { applied: false, steps } : { applied: true, steps, value: { ...target, name: p.name } },
      },
      'iscsi',
    );
    const row = await screen.findByTestId('iscsi-row');
    expect(row.textContent).toContain('iqn.2026-01.lab.ndui:vmstore');
    expect(row.textContent).toContain('LUN 1 1.0 GB');
    expect(row.textContent).toContain('CHAP: user esx');

    await fireEvent.input(screen.getByLabelText('Target name'), { target: { value: 'backup' } });
    await fireEvent.input(screen.getByLabelText('Size (GiB)'), { target: { value: '2' } });
    await fireEvent.input(screen.getByLabelText('CHAP user'), { target: { value: 'esx' } });
    await fireEvent.input(screen.getByLabelText('CHAP secret'), { target: { value: 'twelve-chars!' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));

    const plan = await screen.findByTestId('plan-preview');
    expect(plan.textContent).toContain('--password ***');
    expect(plan.textContent).not.toContain('twelve-chars!');
    await fireEvent.click(screen.getByRole('button', { name: 'Create target' }));
    await waitFor(() => expect(bridge.callsOf('iscsi.create')).toHaveLength(2));
    expect(bridge.callsOf('iscsi.create')[1]).toEqual({
      name: 'backup',
      sizeBytes: 2 * 1024 ** 3,
      initiators: [],
      chapUser: 'esx',
      chapSecret: 'twelve-chars!',
      device: 'd1',
    });
  });
});

describe('Device page: tabs', () => {
  test('arrow keys, Home and End move between tabs; only the selected tab is in the Tab order', async () => {
    setup({});
    const overview = screen.getByRole('tab', { name: 'Overview' });
    expect(overview.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tab', { name: 'Storage' }).getAttribute('tabindex')).toBe('-1');
    overview.focus();
    await fireEvent.keyDown(overview, { key: 'ArrowRight' });
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'Storage' }).getAttribute('aria-selected')).toBe('true'),
    );
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Storage' })));
    expect(screen.getByRole('tabpanel', { name: 'Storage' })).toBeTruthy();
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() => expect(screen.getByRole('tab', { name: 'iSCSI' }).getAttribute('aria-selected')).toBe('true'));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true'),
    );
  });
});
