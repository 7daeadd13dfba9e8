/**
 * Whether the project declares pytest itself, read from its files without resolving anything.
 * A guess that errs both ways is harmless: when it says yes wrongly, the install is followed by
 * a check that imports pytest (and a second resolve adds it); when it says no wrongly, `pytest`
 * joins a resolve that would have installed it anyway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirementName } from './pip-errors.js';

/** A `pytest` requirement: the whole name, in quotes (pyproject, setup.py) or at line start. */
const PYTEST_REQUIREMENT = /(?:^|["'])\s*pytest\s*(?:[<>=!~;[\s"',]|$)/m;

/** True when a requirement file line, a `packages` entry or a project file names pytest. */
export function namesPytest(texts: { requirements: string[]; project: string[] }): boolean {
  const inRequirements = texts.requirements.some((text) =>
    text.split(/\r?\n/).some((line) => requirementName(line.trim()) === 'pytest'),
  );
  return inRequirements || texts.project.some((text) => PYTEST_REQUIREMENT.test(text));
}

export function declaresPytest(options: {
  requirementFiles: string[];
  packages: string[];
  workingDirectory: string;
}): boolean {
  const project = ['pyproject.toml', 'setup.cfg', 'setup.py']
    .map((name) => join(options.workingDirectory, name))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path, 'utf8'));
  return namesPytest({
    requirements: [
      ...options.requirementFiles.map((file) => readFileSync(file, 'utf8')),
      options.packages.join('\n'),
    ],
    project,
  });
}
