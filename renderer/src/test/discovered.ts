import type { DiscoveredDevice } from '../../../shared/domain';
import type { FakeHandlers } from './fake-bridge';

/** A device as discovery reports it, with only the fields a test cares about set. */
export function makeDiscovered(
  fields: Partial<DiscoveredDevice> & Pick<DiscoveredDevice, 'id' | 'name'>,
): DiscoveredDevice {
  return {
    hostname: null,
    addresses: [],
    vendor: 'unknown',
    model: null,
    osVersion: null,
    serial: null,
    services: [],
    macs: [],
    sources: ['mdns'],
    firstSeen: '2025-03-14T09:30:00.000Z',
    lastSeen: '2025-03-14T09:30:00.000Z',
    ...fields,
  };
}

/** Discovery that runs and has seen `devices`: for pages that show it but whose test is about something else. */
export function quietDiscovery(devices: DiscoveredDevice[] = []): FakeHandlers {
  return {
    'discovery.start': () => ({ running: true }),
    'discovery.stop': () => ({ running: false }),
    'discovery.list': () => devices,
  };
}
