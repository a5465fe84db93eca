// Adds up the JSON reports of vitest and Playwright into one closing line: "N passed, N failed, N skipped",
// preceded by the name and first message line of every failure, so the tail of a CI log says what broke.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = process.argv[2] ?? 'e2e/output';
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const flaky = [];

const firstLines = (text, n = 3) =>
  String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ')
    .slice(0, 400);

for (const name of existsSync(dir) ? readdirSync(dir) : []) {
  if (!name.endsWith('.json')) continue;
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  if (name.startsWith('vitest-')) {
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.success === false && !report.numFailedTests ? 1 : 0);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    for (const file of report.testResults ?? []) {
      const where = relative(process.cwd(), file.name);
      const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
      for (const test of failedTests) {
        failures.push(`${where} › ${test.fullName}: ${firstLines(test.failureMessages?.[0])}`);
      }
      // A failing hook or import fails the file without failing a test.
      if (file.status === 'failed' && failedTests.length === 0) {
        failures.push(`${where} (suite): ${firstLines(file.message)}`);
      }
    }
  } else if (name === 'playwright.json') {
    passed += (report.stats?.expected ?? 0) + (report.stats?.flaky ?? 0);
    failed += report.stats?.unexpected ?? 0;
    skipped += report.stats?.skipped ?? 0;
    // Suites nest: the file, then describe blocks; a spec's name is the describe titles and its own.
    const walk = (suite, outer) => {
      const titles = suite.title && suite.title !== suite.file ? [...outer, suite.title] : outer;
      for (const spec of suite.specs ?? []) {
        const name = `${spec.file} › ${[...titles, spec.title].join(' › ')}`;
        for (const test of spec.tests ?? []) {
          if (test.status === 'flaky') flaky.push(`${name} (passed on retry)`);
          if (test.status !== 'unexpected') continue;
          failures.push(`${name}: ${firstLines(test.results?.find((r) => r.error)?.error?.message)}`);
        }
      }
      for (const child of suite.suites ?? []) walk(child, titles);
    };
    for (const suite of report.suites ?? []) walk(suite, []);
  }
}
const flakyFile = join(dir, 'flaky.txt'); // written by e2e/support/flaky-reporter.ts (vitest)
if (existsSync(flakyFile)) flaky.push(...readFileSync(flakyFile, 'utf8').split('\n').filter(Boolean));
for (const line of flaky) console.log(`FLAKY ${line}`);
for (const line of failures) console.log(`FAILED ${line}`);
console.log(`test:all: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
