// The app's one assistant, made on first use (it reads localStorage, which tests replace).
import { SetupAssistant } from './setup.svelte';

let instance: SetupAssistant | undefined;
export const setupAssistant = (): SetupAssistant => (instance ??= new SetupAssistant());
