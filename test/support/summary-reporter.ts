/**
 * Ends every test run with one plain line, `tests: N passed, N failed, N skipped`, so tools that
 * read a run's closing line (CI among them) count vitest's results the same way as any runner's.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((total, module) => total + [...module.children.allTests(state)].length, 0);
    const failedModules = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests('failed')].length === 0).length;
    process.stdout.write(`\ntests: ${count('passed')} passed, ${count('failed') + failedModules} failed, ${count('skipped')} skipped\n`);
  }
}
