/**
 * Rebuilds pytest node ids from JUnit attributes. pytest writes `classname` as the node id with
 * the path dotted and `.py` dropped (`tests/test_x.py::TestA::test_b` -> `tests.test_x.TestA`),
 * and, in the xunit1 family, the path itself in `file`. With `file` the dotted module can be found
 * inside `classname` and the real id rebuilt, so it matches `pytest --collect-only` exactly.
 */
export function pytestNodeId(classname: string, name: string, file: string | undefined): string {
  if (file) {
    const path = file.replace(/\\/g, '/');
    const module = path.replace(/\.py$/, '').replace(/\//g, '.');
    // A collection error has no classname and the dotted module as its name: the id is the file.
    if (classname === '' && name === module) return path;
    // A `junit_prefix` puts `prefix.` in front of the module, hence the search after a dot.
    const at = classname === module ? 0 : findModule(classname, module);
    if (at >= 0) {
      const rest = classname.slice(at + module.length);
      if (rest === '') return `${path}::${name}`;
      return `${path}::${rest.slice(1).split('.').join('::')}::${name}`;
    }
  }
  return classname ? `${classname}::${name}` : name;
}

/** Index of `module` in `classname` as a whole dotted segment run, or -1. */
function findModule(classname: string, module: string): number {
  if (classname.startsWith(`${module}.`)) return 0;
  const at = classname.indexOf(`.${module}`);
  if (at < 0) return -1;
  const end = at + 1 + module.length;
  return end === classname.length || classname[end] === '.' ? at + 1 : -1;
}
