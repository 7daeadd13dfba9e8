/** The summary's flaky section: the count, the listed ids, and those counted but not named. */
import { flakySection } from '../../src/report/flaky.js';

describe('flakySection', () => {
  test('nothing flaky: no section', () => {
    expect(flakySection([], false)).toBe('');
    expect(flakySection([], true, 0)).toBe('');
  });

  test('lists the ids, escaped, and says whether they fail the step', () => {
    const section = flakySection(['tests/t.py::test_<a>'], true);
    expect(section).toContain('<h3>⚠️ Flaky test</h3>');
    expect(section).toContain('<p>1 test failed and then passed on a rerun. They fail the step');
    expect(section).toContain('<li><code>tests/t.py::test_&lt;a&gt;</code></li>');
  });

  test('ids the reader did not keep are counted, in the headline and as "more"', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `tests/t.py::test_${i}`);
    const section = flakySection(ids, false, 40);
    expect(section).toContain('<h3>⚠️ Flaky tests</h3>');
    expect(section).toContain('<p>100 tests failed and then passed on a rerun. They do not fail');
    expect(section.match(/<li><code>/g)).toHaveLength(50);
    expect(section).toContain('<li>and 50 more</li>');
    // Only counted, none named: the count still shows.
    expect(flakySection([], false, 3)).toContain('<p>3 tests failed and then passed');
  });
});
