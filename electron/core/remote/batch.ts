// Privileged reads issued together (a dashboard refresh asks for pools, disks, shares… at once)
// run as ONE sudo: each sudo hashes the password on the NAS (~150 ms of CPU with yescrypt), so
// ten separate ones make a refresh slow and load the box. Like Cockpit's privileged bridge, but
// per batch: a constant bash script runs each argv (given as arguments, never as a string) and
// frames its exit code, stdout and stderr by byte length.
import { AppError } from '../../../shared/errors';
import type { Argv } from './quote';
import type { Runner, RunOptions } from './runner';
import type { ExecResult } from './ssh';

// One line: the SSH quoting refuses line breaks in any argument, constants included.
export const BATCH_SCRIPT =
  'export LC_ALL=C; e=$(mktemp) || exit 97; trap \'rm -f "$e"\' EXIT; ' +
  'while (( $# )); do n=$1; shift; ' +
  'o=$("${@:1:n}" 2>"$e" </dev/null; r=$?; printf x; exit $r); r=$?; o=${o%x}; ' +
  'x=$(cat "$e"; printf x); x=${x%x}; ' +
  'printf "%d %d %d\\n%s%s" "$r" "${#o}" "${#x}" "$o" "$x"; shift "$n"; done';

/** Splits the script's framed output back into one result per command. */
export function parseBatchOutput(stdout: Buffer, count: number): ExecResult[] {
  const results: ExecResult[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = stdout.indexOf(0x0a, at);
    const header = nl < 0 ? null : /^(\d+) (\d+) (\d+)$/.exec(stdout.subarray(at, nl).toString('latin1'));
    if (!header) throw new AppError('INTERNAL', `Batched command ${i + 1} of ${count} returned no result.`);
    const [code, outLen, errLen] = [Number(header[1]), Number(header[2]), Number(header[3])];
    const outStart = nl + 1;
    const errStart = outStart + outLen;
    at = errStart + errLen;
    if (at > stdout.length) throw new AppError('INTERNAL', `Batched command ${i + 1} of ${count} was cut short.`);
    results.push({
      code,
      stdout: stdout.subarray(outStart, errStart).toString('utf8'),
      stderr: stdout.subarray(errStart, at).toString('utf8'),
    });
  }
  return results;
}

const BATCH_WINDOW_MS = 4;

interface Pending {
  argv: Argv;
  options: RunOptions;
  resolve: (r: ExecResult) => void;
  reject: (e: unknown) => void;
}

export class BatchingRunner implements Runner {
  private queue: Pending[] = [];
  private scheduled = false;
  private batchesWork = true;

  constructor(private readonly inner: Runner) {}

  get live() {
    return this.inner.live;
  }

  run(argv: Argv, options: RunOptions): Promise<ExecResult> {
    const batchable =
      options.sudo && !options.mutates && options.stdin === undefined && !options.signal && this.batchesWork;
    if (!batchable) return this.inner.run(argv, options);
    return new Promise((resolve, reject) => {
      this.queue.push({ argv, options, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // A few milliseconds gather the reads that parallel code paths issue a little apart.
        setTimeout(() => void this.flush(), BATCH_WINDOW_MS);
      }
    });
  }

  private async flush() {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (batch.length === 1) return this.single(batch[0]!);
    const args = batch.flatMap((p) => [String(p.argv.length), ...p.argv]);
    try {
      const result = await this.inner.run(['bash', '-c', BATCH_SCRIPT, 'nasdeck-batch', ...args], {
        description: `${batch.length} privileged reads in one sudo: ${batch.map((p) => p.options.description).join('; ')}`,
        sudo: true,
        timeoutMs: Math.max(...batch.map((p) => p.options.timeoutMs ?? 30_000)),
      });
      if (result.code !== 0 && result.stdout === '') {
        // No bash, or sudo refused: say it per command, exactly as without batching.
        if (result.code === 127) this.batchesWork = false;
        return batch.forEach((p) => void this.single(p));
      }
      const results = parseBatchOutput(Buffer.from(result.stdout, 'utf8'), batch.length);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    }
  }

  private single(p: Pending) {
    return this.inner.run(p.argv, p.options).then(p.resolve, p.reject);
  }
}
