// The first-run assistant's steps as data: a small state machine, pure, so it is tested without a
// screen and saved between runs (the assistant resumes where the user left it).

export const stepIds = ['welcome', 'find', 'signin', 'shares', 'options', 'done'] as const;
export type StepId = (typeof stepIds)[number];

export interface StepSpec {
  id: StepId;
  title: string;
  /** Can the user go on without doing this step? */
  skippable: boolean;
}

export const steps: readonly StepSpec[] = [
  { id: 'welcome', title: 'Welcome', skippable: false },
  { id: 'find', title: 'Find your NAS', skippable: true },
  { id: 'signin', title: 'Sign in', skippable: false },
  { id: 'shares', title: 'Shares to mount', skippable: true },
  { id: 'options', title: 'Options', skippable: true },
  { id: 'done', title: 'Done', skippable: false },
];

export interface SetupState {
  step: StepId;
  /** The NAS picked in "Find": an address to sign in to. */
  host: string | null;
  hostName: string | null;
  /** The saved device once signed in (or picked from the saved list). */
  deviceId: string | null;
  deviceName: string | null;
  /** What was mounted on this computer ("media at ~/NAS/media"). */
  mounted: string[];
  /** What changed on the NAS (shares created, and rolled back). */
  nasChanges: string[];
}

export type SetupEvent =
  | { type: 'next' }
  | { type: 'back' }
  | { type: 'skip' }
  | { type: 'chooseHost'; host: string; name: string }
  | { type: 'chooseSaved'; id: string; name: string }
  | { type: 'signedIn'; id: string; name: string }
  | { type: 'mounted'; what: string }
  | { type: 'nasChanged'; what: string }
  | { type: 'restart' };

export const initialState = (): SetupState => ({
  step: 'welcome',
  host: null,
  hostName: null,
  deviceId: null,
  deviceName: null,
  mounted: [],
  nasChanges: [],
});

const indexOf = (step: StepId) => stepIds.indexOf(step);
const at = (state: SetupState, step: StepId): SetupState => ({ ...state, step });

/** Whether "Next" is allowed from here: a step that needs an answer waits for it. */
export function canAdvance(state: SetupState): boolean {
  switch (state.step) {
    case 'find':
      return state.host !== null || state.deviceId !== null;
    case 'signin':
      return state.deviceId !== null;
    case 'shares':
      return state.deviceId !== null;
    default:
      return state.step !== 'done';
  }
}

/** The step "Next" leads to: a device picked from the saved list needs no sign-in. */
function after(state: SetupState): StepId {
  if (state.step === 'find' && state.deviceId !== null) return 'shares';
  return stepIds[Math.min(indexOf(state.step) + 1, stepIds.length - 1)]!;
}

/** The step "Back" leads to, mirroring `after`. */
function before(state: SetupState): StepId {
  if (state.step === 'shares' && state.host === null) return 'find';
  if (state.step === 'options' && state.deviceId === null) return 'find';
  return stepIds[Math.max(indexOf(state.step) - 1, 0)]!;
}

export function transition(state: SetupState, event: SetupEvent): SetupState {
  switch (event.type) {
    case 'next':
      return canAdvance(state) ? at(state, after(state)) : state;
    case 'back':
      return state.step === 'welcome' ? state : at(state, before(state));
    case 'skip': {
      const spec = steps.find((s) => s.id === state.step)!;
      if (!spec.skippable) return state;
      // No NAS found now: the rest of the NAS steps make no sense, go to the options.
      if (state.step === 'find') return { ...at(state, 'options'), host: null, hostName: null, deviceId: null };
      return at(state, stepIds[indexOf(state.step) + 1]!);
    }
    case 'chooseHost':
      return { ...state, host: event.host, hostName: event.name, deviceId: null, deviceName: null };
    case 'chooseSaved':
      return { ...state, host: null, hostName: null, deviceId: event.id, deviceName: event.name };
    case 'signedIn':
      return { ...state, deviceId: event.id, deviceName: event.name };
    case 'mounted':
      return { ...state, mounted: [...state.mounted, event.what] };
    case 'nasChanged':
      return { ...state, nasChanges: [...state.nasChanges, event.what] };
    case 'restart':
      return initialState();
  }
}

/** Position for "Step 2 of 6". */
export const stepNumber = (step: StepId) => indexOf(step) + 1;

const isStep = (v: unknown): v is StepId => typeof v === 'string' && (stepIds as readonly string[]).includes(v);
const strOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A saved state read back; anything damaged starts over rather than failing. */
export function parseState(text: string | null): SetupState {
  if (!text) return initialState();
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (!isStep(raw.step)) return initialState();
    return {
      step: raw.step,
      host: strOrNull(raw.host),
      hostName: strOrNull(raw.hostName),
      deviceId: strOrNull(raw.deviceId),
      deviceName: strOrNull(raw.deviceName),
      mounted: strings(raw.mounted),
      nasChanges: strings(raw.nasChanges),
    };
  } catch {
    return initialState();
  }
}
