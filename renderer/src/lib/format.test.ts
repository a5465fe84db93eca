import { describe, expect, test } from 'vitest';
import { formatAge, formatBytes, fraction, percent } from './format';

describe('format', () => {
  test('bytes in binary steps', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4.0 GB');
    expect(formatBytes(150 * 1024 ** 4)).toBe('150 TB');
    expect(formatBytes(-1)).toBe('—');
  });
  test('fractions are clamped; an empty pool is 0%', () => {
    expect(percent(fraction(1, 4))).toBe('25%');
    expect(fraction(5, 4)).toBe(1);
    expect(fraction(1, 0)).toBe(0);
  });
  test('ages', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatAge('2026-01-01T11:59:30Z', now)).toBe('30 s ago');
    expect(formatAge(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAge(now - 3 * 3600_000, now)).toBe('3 h ago');
  });
});
