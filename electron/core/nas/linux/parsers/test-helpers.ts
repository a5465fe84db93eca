// Test-only helpers shared by the parser tests (fixtures and hostile inputs).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { AppError } from '../../../../../shared/errors';

export function fixture(tool: string, name: string): string {
  return readFileSync(new URL(`./__fixtures__/${tool}/${name}`, import.meta.url), 'utf8');
}

let big: string | undefined;
/** Hostile or malformed inputs every text parser must refuse with a typed AppError. */
export function hostileInputs(): Array<[string, unknown]> {
  big ??= 'x'.repeat(10 * 1024 * 1024);
  const garbage = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
  return [
    ['empty string', ''],
    ['whitespace', ' \n\t\n'],
    ['HTML error page', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['binary garbage', garbage],
    ['10 MB input', big],
    ['not a string', 42],
    ['null', null],
    ['random prose', 'sh: 1: command not found\nPermission denied\n'],
  ];
}

export function expectParseError(fn: () => unknown, code: 'INTERNAL' | 'INVALID_INPUT' = 'INTERNAL'): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  return caught as AppError;
}
