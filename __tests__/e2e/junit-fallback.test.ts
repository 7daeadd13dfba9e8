/**
 * A JUnit report that cannot be read (here cut in half by the project's conftest after pytest wrote
 * it) fails the step with an error naming the file, and pytest's own counts are still reported.
 */
import { makeTempDir, runAction } from '../../tools/harness.js';
import { workspaceFrom } from '../support/fixtures.js';
import { layoutToolCache, newestPatch } from '../../tools/toolcache.js';

it('reports pytest counts and a clear error when the JUnit report is truncated', async () => {
  const toolCache = makeTempDir('pyci-toolcache-');
  layoutToolCache(toolCache, [newestPatch('3.11')]);
  const result = await runAction({
    workspace: workspaceFrom('truncated-report'),
    toolCache,
    inputs: { 'python-version': '3.11', cache: 'none' },
  });
  expect(result.exitCode).toBe(1);
  // pytest: 1 failed (n=5), 6 passed
  expect(result.outputs).toMatchObject({
    tests: '7',
    passed: '6',
    failed: '1',
    errors: '0',
    deploy: 'false',
  });
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toMatch(
    /^Cannot read the JUnit report .*pyci-junit-.*\.xml at line \d+, column \d+: .*The counts reported are from pytest's closing line: 1 failed, 0 errors, 6 passed\. See the job summary\.$/,
  );
  expect(result.summary).toContain('1 failed');
  expect(result.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
});
