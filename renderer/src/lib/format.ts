// How sizes, shares of a whole and ages read on screen.
import type { HealthState } from '../../../shared/domain';

const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 1536 → "1.5 KB"; binary steps (what df and the NAS show), short unit names. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** used/size as 0..1, 0 for an empty or unknown size. */
export const fraction = (used: number, size: number): number => (size > 0 ? Math.min(1, Math.max(0, used / size)) : 0);

export const percent = (value: number): string => `${Math.round(value * 100)}%`;

/** "12 s ago", "5 min ago", "3 h ago", else a date. */
export function formatAge(iso: string | number, now = Date.now()): string {
  const then = typeof iso === 'number' ? iso : new Date(iso).getTime();
  if (Number.isNaN(then)) return String(iso);
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(then).toLocaleDateString();
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** The one health vocabulary, in words, for every badge in the app. */
export const healthWords: Record<HealthState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  rebuilding: 'Rebuilding',
  scrubbing: 'Scrubbing',
  failed: 'Failed',
  unknown: 'Unknown',
};
