/**
 * After an install: is the installed project the checkout? pip records where a distribution came
 * from in its dist-info (`direct_url.json`, PEP 610); a project installed from the working
 * directory points there with a file:// URL. Anything else means the tests would run against
 * another copy (typically the index's, pulled by a requirement the checkout's version fails).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../runner/errors.js';
import { captureProgram } from '../runner/exec.js';

/** One installed distribution as the venv's python reports it. */
export interface InstalledDist {
  name: string;
  version: string;
  /** `url` of direct_url.json, '' when the distribution came from an index. */
  url: string;
  /** The folder holding its metadata; a checkout's own `*.egg-info` (editable installs) is there. */
  location: string;
  /** sys.prefix of the venv, to tell site-packages from the checkout when the venv is inside it. */
  prefix: string;
}

/** Lists the venv's distributions with their direct_url.json URL (run with -I: no cwd on sys.path). */
const LIST_DISTS = `
import importlib.metadata as m, json, sys
out = []
for d in m.distributions():
    try:
        url = json.loads(d.read_text("direct_url.json") or "{}").get("url", "")
    except ValueError:
        url = ""
    out.append({"name": d.metadata["Name"] or "", "version": d.version, "url": url,
                "location": str(d.locate_file("")), "prefix": sys.prefix})
print(json.dumps(out))
`;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `[project] name` of pyproject.toml or `[metadata] name` of setup.cfg, when written statically. */
export function staticProjectName(pyproject: string, setupCfg: string): string | undefined {
  const section = (text: string, header: string) => {
    const start = text.search(new RegExp(`^\\[${header}\\]\\s*$`, 'm'));
    if (start < 0) return '';
    const rest = text.slice(start).split(/\r?\n/).slice(1);
    const end = rest.findIndex((line) => /^\[/.test(line));
    return rest.slice(0, end < 0 ? undefined : end).join('\n');
  };
  const fromPyproject = /^name\s*=\s*["']([^"']+)["']/m.exec(section(pyproject, 'project'));
  const fromSetupCfg = /^name\s*=\s*(\S+)\s*$/m.exec(section(setupCfg, 'metadata'));
  return fromPyproject?.[1] ?? fromSetupCfg?.[1];
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
  return real(a) === real(b);
}

function within(inner: string, outer: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/** Installed from `dir` (direct_url.json), or metadata that lives in the checkout itself. */
function fromCheckout(dist: InstalledDist, dir: string): boolean {
  if (dist.url.startsWith('file:')) {
    try {
      return samePath(fileURLToPath(dist.url), dir);
    } catch {
      return false;
    }
  }
  if (dist.url !== '' || !dist.location) return false;
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
  const location = real(dist.location);
  return within(location, real(dir)) && !within(location, real(dist.prefix));
}

/** Undefined when the checkout is what got installed; otherwise the problem, in one sentence. */
export function judgeProjectInstall(
  dists: InstalledDist[],
  projectDir: string,
  name: string | undefined,
): string | undefined {
  if (name) {
    const found = dists.filter((d) => normalizeName(d.name) === normalizeName(name));
    if (found.length === 0) {
      return `install-project: after installing, the virtualenv has no distribution named ${name} (the name in the project's metadata). Check [project] name, or set install-project: false.`;
    }
    const other = found.find((d) => !fromCheckout(d, projectDir));
    if (!other) return undefined;
    const origin = other.url ? `from ${other.url}` : 'from the package index';
    return `install-project: the virtualenv's ${other.name} ${other.version} is not the checkout (it came ${origin}, not from ${projectDir}): a requirement made pip replace the project with another copy, and the tests would not test your code. Make the checkout's version satisfy every requirement on ${other.name} (with setuptools-scm or hatch-vcs, check out the tags: actions/checkout with fetch-depth: 0).`;
  }
  if (dists.some((d) => fromCheckout(d, projectDir))) return undefined;
  return `install-project: after installing, no distribution in the virtualenv comes from ${projectDir}: pip replaced the project with another copy, and the tests would not test your code. Make the checkout's version satisfy every requirement on it (with setuptools-scm or hatch-vcs, check out the tags: actions/checkout with fetch-depth: 0).`;
}

/** The venv's distributions, as its own python's importlib.metadata sees them. */
export async function listDistributions(python: string): Promise<InstalledDist[]> {
  const listed = await captureProgram(python, ['-I', '-c', LIST_DISTS], { timeoutMs: 60_000 });
  try {
    return JSON.parse(listed.stdout) as InstalledDist[];
  } catch {
    throw new Error(
      `Could not list the virtualenv's distributions (exit ${listed.exitCode}): ${listed.stderr.slice(-500)}`,
    );
  }
}

/** The project's name as its pyproject.toml or setup.cfg in `projectDir` states it, if they do. */
export function checkoutProjectName(projectDir: string): string | undefined {
  const read = (file: string) =>
    existsSync(join(projectDir, file)) ? readFileSync(join(projectDir, file), 'utf8') : '';
  return staticProjectName(read('pyproject.toml'), read('setup.cfg'));
}

/** Fails the run when the installed project is not the checkout at `projectDir`. */
export async function checkProjectIsCheckout(python: string, projectDir: string): Promise<void> {
  const name = checkoutProjectName(projectDir);
  const problem = judgeProjectInstall(await listDistributions(python), projectDir, name);
  if (problem) throw new InputError(problem);
}
