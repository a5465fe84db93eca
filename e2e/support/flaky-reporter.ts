// A vitest reporter that names every test that passed only on a retry (the lab project retries
// once: real daemons on real links can hiccup), in the log and in e2e/output/flaky.txt, so a
// retried test is seen and fixed rather than hidden.
import { appendFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';

export const FLAKY_FILE = 'e2e/output/flaky.txt';

export default class FlakyReporter implements Reporter {
  onTestCaseResult(test: TestCase): void {
    const diagnostic = test.diagnostic();
    if (!diagnostic?.flaky) return;
    // The failed attempts' errors stay on the passed result: the first says what went wrong.
    const first = test.result().errors?.[0];
    const why = first
      ? `: ${String(first.message ?? first)
          .split('\n')[0]!
          .slice(0, 300)}${whereInTest(first.stack, test.module.moduleId)}`
      : '';
    const line = `${relative(process.cwd(), test.module.moduleId)} › ${test.fullName} (passed on retry ${diagnostic.retryCount})${why}`;
    mkdirSync('e2e/output', { recursive: true });
    appendFileSync(FLAKY_FILE, `${line}\n`);
    console.error(`FLAKY ${line}`);
  }
}

/** " (line N)" of the first stack frame inside the test file, when there is one. */
function whereInTest(stack: string | undefined, file: string): string {
  const frame = stack?.split('\n').find((l) => l.includes(file));
  const at = frame ? /:(\d+):\d+\)?\s*$/.exec(frame)?.[1] : undefined;
  return at ? ` (line ${at})` : '';
}
