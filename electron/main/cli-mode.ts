// The packaged app is also the `nasdeck` CLI: the wrapper scripts shipped beside it (build/bin)
// run `<app> --nasdeck-cli <args…>`. The RunAsNode fuse is off, so the app binary cannot be used
// as plain Node; the CLI runs in the main process instead, with no window and no tray.
import { app } from 'electron';

export async function runCliMode(args: string[]): Promise<never> {
  app.dock?.hide();
  const [{ runCli }, { processIo }] = await Promise.all([import('../cli/main'), import('../cli/io')]);
  let code = 1;
  try {
    code = await runCli(args, { io: processIo() });
  } catch (err) {
    process.stderr.write(`nasdeck: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  app.exit(code);
  return process.exit(code);
}
