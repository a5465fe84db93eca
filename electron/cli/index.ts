// The `nasdeck` executable's entry (bundled to dist/electron/cli.mjs, started by bin/nasdeck.mjs).
import { processIo } from './io';
import { runCli } from './main';

process.exitCode = await runCli(process.argv.slice(2), { io: processIo() });
