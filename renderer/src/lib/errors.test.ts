import { describe, expect, test } from 'vitest';
import { errorWords } from '../../../shared/errors';
import { CallError, LINK_LOST } from './client';
import { describeError } from './errors';

describe('describeError', () => {
  test('gives the plain words, the fix and the message of a failed call', () => {
    const text = describeError(
      new CallError({ code: 'TIMEOUT', message: 'No answer from 10.0.0.2 in 10 s', details: { host: '10.0.0.2' } }),
    );
    expect(text).toEqual({
      code: 'TIMEOUT',
      title: errorWords.TIMEOUT.title,
      fix: errorWords.TIMEOUT.fix,
      message: 'No answer from 10.0.0.2 in 10 s',
      details: { host: '10.0.0.2' },
    });
  });

  test('says nothing for a cancelled operation', () => {
    expect(describeError(new CallError({ code: 'CANCELLED', message: 'Cancelled' }))).toBeNull();
  });

  test('blames the lost link to the app, not the NAS, when the connection dropped', () => {
    const text = describeError(
      new CallError({ code: 'UNREACHABLE', message: 'Lost the connection', details: { ...LINK_LOST } }),
    );
    expect(text?.title).toBe('Not connected to Nasdeck');
    expect(text?.title).not.toBe(errorWords.UNREACHABLE.title);
  });

  test('treats anything else thrown as an internal error with its message', () => {
    expect(describeError(new TypeError('x is undefined'))).toMatchObject({
      code: 'INTERNAL',
      title: errorWords.INTERNAL.title,
      message: 'x is undefined',
    });
  });
});
