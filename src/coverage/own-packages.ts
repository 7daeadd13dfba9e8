/**
 * What `coverage: true` measures: the project's own packages. When the project is installed, the
 * top-level packages of its distribution (found by the checkout it came from, or its name), so the
 * tests themselves and the dependencies are not counted, and an installed (non-editable) copy in
 * site-packages is measured where it runs. Otherwise the working directory.
 */
import * as core from '@actions/core';
import { checkoutProjectName } from '../deps/checkout-check.js';
import { captureProgram } from '../runner/exec.js';

/**
 * Prints the top-level import names of the distribution installed from argv[1] (or named argv[2]),
 * from top_level.txt or else from its RECORD (editable installs' helper files left out).
 */
const TOP_LEVEL = `
import importlib.metadata as m, json, os, re, sys
from urllib.parse import urlparse
from urllib.request import url2pathname
target, name = os.path.realpath(sys.argv[1]), sys.argv[2]
norm = lambda s: re.sub(r"[-_.]+", "-", s or "").lower()
found = []
for d in m.distributions():
    try:
        url = json.loads(d.read_text("direct_url.json") or "{}").get("url", "")
    except ValueError:
        url = ""
    mine = url.startswith("file:") and os.path.realpath(url2pathname(urlparse(url).path)) == target
    if not mine and not (name and norm(d.metadata["Name"]) == norm(name)):
        continue
    tops = (d.read_text("top_level.txt") or "").split()
    if not tops:
        for f in d.files or []:
            first = f.parts[0] if f.parts else ""
            if first in ("..", "__pycache__") or first.endswith((".dist-info", ".data", ".egg-info")):
                continue
            if len(f.parts) > 1:
                tops.append(first)
            elif first.endswith(".py") and not first.startswith("__editable__"):
                tops.append(first[:-3])
    found = sorted({t for t in tops if t.isidentifier()})
    break
print(json.dumps(found))
`;

export async function ownPackages(
  python: string,
  projectDir: string | undefined,
  workingDirectory: string,
): Promise<string[]> {
  if (projectDir) {
    const name = checkoutProjectName(projectDir) ?? '';
    const result = await captureProgram(python, ['-I', '-c', TOP_LEVEL, projectDir, name], {
      timeoutMs: 60_000,
    });
    let names: string[] = [];
    try {
      names = JSON.parse(result.stdout) as string[];
    } catch {
      names = [];
    }
    if (names.length > 0) {
      core.info(`coverage: measuring the installed project's packages: ${names.join(', ')}.`);
      return names;
    }
  }
  core.info(
    `coverage: measuring the working directory ${workingDirectory} (${projectDir ? "the installed project's packages could not be listed" : 'the project is not installed'}). Set coverage to the packages to measure, e.g. src/mypkg, to narrow it.`,
  );
  return [workingDirectory];
}
