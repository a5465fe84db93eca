import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { magicPacket, sendWake, subnetBroadcast } from './wake';

describe('Wake-on-LAN', () => {
  it('builds the magic packet: six 0xFF, then the MAC sixteen times', () => {
    const p = magicPacket('00:11:32:aa:bb:cc');
    expect(p.length).toBe(102);
    expect(p.subarray(0, 6)).toEqual(Buffer.alloc(6, 0xff));
    for (let i = 0; i < 16; i++) expect(p.subarray(6 + i * 6, 12 + i * 6).toString('hex')).toBe('001132aabbcc');
    expect(() => magicPacket('00:11:32')).toThrow(/not a MAC/);
  });

  it('computes subnet broadcast addresses', () => {
    expect(subnetBroadcast('192.168.1.20', '255.255.255.0')).toBe('192.168.1.255');
    expect(subnetBroadcast('10.1.2.3', '255.255.0.0')).toBe('10.1.255.255');
    expect(subnetBroadcast('172.16.5.9', '255.255.255.252')).toBe('172.16.5.11');
  });

  it('sends one packet per MAC to each target', async () => {
    const listener = createSocket('udp4');
    const received: Buffer[] = [];
    listener.on('message', (m) => received.push(m));
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', () => r()));
    const port = listener.address().port;
    const sent = await sendWake(['00:11:32:aa:bb:cc', '00:11:32:aa:bb:cd'], ['127.0.0.1'], port);
    await new Promise((r) => setTimeout(r, 100));
    listener.close();
    expect(sent).toEqual(['127.0.0.1']);
    expect(received.map((b) => b.subarray(6, 12).toString('hex')).sort()).toEqual(['001132aabbcc', '001132aabbcd']);
  });
});
