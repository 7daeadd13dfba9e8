/**
 * readConfig (src/config.ts) refuses every bad input before any work, with one InputError that
 * names the input and says what to do. Pure enough to call directly: a getter over a map and a
 * workspace on disk. The e2e tests keep one bundle run per failure class.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../src/config.js';
import { InputError } from '../src/runner/errors.js';
import type { InputName } from '../src/runner/names.js';
import { actionInputDefaults, repoRoot } from '../tools/harness.js';
import { workspaceFrom } from './support/fixtures.js';

const defaults = actionInputDefaults(join(repoRoot, 'action.yml'));
const scratch = mkdtempSync(join(tmpdir(), 'pyci-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** readConfig as the runner would call it: action.yml defaults under the given inputs. */
function configFor(
  inputs: Partial<Record<InputName, string>>,
  workspace = workspaceFrom('passing'),
) {
  const given: Record<string, string> = { ...defaults, ...inputs };
  return readConfig((name) => (given[name] ?? '').trim(), {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: scratch,
  });
}

function refusal(inputs: Partial<Record<InputName, string>>, workspace?: string): InputError {
  try {
    configFor(inputs, workspace);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`readConfig accepted ${JSON.stringify(inputs)}`);
}

describe('readConfig', () => {
  it('reads the defaults of action.yml into a config for the fixture project', () => {
    const config = configFor({});
    expect(config.install.requirementFiles).toEqual([
      join(config.workingDirectory, 'requirements.txt'),
    ]);
    expect(config.venvPath).toBe(join(config.workingDirectory, '.venv'));
    expect(config.cache).toMatchObject({ mode: 'venv', timeoutSeconds: 300 });
    expect(config.cache.localMaxBytes).toBe(10 * 1024 ** 3);
    expect(config.gate.deployEvents).toEqual(['push']);
  });

  it('reads cache-local-max-size: sizes in powers of 1024, 0 for no limit, empty for 10G', () => {
    const size = (value: string) =>
      configFor({ 'cache-local-max-size': value }).cache.localMaxBytes;
    expect(size('500M')).toBe(500 * 1024 ** 2);
    expect(size('0')).toBe(0);
    expect(size('')).toBe(10 * 1024 ** 3);
  });

  it('reads cache-save (default default-branch) and cache-max-size (default 2G, 0 for no limit)', () => {
    expect(configFor({}).cache).toMatchObject({
      save: 'default-branch',
      maxSaveBytes: 2 * 1024 ** 3,
    });
    expect(configFor({ 'cache-save': 'never', 'cache-max-size': '0' }).cache).toMatchObject({
      save: 'never',
      maxSaveBytes: 0,
    });
    expect(configFor({ 'cache-max-size': '750M' }).cache.maxSaveBytes).toBe(750 * 1024 ** 2);
  });

  it.each<[Partial<Record<InputName, string>>, RegExp]>([
    [{ 'working-directory': 'no/such/dir' }, /^working-directory "no\/such\/dir" does not exist/],
    [
      { 'working-directory': '../..' },
      /^working-directory "\.\.\/\.\." resolves to .*, outside the repository/,
    ],
    [{ 'pytest-args': '-k "unclosed' }, /^pytest-args: unterminated double quote/],
    [{ 'pytest-args': '-o junit_family=xunit2' }, /^pytest-args: ".*" overrides junit_family/],
    [
      { 'pytest-args': '--override-ini=junit_family=legacy' },
      /^pytest-args: ".*" overrides junit_family/,
    ],
    [{ 'allow-no-tests': 'yes' }, /^Input allow-no-tests must be true or false, got "yes"/],
    [{ 'allow-prereleases': 'maybe' }, /^Input allow-prereleases must be true or false/],
    [{ requirements: 'nope.txt' }, /^requirements: file not found: "nope.txt"/],
    [{ requirements: 'reqs/*.txt' }, /^requirements: no file matches "reqs\/\*\.txt"/],
    [{ 'python-source': 'conda' }, /python-source .* unknown source "conda"/],
    [{ 'python-source': 'system, system' }, /python-source .* lists "system" twice/],
    [{ 'python-version': 'banana' }, /^python-version "banana" is not a valid Python version/],
    [
      { 'python-version': '3.12\nbanana' },
      /^python-version "banana" is not a valid Python version/,
    ],
    [{ 'python-version': '3.' }, /^python-version "3\." is not a valid Python version/],
    [
      { 'python-version': '3.12.1.2' },
      /^python-version "3\.12\.1\.2" is not a valid Python version/,
    ],
    [{ 'python-version': '>=3.10,<' }, /^python-version ">=3\.10,<" is not a valid Python version/],
    [{ 'python-version': '3.13t' }, /free-threaded builds/],
    [{ 'python-version': 'pypy3.10' }, /only CPython is supported/],
    [
      { 'python-version': '3.14.0b1' },
      /asks for a pre-release of Python\. Set allow-prereleases: true/,
    ],
    [{ architecture: 'sparc' }, /architecture/],
    [{ 'install-project': 'maybe' }, /^Input install-project must be one of auto, true, false/],
    [
      { 'install-project': 'true' },
      /^install-project is true, but .* has neither pyproject\.toml nor setup\.py/,
    ],
    [{ editable: 'true' }, /^editable is true but the project is not installed/],
    [{ extras: 'test' }, /^extras \(test\) are given but the project is not installed/],
    [
      { 'dependency-groups': 'test' },
      /^dependency-groups \(test\) are given but .* has no pyproject\.toml/,
    ],
    [
      { 'manifest-url': 'ftp://mirror/versions.json' },
      /^manifest-url "ftp:\/\/mirror\/versions.json" is not an http\(s\) URL/,
    ],
    [{ 'cache-key-suffix': 'a,b' }, /^cache-key-suffix "a,b" contains a comma/],
    [{ cache: 'everything' }, /^Input cache must be one of venv, pip, none/],
    [
      { 'cache-timeout': '5m' },
      /^cache-timeout "5m" is not a whole number of seconds from 1 to 21600/,
    ],
    [{ 'cache-timeout': '0' }, /^cache-timeout "0" is not a whole number of seconds/],
    [
      { 'cache-local-max-size': '10 gigs' },
      /^Input cache-local-max-size must be a size such as 500M, 2G or a number of bytes .*, got "10 gigs"/,
    ],
    [{ 'cache-local-max-size': '-1G' }, /^Input cache-local-max-size must be a size/],
    [{ 'cache-save': 'main' }, /^Input cache-save must be one of always, default-branch, never/],
    [{ 'cache-max-size': '2 gigs' }, /^Input cache-max-size must be a size/],
    [
      { 'cache-dependency-path': 'locks/*.lock' },
      /^cache-dependency-path: "locks\/\*\.lock" matches no file/,
    ],
    [{ 'timeout-minutes': 'abc' }, /^timeout-minutes is "abc", which is not a number of minutes/],
    [{ 'timeout-minutes': '0' }, /^timeout-minutes is "0", which is not a number of minutes/],
    [{ 'timeout-minutes': '-1' }, /^timeout-minutes is "-1", which is not a number of minutes/],
    [{ 'timeout-minutes': '1e3' }, /^timeout-minutes is "1e3", which is not a number of minutes/],
    [
      { 'timeout-minutes': '20000' },
      /^timeout-minutes is "20000", which is not a number of minutes/,
    ],
    [
      { shard: '3/2' },
      /^Input 'shard' is '3\/2': the part number must be between 1 and the number of parts/,
    ],
    [{ shard: 'half' }, /^Input 'shard' is 'half', which is not of the form i\/n/],
    [
      { shard: '1/1000000000' },
      /^Input 'shard' is '1\/1000000000': at most 1000 parts are supported/,
    ],
    [{ 'shard-timings': 'requirements.txt' }, /^shard-timings is set but shard is not/],
    [{ 'shard-timings': 'none.xml', shard: '1/2' }, /^shard-timings: file not found/],
    [{ 'junit-files': 'reports/*.xml' }, /^junit-files: nothing matches "reports\/\*\.xml"/],
    [
      { 'venv-path': '.' },
      /^venv-path "\." resolves to .*, which is .*; the action deletes and recreates that folder/,
    ],
    [{ 'venv-path': '/' }, /^venv-path "\/" resolves to \/, which contains /],
    [
      { 'venv-path': '~/venvs/ci' },
      /^venv-path "~.*" starts with ~, which the action does not expand/,
    ],
    [
      { 'deploy-branches': 'release/[0-9' },
      /^deploy-branches line 1 "release\/\[0-9" has a "\[" without a closing "\]"/,
    ],
    [{ 'deploy-events': 'pushh' }, /^deploy-events line 1 "pushh" is not a GitHub event name/],
    [
      { environments: 'main=production\nfoo' },
      /^environments line 2 "foo" is not pattern=environment/,
    ],
    [{ reruns: 'many' }, /^reruns "many" is not a whole number from 0 to \d+/],
    [{ reruns: '-1' }, /^reruns "-1" is not a whole number from 0 to \d+/],
    [{ 'fail-on-flaky': 'yes' }, /^Input fail-on-flaky must be true or false, got "yes"/],
    [{ annotations: 'no' }, /^Input annotations must be true or false, got "no"/],
    [{ comment: 'sometimes' }, /^Input comment must be one of auto, always, off, got "sometimes"/],
    [
      { coverage: 'true', 'coverage-threshold': '101' },
      /^coverage-threshold "101" is not a percentage from 0 to 100/,
    ],
    [{ 'coverage-threshold': '80' }, /^coverage-threshold is set but coverage is off/],
    [{ coverage: 'src/pkg\ntrue' }, /^coverage: "true" is not a source to measure/],
    [{ 'allow-fork-deploy': '1' }, /allow-fork-deploy must be true or false, got "1"/],
  ])('refuses %j with one error naming the input', (inputs, message) => {
    expect(refusal(inputs).message).toMatch(message);
  });

  describe('coverage-files (report-only mode)', () => {
    /** A checkout holding one shard's JUnit report, as a report job downloads it. */
    function reportJobWorkspace(): string {
      const workspace = workspaceFrom('passing');
      writeFileSync(join(workspace, 'shard1.xml'), '<testsuites/>\n');
      return workspace;
    }

    it.each([
      [
        { 'coverage-files': 'cov/*.xml' },
        /^coverage-files is set but junit-files is not: coverage data files are combined in report-only mode/,
      ],
      [
        { 'junit-files': 'shard*.xml', 'coverage-files': 'cov/*.xml' },
        /^coverage-files: nothing matches "cov\/\*\.xml" \(relative to .*\)\. Check the path/,
      ],
      [
        { 'junit-files': 'shard*.xml', 'coverage-threshold': '80' },
        /^coverage-threshold is set but coverage-files is not: in report-only mode the threshold applies/,
      ],
    ])('refuses %j with one error naming the input', (inputs, message) => {
      expect(refusal(inputs, reportJobWorkspace()).message).toMatch(message);
    });
  });

  it('refuses a venv-path that names an existing file', () => {
    const workspace = workspaceFrom('passing');
    writeFileSync(join(workspace, 'notes.txt'), 'mine\n');
    expect(refusal({ 'venv-path': 'notes.txt' }, workspace).message).toMatch(
      /^venv-path "notes\.txt" is .*notes\.txt, an existing file, not a folder/,
    );
  });

  it('refuses editable and extras only when the project is not installed', () => {
    const workspace = workspaceFrom('passing');
    mkdirSync(join(workspace, 'pkg'));
    writeFileSync(join(workspace, 'pyproject.toml'), '[project]\nname = "calc"\nversion = "1"\n');
    const config = configFor({ editable: 'true', extras: 'test, docs' }, workspace);
    expect(config.install.project).toEqual({
      path: config.workingDirectory,
      editable: true,
      extras: ['test', 'docs'],
    });
  });
});
