/**
 * Checks a restored venv before anything runs in it. A venv is a thin shell around its base
 * interpreter: if that interpreter moved, changed version or lost files, the venv breaks in
 * ways that surface late (an import error in the middle of the tests), so we look first.
 *
 * The interpreter's version and the dependency check run in ONE python process. The dependency
 * check is `pip check`'s own logic (pip/_internal/operations/check.py and commands/check.py,
 * pip 22-26) with pip's vendored `packaging`, without importing pip's command machinery: on the
 * example service's 330 MB venv, probe and check take 0.13 s (median of 11) where the version
 * probe plus `python -m pip check` took 0.40 s (see docs/benchmarks.md). When pip's vendored
 * packaging cannot be imported, or the check meets something it does not read (a zip archive on
 * sys.path), `python -m pip check` decides.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { captureProgram } from '../../runner/exec.js';
import { venvPython } from '../venv.js';

const PROBE_TIMEOUT_MS = 60_000;
const PIP_CHECK_TIMEOUT_MS = 120_000;

/**
 * Prints the version first, in syntax any Python accepts, so that an interpreter too old for the
 * check still says which version it is; then runs the check passed as argv[1].
 */
const PROBE_HEAD = [
  'import platform, sys',
  'sys.stdout.write(platform.python_version() + "\\n")',
  'sys.stdout.flush()',
  'exec(compile(sys.argv[1], "<pyci-verify>", "exec"))',
].join('\n');

/**
 * `pip check` in one pass (Python >= 3.6). Prints a status line, `ok`, `broken`, `no-pip` or
 * `unavailable`, then one line per problem in pip check's own wording (or why it is unavailable).
 *
 * What pip check does, and this mirrors:
 * - distributions: every `*.dist-info` / `*.egg-info` in each sys.path entry, in sys.path order,
 *   as importlib.metadata lists them, plus `.egg-link` targets (pip's legacy editables); the
 *   first one of each canonical name wins. Name and version come from the `name-version.dist-info`
 *   directory name when it has them, else from the metadata.
 * - dependencies: `Requires-Dist` (or an egg-info's requires.txt), keeping requirements without a
 *   marker or whose marker holds with `extra == ""`: a requirement conditional on an extra is
 *   never checked, since pip check cannot know which extras were asked for.
 * - missing (not installed) and conflicting (installed version outside the specifier, pre-releases
 *   allowed) dependencies, and unreadable metadata; from pip 24.2 on, also installed wheels whose
 *   tags this interpreter does not support.
 * Metadata headers are read directly instead of through importlib.metadata/email, whose imports
 * alone cost more than the whole check.
 */
const DEPENDENCY_CHECK = String.raw`
import os, re, sys

HEADER = re.compile(r"[\x21-\x39\x3b-\x7e]*:")


def headers(text):
    # Header lines of an RFC 822 file as email's compat32 parser reads them: [name, value] with
    # names lowercased and folded lines joined, up to the first line that is not a header.
    fields = []
    for line in re.split(r"\r\n|\r|\n", text or ""):
        if line[:1] in (" ", "\t") and fields:
            fields[-1][1] += "\n" + line
        elif line and HEADER.match(line):
            name, _, value = line.partition(":")
            fields.append([name.lower(), value.lstrip(" \t")])
        else:
            break
    return fields


def header_all(fields, name):
    return [value for key, value in fields if key == name]


class Dist:
    def __init__(self, path, installed):
        self.path = path
        self.installed = installed
        self._fields = None

    def read_text(self, name):
        try:
            with open(os.path.join(self.path, name) if name else self.path, encoding="utf-8") as f:
                return f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None

    def fields(self):
        if self._fields is None:
            text = self.read_text("METADATA") or self.read_text("PKG-INFO") or self.read_text("")
            self._fields = headers(text)
        return self._fields

    def header(self, name):
        values = header_all(self.fields(), name)
        return values[0] if values else None

    def info_name_version(self):
        stem, suffix = os.path.splitext(os.path.basename(self.path))
        if suffix == ".dist-info":
            name, sep, version = stem.partition("-")
            if sep:
                return name, version
        if suffix == ".egg-info":
            return stem.split("-", 1)[0], None
        return None, None


def pip_check():
    import importlib.util

    if importlib.util.find_spec("pip") is None:
        return "no-pip", []
    try:
        import pip
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.utils import canonicalize_name
        from pip._vendor.packaging.version import parse as parse_version
    except Exception as error:
        return "unavailable", ["cannot import pip's vendored packaging (%r)" % (error,)]

    found = {}

    def add(path, installed):
        dist = Dist(path, installed)
        name = dist.info_name_version()[0] or dist.header("name")
        if not name:
            return  # pip skips it too ("invalid metadata entry 'name'")
        key = canonicalize_name(name)
        if key not in found:
            found[key] = dist

    def find(location, installed):
        root = location or "."
        if not os.path.isdir(root):
            if os.path.exists(root):
                raise NotImplementedError("sys.path holds a file: %s" % location)
            return
        base = os.path.basename(location).lower()
        infos, eggs = {}, []
        for child in os.listdir(root):
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                group = re.sub(r"[-_.]+", "_", low.rpartition(".")[0].partition("-")[0])
                infos.setdefault(group, []).append(os.path.join(location, child))
            elif base.endswith(".egg") and low == "egg-info":
                eggs.append(os.path.join(location, child))
        for paths in list(infos.values()) + [eggs]:
            for path in paths:
                add(path, installed)

    for location in sys.path:
        find(location, location)
        root = location or "."
        if os.path.isdir(root):
            for child in os.listdir(root):
                if child.endswith(".egg-link"):
                    with open(os.path.join(root, child)) as link:
                        target = next((line.strip() for line in link if line.strip()), "")
                    if target:
                        find(os.path.join(location, target), location)

    def requires(dist):
        lines = [value.strip() for value in header_all(dist.fields(), "requires-dist")]
        if lines:
            return lines
        extra = marker = ""
        for line in (dist.read_text("requires.txt") or "").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                extra, _, marker = line.strip("[]").partition(":")
                extra = canonicalize_name(extra)
            elif extra and marker:
                lines.append('%s ; (%s) and extra == "%s"' % (line, marker, extra))
            elif extra:
                lines.append('%s ; extra == "%s"' % (line, extra))
            else:
                lines.append(line + " ; " + marker if marker else line)
        return lines

    def version_of(dist):
        version = dist.info_name_version()[1] or dist.header("version")
        if version is None:
            raise ValueError("Bad metadata in %s (invalid metadata entry 'version')" % dist.path)
        return parse_version(version)

    problems = []
    packages = {}
    for key, dist in found.items():
        try:
            dependencies = []
            for text in requires(dist):
                req = Requirement(text)
                if not req.marker or req.marker.evaluate({"extra": ""}):
                    dependencies.append(req)
            packages[key] = (version_of(dist), dependencies)
        except (OSError, ValueError) as error:
            problems.append("Error parsing dependencies of %s: %s" % (key, error))

    missing, conflicting = [], []
    for key, (version, dependencies) in packages.items():
        missing_deps, conflicting_deps = set(), set()
        for req in dependencies:
            name = canonicalize_name(req.name)
            if name not in packages:
                missing_deps.add((name, req))
            elif not req.specifier.contains(packages[name][0], prereleases=True):
                conflicting_deps.add((name, packages[name][0], req))
        for name, _ in sorted(missing_deps, key=str):
            missing.append("%s %s requires %s, which is not installed." % (key, version, name))
        for name, have, req in sorted(conflicting_deps, key=str):
            conflicting.append(
                "%s %s has requirement %s, but you have %s %s." % (key, version, req, name, have)
            )
    problems += missing + conflicting

    if tuple(int(part) for part in re.findall(r"\d+", pip.__version__)[:2]) >= (24, 2):
        from pip._internal.utils.compatibility_tags import get_supported
        from pip._vendor.packaging.tags import parse_tag

        supported = frozenset(get_supported())
        in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
        prefix = os.path.normcase(os.path.realpath(sys.prefix))
        for key, dist in found.items():
            where = os.path.normcase(os.path.realpath(dist.installed or "."))
            if key in ("python", "wsgiref", "argparse") or (in_venv and not where.startswith(prefix)):
                continue
            wheel = dist.read_text("WHEEL")
            if wheel is None:
                continue
            tags = set()
            for tag in header_all(headers(wheel), "tag"):
                tags.update(parse_tag(tag))
            if tags.isdisjoint(supported):
                problems.append(
                    "%s %s is not supported on this platform"
                    % (dist.header("name") or key, version_of(dist))
                )
    return ("broken" if problems else "ok"), problems


try:
    status, lines = pip_check()
except Exception as error:
    status, lines = "unavailable", ["%s: %s" % (type(error).__name__, error)]
sys.stdout.write(status + "\n" + "".join(line.replace("\n", " ") + "\n" for line in lines))
`;

/** What the probe found: the interpreter's version and pip check's verdict on the venv. */
export interface VenvProbe {
  /** `platform.python_version()`; empty when the interpreter did not get that far. */
  version: string;
  /**
   * `ok`, `broken` (see `problems`), `no-pip` (nothing to check with), or `unavailable` (the fast
   * check cannot decide: `python -m pip check` must).
   */
  status: 'ok' | 'broken' | 'no-pip' | 'unavailable';
  /** pip check's lines for `broken`; the reason for `unavailable`. */
  problems: string[];
  /** Set when the process could not start, timed out or exited non-zero. */
  failure?: string;
}

/** Runs the version probe and the fast dependency check in one process of `python`. */
export async function probeVenv(python: string): Promise<VenvProbe> {
  const result = await run(python, ['-c', PROBE_HEAD, DEPENDENCY_CHECK], PROBE_TIMEOUT_MS);
  const [version = '', status = '', ...problems] = result.stdout.replace(/\n$/, '').split('\n');
  const statuses = ['ok', 'broken', 'no-pip', 'unavailable'];
  if (result.failure || !statuses.includes(status)) {
    return {
      version: version.trim(),
      status: 'unavailable',
      problems: [result.failure ?? `unexpected output: ${status}`],
      ...(result.failure ? { failure: result.failure } : {}),
    };
  }
  return { version: version.trim(), status: status as VenvProbe['status'], problems };
}

/**
 * Resolves undefined when the venv is usable, else one sentence saying why not (the caller
 * warns with it, deletes the venv and installs afresh). Never rejects.
 */
export async function verifyRestoredVenv(
  venvPath: string,
  expectedVersion: string,
): Promise<string | undefined> {
  const cfgPath = join(venvPath, 'pyvenv.cfg');
  let home: string | undefined;
  try {
    home = parseVenvConfig(await readFile(cfgPath, 'utf8')).home;
  } catch (error) {
    return `${cfgPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (!home) return `${cfgPath} has no "home" line naming the base interpreter`;
  if (!(await isDirectory(home)))
    return `its base interpreter's directory ${home} (pyvenv.cfg "home") does not exist`;

  const python = venvPython(venvPath);
  const probe = await probeVenv(python);
  if (!/^\d+\.\d+/.test(probe.version))
    return `its interpreter ${python} does not run: ${probe.failure ?? 'it printed no version'}`;
  if (probe.version !== expectedVersion)
    return `its interpreter is Python ${probe.version}, not ${expectedVersion}`;

  if (probe.status === 'ok' || probe.status === 'no-pip') return undefined;
  if (probe.status === 'broken')
    return `"pip check" found broken requirements: ${probe.problems.slice(-10).join(' | ')}`;

  const check = await run(python, ['-m', 'pip', 'check'], PIP_CHECK_TIMEOUT_MS);
  if (check.failure) {
    // A venv made without pip has nothing to check with; that is not a broken venv.
    if (/No module named pip\b/.test(check.output)) return undefined;
    return `"pip check" found broken requirements: ${lastLines(check.output, 10)}`;
  }
  return undefined;
}

/** The `key = value` lines of pyvenv.cfg. */
export function parseVenvConfig(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf('=');
    if (separator < 0) continue;
    fields[line.slice(0, separator).trim().toLowerCase()] = line.slice(separator + 1).trim();
  }
  return fields;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

interface RunResult {
  stdout: string;
  output: string;
  failure?: string;
}

async function run(program: string, args: string[], timeout: number): Promise<RunResult> {
  const env = {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  let result;
  try {
    result = await captureProgram(program, args, { timeoutMs: timeout, env });
  } catch (error) {
    // It cannot be started: ENOENT, EACCES, ...
    return {
      stdout: '',
      output: '',
      failure: (error as NodeJS.ErrnoException).code ?? String(error),
    };
  }
  const { stdout } = result;
  const output = `${stdout}${result.stderr}`;
  if (result.exitCode === 0 && !result.timedOut && !result.overflowed) return { stdout, output };
  const why = result.timedOut
    ? `timed out after ${timeout / 1000} s`
    : result.overflowed
      ? `it wrote more than 4 MiB of output`
      : result.signal
        ? `killed by ${result.signal}: ${lastLines(output, 5)}`
        : `exit ${result.exitCode}: ${lastLines(output, 5)}`;
  return { stdout, output, failure: why };
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}
