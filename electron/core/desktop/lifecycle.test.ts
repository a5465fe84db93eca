import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { networkFingerprint } from './lifecycle';

const iface = (address: string, internal = false): NetworkInterfaceInfo =>
  ({
    address,
    internal,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    netmask: '',
    mac: '',
    cidr: null,
  }) as NetworkInterfaceInfo;

describe('network fingerprint', () => {
  it('ignores loopback and link-local addresses and interface order', () => {
    const a = networkFingerprint({
      lo: [iface('127.0.0.1', true)],
      eth0: [iface('192.168.1.5'), iface('fe80::1')],
      wg0: [iface('10.0.0.2')],
    });
    const b = networkFingerprint({ wg0: [iface('10.0.0.2')], eth0: [iface('192.168.1.5')] });
    expect(a).toBe('eth0=192.168.1.5,wg0=10.0.0.2');
    expect(b).toBe(a);
  });
  it('changes when an address changes or a VPN goes down', () => {
    const before = networkFingerprint({ eth0: [iface('192.168.1.5')], wg0: [iface('10.0.0.2')] });
    expect(networkFingerprint({ eth0: [iface('192.168.1.6')], wg0: [iface('10.0.0.2')] })).not.toBe(before);
    expect(networkFingerprint({ eth0: [iface('192.168.1.5')] })).not.toBe(before);
  });
});
