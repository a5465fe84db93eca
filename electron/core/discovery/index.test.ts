import { describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { Discovery, interfacesFromEnv } from './index';
import type { DiscoverySource, Sighting } from './sighting';

describe('Discovery', () => {
  it('reads the interface limit from the environment, ignoring anything that is not an IP address', () => {
    expect(
      interfacesFromEnv({ NASDECK_DISCOVERY_INTERFACES: '10.0.0.5, 192.168.1.9,eth0,fd00::5,fe80::1%eth0,fd00::zz' }),
    ).toEqual(['10.0.0.5', '192.168.1.9', 'fd00::5', 'fe80::1%eth0']);
    expect(interfacesFromEnv({ NASDECK_DISCOVERY_INTERFACES: 'eth0' })).toBeUndefined();
    expect(interfacesFromEnv({})).toBeUndefined();
  });

  it('merges its sources into events, keeps going when one source cannot start, and stops them all', async () => {
    const events = new EventBus();
    const seen: string[] = [];
    events.onAny((e, p) => seen.push(`${e} ${(p as { name: string }).name}`));
    let stopped = 0;
    let emit: (s: Sighting) => void = () => undefined;
    const working: DiscoverySource = {
      name: 'mdns',
      start: async (cb) => void (emit = cb),
      stop: async () => void stopped++,
    };
    const broken: DiscoverySource = {
      name: 'synology-finder',
      start: async () => {
        throw Object.assign(new Error('bind EADDRINUSE 0.0.0.0:9999'), { code: 'EADDRINUSE' });
      },
      stop: async () => void stopped++,
    };
    const discovery = new Discovery(events, { sources: () => [broken, working] });
    await discovery.start();
    expect(discovery.isRunning).toBe(true);
    emit({
      source: 'mdns',
      key: 'nas.local',
      hostname: 'nas.local',
      addresses: ['10.0.0.2'],
      services: [{ type: '_smb._tcp', port: 445 }],
      ttl: 120,
    });
    expect(discovery.list().map((d) => d.name)).toEqual(['nas']);
    emit({ source: 'mdns', key: 'nas.local', addresses: [], services: [], ttl: 0 });
    expect(seen).toEqual(['discovery.deviceFound nas', 'discovery.deviceLost nas']);
    await discovery.stop();
    expect(stopped).toBe(1); // only the source that started
    expect(discovery.isRunning).toBe(false);
  });
});
