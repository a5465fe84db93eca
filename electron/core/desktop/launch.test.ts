import { describe, expect, it } from 'vitest';
import { cliArgs, requestedPage } from './launch';
import { isPageHref, pageHref } from './routes';

describe('launch arguments', () => {
  it('finds the CLI arguments after --nasdeck-cli', () => {
    expect(cliArgs(['/opt/Nasdeck/nasdeck', '--nasdeck-cli', 'status', '--json'])).toEqual(['status', '--json']);
    expect(cliArgs(['/opt/Nasdeck/nasdeck', '--nasdeck-cli', '--', '--help'])).toEqual(['--help']);
    expect(cliArgs(['/usr/bin/electron', '.', '--nasdeck-cli'])).toEqual([]);
    expect(cliArgs(['/opt/Nasdeck/nasdeck', '--hidden'])).toBeNull();
  });
  it('accepts only our own routes for --open', () => {
    expect(requestedPage(['x', '--open=#/mounts'])).toBe('#/mounts');
    expect(requestedPage(['x', '--open=#/device/a%20b'])).toBe('#/device/a%20b');
    expect(requestedPage(['x', '--open=https://evil.example/'])).toBeUndefined();
    expect(requestedPage(['x', '--open=#/mounts"><script>'])).toBeUndefined();
    expect(requestedPage(['x', '--open=javascript:alert(1)'])).toBeUndefined();
    expect(requestedPage(['x'])).toBeUndefined();
  });
});

describe('page routes', () => {
  it('encodes params the way the renderer decodes them', () => {
    expect(pageHref('mounts')).toBe('#/mounts');
    expect(pageHref('device', 'nas 1/x')).toBe('#/device/nas%201%2Fx');
    expect(isPageHref(pageHref('device', 'nas 1/x?#'))).toBe(true);
    expect(isPageHref('#/')).toBe(false);
    expect(isPageHref(`#/device/${'a'.repeat(600)}`)).toBe(false);
  });
});
