// Saves the config in a tight loop until killed; the kill -9 test runs several of these at once.
import { ConfigStore } from '../config';

const dir = process.argv[2];
if (!dir) throw new Error('usage: save-loop.ts DIR');
const store = new ConfigStore(dir, { lockTimeoutMs: 60_000 });
let n = 0;
process.send?.('ready');
for (;;) {
  await store.mutate((c) => {
    n += 1;
    c.settings.theme = n % 2 ? 'dark' : 'light';
    c.devices.push({
      id: `${process.pid}-${n}`,
      name: `dev ${process.pid} ${n} ${'x'.repeat(n % 200)}`,
      host: `10.0.${n % 250}.1`,
      addresses: [],
      vendor: 'unknown',
      model: null,
      osVersion: null,
      services: [],
      macs: [],
      access: { secrets: [] },
      addedAt: new Date().toISOString(),
    });
    if (c.devices.length > 40) c.devices.splice(0, 20);
  });
}
