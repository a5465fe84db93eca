// Power and network events → the mount monitor (MountService.onResume / onNetworkChange), so
// shares are checked right after sleep or a network switch instead of at the next liveness tick.
import { powerMonitor } from 'electron';
import { networkInterfaces } from 'node:os';
import type { Core } from '../core/api';
import { networkFingerprint } from '../core/desktop/lifecycle';

const NETWORK_POLL_MS = 10_000;

export function watchPowerAndNetwork(core: Core, log: (line: string) => void): () => void {
  // A power event must never take the app down.
  const wake = (hook: 'onResume' | 'onNetworkChange') => {
    try {
      core.mounts[hook]();
    } catch (err) {
      log(`mounts.${hook} failed: ${String(err)}`);
    }
  };
  const onResume = () => wake('onResume');
  powerMonitor.on('resume', onResume);

  // Electron has no network-change event in the main process: compare the interfaces' addresses.
  let last = networkFingerprint(networkInterfaces());
  const timer = setInterval(() => {
    const now = networkFingerprint(networkInterfaces());
    if (now === last) return;
    last = now;
    wake('onNetworkChange');
  }, NETWORK_POLL_MS);
  timer.unref();

  return () => {
    powerMonitor.off('resume', onResume);
    clearInterval(timer);
  };
}
