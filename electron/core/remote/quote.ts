// The one POSIX quoting function. ssh2's exec takes a single string that the remote shell
// parses; argv arrays become that string here and nowhere else.
import { AppError } from '../../../shared/errors';

export type Argv = readonly [string, ...string[]];

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for a POSIX shell. NUL and newlines are refused, never escaped. */
export function quoteArg(arg: string): string {
  if (/[\0\n\r]/.test(arg)) {
    throw new AppError('INVALID_INPUT', 'Values may not contain NUL or line breaks.', { value: arg.slice(0, 80) });
  }
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv array as one remote shell line. The program name is quoted like any argument. */
export function shellLine(argv: Argv): string {
  if (argv.length === 0 || argv[0] === '') throw new AppError('INVALID_INPUT', 'Empty command.');
  return argv.map(quoteArg).join(' ');
}
