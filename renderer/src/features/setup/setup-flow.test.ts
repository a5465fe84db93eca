import { describe, expect, test } from 'vitest';
import { canAdvance, initialState, parseState, transition, type SetupEvent, type SetupState } from './setup-flow';

const run = (events: SetupEvent[], from: SetupState = initialState()) => events.reduce(transition, from);

describe('setup flow', () => {
  test('the whole way: welcome → find → sign in → shares → options → done', () => {
    const s = run([
      { type: 'next' },
      { type: 'chooseHost', host: '10.0.0.11', name: 'nas1' },
      { type: 'next' },
      { type: 'signedIn', id: 'd1', name: 'nas1' },
      { type: 'next' },
      { type: 'mounted', what: 'share1 at /mnt/share1' },
      { type: 'next' },
      { type: 'next' },
    ]);
    expect(s).toMatchObject({ step: 'done', deviceId: 'd1', mounted: ['share1 at /mnt/share1'] });
  });

  test('a step that needs an answer does not advance without it', () => {
    const atFind = run([{ type: 'next' }]);
    expect(atFind.step).toBe('find');
    expect(canAdvance(atFind)).toBe(false);
    expect(transition(atFind, { type: 'next' }).step).toBe('find');
    const atSignIn = run([{ type: 'chooseHost', host: 'nas.local', name: '' }, { type: 'next' }], atFind);
    expect(atSignIn.step).toBe('signin');
    expect(transition(atSignIn, { type: 'next' }).step).toBe('signin');
  });

  test('a NAS already saved skips sign-in, and Back returns to Find', () => {
    const s = run([{ type: 'next' }, { type: 'chooseSaved', id: 'd9', name: 'Attic' }, { type: 'next' }]);
    expect(s.step).toBe('shares');
    expect(transition(s, { type: 'back' }).step).toBe('find');
  });

  test('skipping Find goes to the options and forgets a half-chosen NAS; welcome and sign-in cannot be skipped', () => {
    expect(transition(initialState(), { type: 'skip' }).step).toBe('welcome');
    const s = run([{ type: 'next' }, { type: 'chooseHost', host: 'x', name: '' }, { type: 'skip' }]);
    expect(s).toMatchObject({ step: 'options', host: null, deviceId: null });
    expect(transition(s, { type: 'back' }).step).toBe('find');
    const signin = run([{ type: 'next' }, { type: 'chooseHost', host: 'x', name: '' }, { type: 'next' }]);
    expect(transition(signin, { type: 'skip' }).step).toBe('signin');
  });

  test('shares and options can be skipped', () => {
    const shares = run([{ type: 'next' }, { type: 'chooseSaved', id: 'd', name: 'n' }, { type: 'next' }]);
    expect(transition(shares, { type: 'skip' }).step).toBe('options');
    expect(run([{ type: 'skip' }, { type: 'skip' }], shares).step).toBe('done');
  });

  test('resumes from saved JSON; damaged or foreign data starts over', () => {
    const s = run([{ type: 'next' }, { type: 'chooseSaved', id: 'd', name: 'n' }, { type: 'nasChanged', what: 'x' }]);
    expect(parseState(JSON.stringify(s))).toEqual(s);
    expect(parseState('{"step":"launch-missiles"}')).toEqual(initialState());
    expect(parseState('not json')).toEqual(initialState());
    expect(parseState(null)).toEqual(initialState());
    expect(parseState('{"step":"shares","mounted":[1,"a"],"deviceId":5}')).toMatchObject({
      step: 'shares',
      mounted: ['a'],
      deviceId: null,
    });
  });

  test('restart goes back to the welcome with nothing remembered', () => {
    const s = run([{ type: 'next' }, { type: 'chooseSaved', id: 'd', name: 'n' }, { type: 'restart' }]);
    expect(s).toEqual(initialState());
  });
});
