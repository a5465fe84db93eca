import { describe, expect, it } from 'vitest';
import { parseHost } from './host';

describe('parseHost', () => {
  it.each([
    ['nas', { host: 'nas' }],
    ['NAS.local', { host: 'nas.local' }],
    ['192.168.1.20', { host: '192.168.1.20' }],
    ['192.168.1.20:2222', { host: '192.168.1.20', port: 2222 }],
    ['nas.lan:22', { host: 'nas.lan', port: 22 }],
    ['fe80::1', { host: 'fe80::1' }],
    ['[fd00::5]:5001', { host: 'fd00::5', port: 5001 }],
    ['[::1]', { host: '::1' }],
    ['https://nas:5001', { host: 'nas', port: 5001, url: 'https://nas:5001/' }],
    ['wss://truenas.lan/api/current', { host: 'truenas.lan', url: 'wss://truenas.lan/api/current' }],
    ['https://[fd00::5]:5001/', { host: 'fd00::5', port: 5001, url: 'https://[fd00::5]:5001/' }],
  ])('accepts %s', (input, expected) => {
    expect(parseHost(input)).toEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['nas box', /spaces/],
    ['nas\n; rm -rf /', /spaces or control/],
    ['999.1.1.1', /not a valid IPv4/],
    ['nas:0', /between 1 and 65535/],
    ['nas:70000', /between 1 and 65535/],
    ['nas:22x', /between 1 and 65535/],
    ['-nas', /not a valid host name/],
    ['$(touch\t/tmp/x)', /spaces or control/],
    ['$(reboot)', /not a valid host name/],
    ['<b>nas</b>', /not a valid host name/],
    ['fe80::1:22:zz', /IPv6 needs \[brackets\]/],
    ['[nas]:22', /not a valid IPv6/],
    ['ftp://nas', /not supported/],
    ['https://admin:pw@nas', /keychain/],
    ['a'.repeat(64) + '.lan', /not a valid host name/],
  ])('refuses %j with INVALID_INPUT', (input, message) => {
    expect(() => parseHost(input)).toThrowError(message);
    try {
      parseHost(input);
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_INPUT');
    }
  });
});
