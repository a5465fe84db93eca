import type { Device } from '../../../shared/domain';

/** A device as core returns it, with only the fields a test cares about set. */
export function makeDevice(fields: Partial<Device> & Pick<Device, 'id' | 'name' | 'host'>): Device {
  return {
    addresses: [],
    vendor: 'unknown',
    model: null,
    osVersion: null,
    services: [],
    macs: [],
    access: { secrets: [] },
    addedAt: '2025-03-14T09:30:00.000Z',
    ...fields,
  };
}
