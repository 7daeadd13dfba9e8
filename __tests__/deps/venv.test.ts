/** Creating and removing venvs: whose fault a failure is decides how the step reports it. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVenv, removeVenv } from '../../src/deps/venv.js';
import { InputError, SetupError } from '../../src/runner/errors.js';

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
