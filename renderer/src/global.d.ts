import type { NasdeckBridge } from '../../shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent in browser mode. */
    nasdeck?: NasdeckBridge;
  }
}

export {};
