// A failed command becomes a typed error: argv (secrets redacted), exit code and the stderr tail
// under details; the code from what the failure means, not from stderr alone where an exit code says it.
import { AppError, type ErrorCode } from '../../../shared/errors';
import type { Argv } from './quote';
import { redact } from './runner';
import type { ExecResult } from './ssh';

const PATTERNS: Array<[RegExp, ErrorCode]> = [
  [
    /a (terminal|password) is required|is not in the sudoers|not allowed to execute|incorrect password attempt/i,
    'PERMISSION_DENIED',
  ],
  [/permission denied|operation not permitted/i, 'PERMISSION_DENIED'],
  [/command not found|not found in \$PATH|no such command/i, 'NOT_SUPPORTED'],
  [/already exists|file exists|in use|busy/i, 'CONFLICT'],
  [/no such file or directory|does not exist|can't find|cannot find|not found/i, 'NOT_FOUND'],
];

export function commandError(argv: Argv, result: ExecResult, what: string, secrets: readonly string[] = []): AppError {
  const stderr = redact([result.stderr.trim()], secrets)[0]!.slice(-2000);
  const code: ErrorCode =
    result.code === 127 ? 'NOT_SUPPORTED' : (PATTERNS.find(([re]) => re.test(stderr))?.[1] ?? 'INTERNAL');
  const firstLine = stderr.split('\n').find((l) => l.trim()) ?? `exit code ${result.code}`;
  return new AppError(code, `${what} failed: ${firstLine}`, {
    argv: redact(argv, secrets),
    exitCode: result.code,
    stderr,
  });
}
