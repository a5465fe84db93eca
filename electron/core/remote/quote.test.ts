import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { quoteArg, shellLine } from './quote';

const run = promisify(execFile);

// Hostile strings a user (or a NAS) might hand us; each must arrive as exactly one literal argument.
const hostile = [
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a; rm -rf /',
  'a && b || c',
  '"double" and \'single\'',
  '--help',
  '-rf',
  '*',
  '~root',
  '${HOME}',
  '\\',
  'tab\there',
  'ünïcødé ✓ 𝄞',
  '',
  ' leading and trailing ',
  '#comment',
  '!event',
  'a|b>c<d',
  "'",
  "''",
  'x'.repeat(10_000),
];

describe('POSIX quoting', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteArg('btrfs')).toBe('btrfs');
    expect(quoteArg('/mnt/pool/share1')).toBe('/mnt/pool/share1');
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg('')).toBe("''");
    expect(shellLine(['net', 'conf', 'addshare', 'my share', '/p'])).toBe("net conf addshare 'my share' /p");
  });

  it('refuses NUL and line breaks', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\0b']) {
      expect(() => quoteArg(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    expect(() => shellLine([''] as unknown as [string])).toThrow();
  });

  it('round-trips every hostile string through a real sh as one literal argument', async () => {
    const line = shellLine(['printf', '%s\\0', ...hostile]);
    const { stdout } = await run('sh', ['-c', line], { maxBuffer: 1 << 20 });
    expect(stdout.split('\0').slice(0, -1)).toEqual(hostile);
  });
});
