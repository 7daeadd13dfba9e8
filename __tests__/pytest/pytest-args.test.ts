/** The report path the user chose with --junitxml, and refused junit_family overrides. */
import { homedir } from 'node:os';
import { InputError } from '../../src/runner/errors.js';
import { refuseJunitFamily, userJunitPath } from '../../src/pytest/pytest-args.js';

describe('userJunitPath', () => {
  it.each([
    [['--junitxml=out.xml'], '/w/out.xml'],
    [['--junitxml', 'r/out.xml', '-x'], '/w/r/out.xml'],
    [['--junit-xml=/abs/j.xml'], '/abs/j.xml'],
    [['--junit-xml', '../j.xml'], '/j.xml'],
    [['--junitxml=a.xml', '--junitxml=b.xml'], '/w/b.xml'],
    [['--junitxml=$OUT/j.xml'], '/env/out/j.xml'],
    [['--junitxml=${OUT}/j.xml'], '/env/out/j.xml'],
    [['--junitxml=$NOPE/j.xml'], '/w/$NOPE/j.xml'],
    [['--junitxml=~/j.xml'], `${homedir()}/j.xml`],
  ])('%j -> %s', (args, expected) => {
    expect(userJunitPath(args, '/w', { OUT: '/env/out' })).toBe(expected);
  });

  it('is undefined without one', () => {
    expect(userJunitPath(['-x', 'tests', '--junit-prefix=x'], '/w', {})).toBeUndefined();
    expect(userJunitPath(['--junitxml'], '/w', {})).toBeUndefined();
  });
});

describe('refuseJunitFamily', () => {
  it.each([
    [['-o', 'junit_family=xunit2']],
    [['-ojunit_family=xunit2']],
    [['--override-ini=junit_family=legacy']],
    [['--override-ini', 'junit_family=xunit2']],
  ])('refuses %j naming pytest-args', (args) => {
    expect(() => refuseJunitFamily(args)).toThrow(InputError);
    expect(() => refuseJunitFamily(args)).toThrow(/^pytest-args: .* overrides junit_family/);
  });

  it('lets other ini overrides through', () => {
    expect(() => refuseJunitFamily(['-o', 'addopts=', '-oxfail_strict=true', '-x'])).not.toThrow();
  });
});
