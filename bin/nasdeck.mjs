#!/usr/bin/env node
// Runs the built CLI; `npm run build` produces it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/electron/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('nasdeck: the CLI is not built yet; run `npm run build` in the Nasdeck checkout.\n');
  process.exit(1);
}
await import(cli);
