// Several NAS on one bridge: 2 (full persona TXT check) and 20 (avahi only), each on its own lab instance
// next to the main one, all host names resolved by mDNS from the client namespace.
import { describe, expect, it } from 'vitest';
import { checkClean, down, up, type LabState, type Persona } from './lab';
import { mdnsQuery, type MdnsRecord } from './lab-state';

function txtOf(records: MdnsRecord[], name: string): string[] {
  const r = records.find((x) => x.type === 'TXT' && x.name === name);
  return Array.isArray(r?.data) ? (r.data as string[]) : [];
}

async function resolveAll(state: LabState): Promise<Map<string, string[]>> {
  const hosts = state.nas.map((n) => `${n.hostname}.local`);
  const { records } = await mdnsQuery(
    state,
    hosts.map((name) => ({ name, type: 'A' as const })),
    12_000,
    hosts,
  );
  const out = new Map<string, string[]>();
  for (const r of records.filter((x) => x.type === 'A')) out.set(r.name, [...(out.get(r.name) ?? []), String(r.data)]);
  return out;
}

describe('two NAS with vendor personas', () => {
  it('come up with distinct host names, resolve by mDNS and advertise their vendor TXT', async () => {
    const instance = 'ndpair';
    const log = (m: string) => console.error(`[${instance}] ${m}`);
    try {
      const state = await up({ instance, nas: 2, personas: ['synology', 'truenas'], services: ['avahi', 'wsdd'], log });
      expect(new Set(state.nas.map((n) => n.hostname)).size).toBe(2);
      const resolved = await resolveAll(state);
      for (const n of state.nas) expect(resolved.get(`${n.hostname}.local`)).toEqual([n.address]);

      const [syno, tn] = state.nas as [LabState['nas'][0], LabState['nas'][0]];
      const { records } = await mdnsQuery(
        state,
        [
          { name: '_http._tcp.local', type: 'PTR' },
          { name: '_device-info._tcp.local', type: 'PTR' },
        ],
        2500,
      );
      const synoTxt = txtOf(records, `${syno.hostname}._http._tcp.local`);
      expect(synoTxt).toEqual(
        expect.arrayContaining([
          'vendor=Synology',
          'model=DS920+',
          'version_major=7',
          'admin_port=5000',
          `mac_address=${syno.mac}`,
        ]),
      );
      expect(
        records.find((r) => r.type === 'SRV' && r.name === `${syno.hostname}._http._tcp.local`)?.data,
      ).toMatchObject({ port: 5000 });
      // TrueNAS sends no vendor TXT on _http; it identifies itself through _device-info
      expect(txtOf(records, `${tn.hostname}._http._tcp.local`).some((t) => t.startsWith('vendor='))).toBe(false);
      expect(txtOf(records, `${tn.hostname}._device-info._tcp.local`)).toEqual(['model=MacPro7,1@ECOLOR=226,226,224']);
    } finally {
      await down(instance, { log });
    }
    expect(await checkClean(instance)).toEqual([]);
  });
});

describe('twenty NAS (avahi only)', () => {
  it('all resolve by mDNS to their own address; down leaves nothing behind', async () => {
    const instance = 'ndscale';
    const log = (m: string) => console.error(`[${instance}] ${m}`);
    const personas: Persona[] = Array.from(
      { length: 20 },
      (_, i) => (['linux', 'synology', 'truenas', 'qnap'] as const)[i % 4]!,
    );
    let upS = 0;
    let downS = 0;
    try {
      const t0 = Date.now();
      const state = await up({ instance, nas: 20, personas, services: ['avahi'], log });
      upS = (Date.now() - t0) / 1000;
      expect(state.nas).toHaveLength(20);
      expect(new Set(state.nas.map((n) => n.hostname)).size).toBe(20);
      expect(new Set(state.nas.map((n) => n.address)).size).toBe(20);
      const resolved = await resolveAll(state);
      for (const n of state.nas) expect(resolved.get(`${n.hostname}.local`), n.hostname).toEqual([n.address]);

      // a QNAP persona answers _qdiscover with its model/firmware TXT
      const q = state.nas.find((n) => n.persona === 'qnap')!;
      const { records } = await mdnsQuery(state, [{ name: '_qdiscover._tcp.local', type: 'PTR' }], 2500);
      const qTxt = txtOf(records, `${q.hostname}._qdiscover._tcp.local`);
      expect(qTxt).toEqual(expect.arrayContaining(['displayModel=TS-464C', 'fwVer=5.2.9', 'model=TS-X64']));
      expect(records.filter((r) => r.type === 'PTR' && r.name === '_qdiscover._tcp.local')).toHaveLength(5);
    } finally {
      const t1 = Date.now();
      await down(instance, { log });
      downS = (Date.now() - t1) / 1000;
      console.log(`[lab] N=20 (avahi only): up ${upS.toFixed(1)} s, down ${downS.toFixed(1)} s`);
    }
    expect(await checkClean(instance)).toEqual([]);
  });
});
