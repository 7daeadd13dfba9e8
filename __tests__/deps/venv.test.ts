/** Creating and removing venvs: whose fault a failure is decides how the step reports it. */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledWheels, createVenv, removeVenv } from '../../src/deps/venv.js';
import { InputError, SetupError } from '../../src/runner/errors.js';
import { machinePrefix, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-venv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('a venv the machine cannot create is a SetupError (not the input), with the message as before', async () => {
  // An interpreter whose `-m venv` fails, as a system Python without its venv package does.
  const python = join(scratch, 'python-without-venv');
  writeFileSync(python, '#!/bin/sh\necho "No module named venv" >&2\nexit 3\n');
  chmodSync(python, 0o755);
  const venv = join(scratch, 'venv-a');
  const attempt = createVenv(python, venv);
  await expect(attempt).rejects.toThrow(SetupError);
  await expect(attempt).rejects.not.toThrow(InputError);
  await expect(attempt).rejects.toThrow(
    `Could not create a virtualenv at ${venv} with ${python} (exit 3). Check that venv-path is writable; on Debian/Ubuntu system Pythons install the pythonX.Y-venv package.`,
  );
});

it('a venv-path holding something else is the input (InputError)', () => {
  const folder = join(scratch, 'not-a-venv');
  mkdirSync(folder);
  writeFileSync(join(folder, 'keep.txt'), 'mine');
  expect(() => removeVenv(folder)).toThrow(InputError);
});

describe('a new venv is seeded as `python -m venv` + `pip install --upgrade pip` would seed it', () => {
  /** name==version of everything installed in a venv, from its own pip. */
  function installed(venv: string): string[] {
    const listing = execFileSync(join(venv, 'bin/python'), ['-m', 'pip', 'list', '--format=json'], {
      encoding: 'utf8',
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    return (JSON.parse(listing) as { name: string; version: string }[])
      .map((dist) => `${dist.name.toLowerCase()}==${dist.version}`)
      .sort();
  }

  /** The long way, as the plain pipeline does it. */
  function plainVenv(python: string, venv: string): void {
    execFileSync(python, ['-m', 'venv', venv]);
    execFileSync(join(venv, 'bin/python'), ['-m', 'pip', 'install', '-q', '--upgrade', 'pip'], {
      env: { ...process.env, PIP_RETRIES: '0' },
      stdio: 'ignore',
    });
  }

  // 3.11 seeds pip and setuptools, 3.12 and later pip only (ensurepip's own rule).
  it.each([newestPatch('3.11'), newestPatch('3.12')])(
    'Python %s: the same packages at the same versions, pip the newest',
    async (version) => {
      const python = join(machinePrefix(version), 'bin/python');
      const ours = join(scratch, `ours-${version}`);
      const plain = join(scratch, `plain-${version}`);
      await createVenv(python, ours, [], { ...process.env, PIP_RETRIES: '0' });
      plainVenv(python, plain);
      expect(installed(ours)).toEqual(installed(plain));
      const names = installed(ours).map((entry) => entry.split('==')[0]);
      expect(names).toEqual(version.startsWith('3.11') ? ['pip', 'setuptools'] : ['pip']);
      // The console scripts ensurepip would have written are there too.
      expect(existsSync(join(ours, 'bin/pip'))).toBe(true);
    },
  );

  it('finds the wheels ensurepip installs, and nothing for an interpreter without them', async () => {
    const python = join(machinePrefix(newestPatch('3.11')), 'bin/python');
    const wheels = await bundledWheels(python);
    expect(wheels?.pip).toMatch(/ensurepip\/_bundled\/pip-[\d.]+-py3-none-any\.whl$/);
    expect(wheels?.setuptools).toMatch(/setuptools-[\d.]+-py3-none-any\.whl$/);
    const noEnsurepip = join(scratch, 'python-without-ensurepip');
    writeFileSync(noEnsurepip, '#!/bin/sh\necho "{}"\n');
    chmodSync(noEnsurepip, 0o755);
    await expect(bundledWheels(noEnsurepip)).resolves.toBeUndefined();
  });

  it('no index to upgrade from: the bundled pip is installed, as ensurepip would', async () => {
    const python = join(machinePrefix(newestPatch('3.11')), 'bin/python');
    const venv = join(scratch, 'offline');
    await createVenv(python, venv, ['--no-index']);
    const bundled = (await bundledWheels(python))!;
    const version = (wheel: string) => /-([\d.]+)-py3/.exec(wheel)?.[1];
    expect(installed(venv)).toEqual([
      `pip==${version(bundled.pip)}`,
      `setuptools==${version(bundled.setuptools!)}`,
    ]);
  });

  it('an interpreter that shows no bundled wheel gets pip through ensurepip, then the upgrade', async () => {
    // The real interpreter behind a wrapper whose probe finds nothing (as Debian's python3 shows).
    const real = join(machinePrefix(newestPatch('3.12')), 'bin/python');
    const wrapper = join(scratch, 'python-hiding-wheels');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = "-I" ]; then echo "{}"; exit 0; fi\nexec ${real} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const venv = join(scratch, 'via-ensurepip');
    await createVenv(wrapper, venv, [], { ...process.env, PIP_RETRIES: '0' });
    const plain = join(scratch, 'plain-for-ensurepip');
    plainVenv(real, plain);
    expect(installed(venv)).toEqual(installed(plain));
  });
});
