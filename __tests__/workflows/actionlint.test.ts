/** Every workflow passes actionlint (the checks GitHub's editor and most CI linters make). */
import { actionlint, read, WORKFLOWS } from '../support/workflow-files.js';

const lint = actionlint();

describe('actionlint', () => {
  it('finds the mistakes it is meant to find (the linter really runs)', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    needs: missing',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          no-such-input: 1',
    ].join('\n');
    const kinds = (await lint(broken, 'broken.yml')).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['job-needs', 'expression']));
  });

  it.each(WORKFLOWS)('%s has no findings', async (path) => {
    const findings = (await lint(read(path), path)).map(
      (r) => `${path}:${r.line}:${r.column} [${r.kind}] ${r.message}`,
    );
    expect(findings).toEqual([]);
  });
});
