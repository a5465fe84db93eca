// Runs before every renderer test file.
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  delete window.nasdeck;
  sessionStorage.clear();
});
