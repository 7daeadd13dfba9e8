/** The failure summary: what failed, escaped, secrets kept out, written once per step. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret, writeFailureSummary } from '../../src/runner/job-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'pyci-summary-'));
const file = join(dir, 'summary.md');
const saved = process.env.GITHUB_STEP_SUMMARY;
beforeAll(() => {
  writeFileSync(file, '');
  process.env.GITHUB_STEP_SUMMARY = file;
});
afterAll(() => {
  process.env.GITHUB_STEP_SUMMARY = saved;
  rmSync(dir, { recursive: true, force: true });
});

test('says what failed, escaped, with secrets replaced, and only once', () => {
  registerSecret('s3cr3t-value');
  writeFailureSummary('The step failed', 'pip: <bad> s3cr3t-value', 'not deploying');
  writeFailureSummary('The step failed', 'a second failure', 'not deploying');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('<h2>❌ The step failed</h2>');
  expect(text).toContain('<p>pip: &lt;bad&gt; ***</p>');
  expect(text).toContain('not deploying');
  expect(text).not.toContain('s3cr3t-value');
  expect(text).not.toContain('a second failure');
});
