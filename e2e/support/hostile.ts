// Hostile strings for injection tests: each must arrive as one literal value or be refused.
export const SENTINEL = '/tmp/nasdeck-pwned';

/** ≥ 200 distinct strings: shell metacharacters, option look-alikes, quoting tricks, unicode, length. */
export function hostileCorpus(): string[] {
  const cmd = `touch ${SENTINEL}`;
  const wrappers = [
    (c: string) => `$(${c})`,
    (c: string) => `\`${c}\``,
    (c: string) => `; ${c}`,
    (c: string) => `;${c};`,
    (c: string) => `| ${c}`,
    (c: string) => `|| ${c}`,
    (c: string) => `&& ${c}`,
    (c: string) => `& ${c} &`,
    (c: string) => `' ; ${c} ; '`,
    (c: string) => `" ; ${c} ; "`,
    (c: string) => `'$(${c})'`,
    (c: string) => `"$(${c})"`,
    (c: string) => `\\$(${c})`,
    (c: string) => `$({${c.replace(' ', ',')}})`,
    (c: string) => `\${IFS}${c.replace(' ', '${IFS}')}`,
    () => `> ${SENTINEL}`,
    (c: string) => `>> ${SENTINEL} ${c}`,
    (c: string) => `< /etc/passwd ${c}`,
    (c: string) => `\n${c}`,
    (c: string) => `\r\n${c}`,
    (c: string) => `\0${c}`,
    (c: string) => `x\t${c}`,
    (c: string) => `--exec=${c}`,
    (c: string) => `-o ProxyCommand=${c}`,
    (c: string) => `--help ${c}`,
    (c: string) => `*; ${c}`,
    (c: string) => `~root/${c}`,
    (c: string) => `../../../../${c}`,
    (c: string) => `%s%n%x ${c}`,
    (c: string) => `{${c}}`,
    (c: string) => `!${c}`,
    (c: string) => `#${c}`,
    (c: string) => `ünïcødé 𝄞 ${c}`,
    (c: string) => `\u202e${c}`,
    (c: string) => `${c}${'A'.repeat(4000)}`,
  ];
  const prefixes = ['', 'share', '/tmp/', 'a b', '-'];
  const out = new Set<string>();
  for (const p of prefixes) for (const w of wrappers) out.add(p + w(cmd));
  for (const s of [
    '$(id)',
    '`reboot`',
    'a\u0000b',
    'line1\nline2',
    '\u00a0',
    '%00',
    '',
    ' ',
    '-',
    '--',
    '-rf',
    '--force',
    '.',
    '..',
    '/',
    '//',
    '*',
    '?',
    '[a-z]',
    '$HOME',
    '${HOME}',
    '\\',
    "'",
    '"',
    '`',
    '$',
    ';',
    '|',
    '&',
  ])
    out.add(s);
  return [...out];
}
