/**
 * A tiny pytest plugin of ours, loaded with `-p`, that never touches the user's arguments:
 * - it writes pytest's rootdir to a file, because JUnit paths are relative to it and annotations
 *   need them relative to the repository;
 * - for a shard, it deselects every collected item whose node id is not in the shard's id file,
 *   so positional test paths, -k and -m keep working and no id list has to fit on a command line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PLUGIN_MODULE = 'pyci_pytest_plugin';

const PLUGIN_SOURCE = `"""Written by the pyci action: reports pytest's rootdir, keeps only this shard's tests."""
import os


def pytest_configure(config):
    path = os.environ.get("PYCI_ROOTDIR_FILE")
    if path:
        root = getattr(config, "rootpath", None) or config.rootdir
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(str(root))


def pytest_collection_modifyitems(config, items):
    path = os.environ.get("PYCI_SHARD_IDS")
    if not path:
        return
    with open(path, encoding="utf-8") as handle:
        keep = set(line.rstrip("\\n") for line in handle if line.strip())
    selected = [item for item in items if item.nodeid in keep]
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
`;

export interface PluginRun {
  /** Arguments to put before the user's. */
  args: string[];
  /** Variables to add to pytest's environment. */
  env: Record<string, string>;
  /** pytest's rootdir once it has run, when it got that far. */
  rootdir(): string | undefined;
}

export function preparePytestPlugin(
  scratchDir: string,
  pythonPath: string | undefined,
  shardIds?: string[],
): PluginRun {
  const pluginDir = join(scratchDir, 'pyci-pytest-plugin');
  mkdirSync(pluginDir, { recursive: true });
  writeFileSync(join(pluginDir, `${PLUGIN_MODULE}.py`), PLUGIN_SOURCE);
  const rootdirFile = join(pluginDir, 'rootdir.txt');
  writeFileSync(rootdirFile, '');
  const env: Record<string, string> = {
    PYCI_ROOTDIR_FILE: rootdirFile,
    PYTHONPATH: pythonPath ? [pluginDir, pythonPath].join(delimiter) : pluginDir,
  };
  if (shardIds) {
    env.PYCI_SHARD_IDS = join(pluginDir, 'shard-ids.txt');
    writeFileSync(env.PYCI_SHARD_IDS, shardIds.map((id) => `${id}\n`).join(''));
  }
  return {
    args: ['-p', PLUGIN_MODULE],
    env,
    rootdir: () => readFileSync(rootdirFile, 'utf8').trim() || undefined,
  };
}
