import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from './paths';

describe('defaultConfigDir', () => {
  it('follows each platform convention', () => {
    expect(defaultConfigDir('linux', {}, '/home/u')).toBe('/home/u/.config/nasdeck');
    expect(defaultConfigDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/nasdeck');
    expect(defaultConfigDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Nasdeck');
    expect(defaultConfigDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toMatch(
      /Roaming[\\/]Nasdeck$/,
    );
  });

  it('lets NASDECK_CONFIG_DIR win everywhere', () => {
    for (const p of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultConfigDir(p, { NASDECK_CONFIG_DIR: '/tmp/cfg' }, '/h')).toBe('/tmp/cfg');
    }
  });
});
