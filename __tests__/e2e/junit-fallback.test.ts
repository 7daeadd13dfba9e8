/**
 * A JUnit report that cannot be read (here cut in half by the project's conftest after pytest wrote
 * it) fails the step with an error naming the file, and pytest's own counts are still reported.
 */
import { makeTempDir, runAction } from '../../tools/harness.js';
import { expectCleanFailure } from '../support/assertions.js';
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

it('says pytest stopped while starting, with its own last words, when no report was written', async () => {
  const toolCache = makeTempDir('pyci-toolcache-');
  layoutToolCache(toolCache, [newestPatch('3.11')]);
  const result = await runAction({
    workspace: workspaceFrom('crash-at-start'),
    toolCache,
    inputs: { 'python-version': '3.11', cache: 'none', 'pytest-args': '-p crashplug' },
  });
  expectCleanFailure(result);
  expect(result.errors).toEqual([
    'pytest exited with 1 before writing its JUnit report: it stopped while starting, before running any test (a plugin, a conftest.py or the configuration failed; see the log above). pytest said: RuntimeError: crashplug failed while pytest started',
  ]);
  expect(result.outputs).toMatchObject({ deploy: 'false' });
});
