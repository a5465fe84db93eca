// `npm run web`: serve the app to a local browser, printing the tokenized URL like Jupyter does.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/api';
import { startWebHost } from './server';

function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Bundled as dist/electron/web.mjs, or run from source as electron/web/index.ts.
  const candidates = [
    process.env.NASDECK_RENDERER_DIR,
    join(here, '..', 'renderer'),
    join(here, '..', '..', 'dist', 'renderer'),
  ];
  const found = candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'index.html')));
  if (!found) throw new Error('The renderer is not built: run `npm run build` first.');
  return found;
}

const portArg = process.argv.indexOf('--port');
const port = Number(portArg > 0 ? process.argv[portArg + 1] : (process.env.NASDECK_WEB_PORT ?? 0));
const core = createCore({ log: (line) => process.stderr.write(`${line}\n`) });
core.watchConfig();
const host = await startWebHost({ core, staticDir: rendererDir(), port });
process.stdout.write(
  `Nasdeck is running in browser mode. Open this URL (it contains this run's access token):\n${host.url}\n`,
);

const stop = () => void Promise.all([host.close(), core.close()]).then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
