// Turns anything a call throws into the words the UI shows (the same words as the CLI).
import { errorWords, type ErrorCode } from '../../../shared/errors';
import { CallError, LINK_LOST } from './client';

export interface ErrorText {
  code: ErrorCode;
  /** Plain words: what happened. */
  title: string;
  /** What the user can do about it; may be empty. */
  fix: string;
  /** The specific message from the app, e.g. which name already exists. */
  message: string;
  details: Record<string, unknown> | undefined;
}

/** The words for a failure, or null when there is nothing to show (the user cancelled). */
export function describeError(err: unknown): ErrorText | null {
  const wire =
    err instanceof CallError
      ? err.wire
      : { code: 'INTERNAL' as const, message: err instanceof Error ? err.message : String(err) };
  if (wire.code === 'CANCELLED') return null;
  if (wire.details?.link === LINK_LOST.link) {
    // Our own connection to the app dropped: the NAS is not the one to check.
    return {
      code: wire.code,
      title: 'Not connected to Nasdeck',
      fix: 'Nasdeck reconnects by itself and reloads this page’s data when it is back.',
      message: '',
      details: undefined,
    };
  }
  const words = errorWords[wire.code] ?? errorWords.INTERNAL;
  return { code: wire.code, title: words.title, fix: words.fix, message: wire.message, details: wire.details };
}
