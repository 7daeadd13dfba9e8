import { testOutputs } from '../../src/report/outputs.js';

test('testOutputs gives every output as a string', () => {
  const outputs = testOutputs(
    {
      tests: 12,
      passed: 7,
      failed: 2,
      errors: 1,
      skipped: 2,
      durationSeconds: 3.14159,
      failures: [],
      failuresOmitted: 3,
      slowest: [],
    },
    '/tmp/runner/pytest-junit.xml',
  );
  expect(outputs).toEqual({
    tests: '12',
    passed: '7',
    failed: '2',
    errors: '1',
    skipped: '2',
    'duration-seconds': '3.142',
    'junit-path': '/tmp/runner/pytest-junit.xml',
  });
});
