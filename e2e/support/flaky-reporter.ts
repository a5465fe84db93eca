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
    const line = `${relative(process.cwd(), test.module.moduleId)} › ${test.fullName} (passed on retry ${diagnostic.retryCount})`;
    mkdirSync('e2e/output', { recursive: true });
    appendFileSync(FLAKY_FILE, `${line}\n`);
    console.error(`FLAKY ${line}`);
  }
}
