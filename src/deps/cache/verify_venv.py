"""`pip check` in one pass (Python >= 3.6), run in the venv being verified by
src/deps/cache/verify.ts after that file's probe printed the interpreter's version. Prints a
status line, `ok`, `broken`, `no-pip` or `unavailable`, then one line per problem in pip check's
own wording (or why it is unavailable).

What pip check does (pip/_internal/operations/check.py and commands/check.py, pip 22-26), and
this mirrors:
- distributions: every `*.dist-info` / `*.egg-info` in each sys.path entry, in sys.path order,
  as importlib.metadata lists them, plus `.egg-link` targets (pip's legacy editables); the first
  one of each canonical name wins. Name and version come from the `name-version.dist-info`
  directory name when it has them, else from the metadata.
- dependencies: `Requires-Dist` (or an egg-info's requires.txt), keeping requirements without a
  marker or whose marker holds with `extra == ""`: a requirement conditional on an extra is never
  checked, since pip check cannot know which extras were asked for.
- missing (not installed) and conflicting (installed version outside the specifier, pre-releases
  allowed) dependencies, and unreadable metadata; from pip 24.2 on, also installed wheels whose
  tags this interpreter does not support.
Metadata headers are read directly instead of through importlib.metadata/email, whose imports
alone cost more than the whole check.
"""
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


def main():
    try:
        status, lines = pip_check()
    except Exception as error:
        status, lines = "unavailable", ["%s: %s" % (type(error).__name__, error)]
    sys.stdout.write(status + "\n" + "".join(line.replace("\n", " ") + "\n" for line in lines))


if __name__ == "__main__":
    main()
