// `npm run dist`: packages Nasdeck for this OS with electron-builder (build/electron-builder.config.ts).
// keytar is rebuilt for Electron's ABI here, right before packaging, and put back for Node after,
// so the CLI in a checkout and the test suite keep working (never in postinstall).
// Needs the Electron binary and headers (downloaded from GitHub releases and electronjs.org).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rebuild } from '@electron/rebuild';
import { build } from 'electron-builder';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronVersion = JSON.parse(
  readFileSync(new URL('../node_modules/electron/package.json', import.meta.url)),
).version;

function npm(...args) {
  // Constant arguments only; a shell is needed on Windows to start npm.cmd.
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

npm('run', 'build');
try {
  console.log(`Rebuilding keytar for Electron ${electronVersion}…`);
  await rebuild({ buildPath: root, electronVersion, onlyModules: ['keytar'], force: true });
  await build({ projectDir: root, config: 'build/electron-builder.config.ts', publish: 'never' });
} finally {
  console.log('Rebuilding keytar for Node again…');
  npm('rebuild', 'keytar');
}
