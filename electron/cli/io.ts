// The CLI's streams, injected so commands run in-process in tests exactly as from a terminal.
import { AppError } from '../../shared/errors';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The rest of stdin, for --password-stdin and friends. */
  readStdin: () => Promise<string>;
  /** A hidden prompt on an interactive terminal, or null when stdin is not a terminal. */
  promptHidden: ((question: string) => Promise<string>) | null;
  env: NodeJS.ProcessEnv;
}

/** One secret line: prompted (hidden) on a terminal, else the first line of stdin. */
export async function readSecret(io: CliIo, what: string): Promise<string> {
  const text = io.promptHidden ? await io.promptHidden(`${what}: `) : (await io.readStdin()).split(/\r?\n/)[0];
  if (!text) throw new AppError('INVALID_INPUT', `No ${what.toLowerCase()} on standard input.`);
  return text;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    promptHidden: process.stdin.isTTY ? promptHidden : null,
    env: process.env,
  };
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
