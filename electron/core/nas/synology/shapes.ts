// Readers for DSM answers: DSM sends sizes as strings and adds keys per version, so values are
// read by name and checked; a wrong type is a typed error naming the field, never a crash.
import { AppError } from '../../../../shared/errors';

export type Obj = Record<string, unknown>;

export function isRecord(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function shapeError(what: string, expected: string): AppError {
  return new AppError('INTERNAL', `DSM answered with an unexpected shape: ${what} is not ${expected}.`, {
    field: what,
  });
}

export function obj(value: unknown, what: string): Obj {
  if (!isRecord(value)) throw shapeError(what, 'an object');
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw shapeError(what, 'a list');
  return value;
}

export function text(value: unknown, what: string, fallback?: string): string {
  if (typeof value === 'string') return value;
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  throw shapeError(what, 'text');
}

/** A byte count or other integer that DSM may send as a number or as a decimal string. */
export function count(value: unknown, what: string, fallback?: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if ((value === undefined || value === null || value === '') && fallback !== undefined) return fallback;
  throw shapeError(what, 'a number');
}

export function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === 'yes' || value === 1;
}
