// A corpus of hostile strings through every mutating command, on the real lab NAS. None may
// execute (a sentinel file must never appear); each is used literally or refused as INVALID_INPUT.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName, CommandParams } from '../../../../shared/api';
import { nasExec, readLabState, type LabState } from '../../../../e2e/lab/lab-state';
import { hostileCorpus, SENTINEL } from '../../../../e2e/support/hostile';
import { createCore, type Core } from '../../api';
import { MemoryVault } from '../../secrets/vault';

let state: LabState;
let core: Core;

const sentinelOnNas = async () => (await nasExec(state, state.nas[0]!.index, ['test', '-e', SENTINEL])).code === 0;

beforeAll(async () => {
  state = readLabState();
  const nas = state.nas[0]!;
  core = createCore({ configDir: mkdtempSync(join(tmpdir(), 'nasdeck-hostile-')), vault: new MemoryVault() });
  const added = await core.dispatch('devices.add', {
    host: nas.address,
    name: 'lab',
    user: nas.ssh!.user,
    password: nas.ssh!.password,
    acceptNewHostKey: true,
  });
  expect(added.ok).toBe(true);
});
afterAll(() => core?.close());

describe('hostile input through every mutating command', () => {
  it('has at least 200 distinct hostile strings', () => {
    expect(hostileCorpus().length).toBeGreaterThanOrEqual(200);
  });

  it('never executes any of them, and answers each with a literal use or a typed refusal', async () => {
    const corpus = hostileCorpus();
    const codes = new Map<string, number>();
    const madeShares: string[] = [];
    // Several strings at a time (mutations on one host still run one by one, in the pool).
    const one = async (s: string, i: number) => {
      const attempts: Array<[CommandName, CommandParams<CommandName>]> = [
        ['shares.create', { device: 'lab', protocol: 'smb', name: s, users: [] }],
        ['shares.create', { device: 'lab', protocol: 'smb', name: `hx${i}`, path: `/srv/${s}`, users: [] }],
        ['shares.create', { device: 'lab', protocol: 'nfs', name: `hn${i}`, clients: [s] }],
        ['shares.delete', { device: 'lab', share: s }],
        ['snapshots.create', { device: 'lab', of: s, name: 'x' }],
        ['snapshots.create', { device: 'lab', of: 'share1', name: s }],
        ['snapshots.rollback', { device: 'lab', of: s, name: s }],
        ['snapshots.delete', { device: 'lab', of: 'share1', name: s }],
        ['pools.scrub', { device: 'lab', pool: s }],
        ['iscsi.create', { device: 'lab', name: s, sizeBytes: 2 ** 20, initiators: [] }],
        ['iscsi.create', { device: 'lab', name: `hi${i}`, sizeBytes: 2 ** 20, initiators: [s] }],
        ['iscsi.delete', { device: 'lab', target: s }],
      ];
      for (const [method, params] of attempts) {
        const r = await core.dispatch(method, params);
        if (r.ok) {
          // Used literally: the only hostile value that may pass is a path, which Samba takes as text.
          expect(method, `${method} accepted ${JSON.stringify(s).slice(0, 80)}`).toBe('shares.create');
          madeShares.push((params as { name: string }).name);
        } else {
          expect(
            ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
            `${method} ${JSON.stringify(s).slice(0, 60)}: ${r.error.code} ${r.error.message}`,
          ).toContain(r.error.code);
          codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
        }
      }
    };
    for (let start = 0; start < corpus.length; start += 8) {
      await Promise.all(corpus.slice(start, start + 8).map((s, k) => one(s, start + k + 1)));
      if (start % 48 === 0) expect(await sentinelOnNas(), `after ${start + 8} strings`).toBe(false);
    }
    // A share made with a hostile path holds that path literally.
    const shares = await core.dispatch('shares.list', { device: 'lab' });
    expect(shares.ok).toBe(true);
    for (const name of madeShares) {
      const share = (shares as { value: Array<{ name: string; path: string }> }).value.find((x) => x.name === name);
      expect(share?.path.startsWith('/srv/')).toBe(true);
      await core.dispatch('shares.delete', { device: 'lab', share: name });
    }
    expect(await sentinelOnNas()).toBe(false);
    expect(existsSync(SENTINEL)).toBe(false);
    expect(codes.get('INVALID_INPUT')).toBeGreaterThan(corpus.length);
  }, 600_000);
});
