/**
 * Runs only one shard's tests without touching the user's pytest arguments: a tiny pytest plugin
 * (loaded with `-p`) deselects every collected item whose node id is not in the shard's id file.
 * Positional test paths, -k and -m keep working, and no id list has to fit on a command line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PLUGIN_MODULE = 'pyci_shard_filter';

const PLUGIN_SOURCE = `"""Deselects tests outside this shard (written by the pyci action)."""
import os


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

export interface ShardRun {
  /** Arguments to put before the user's. */
  args: string[];
  /** Variables to add to pytest's environment. */
  env: Record<string, string>;
}

export function prepareShardRun(
  ids: string[],
  scratchDir: string,
  pythonPath: string | undefined,
): ShardRun {
  const pluginDir = join(scratchDir, 'pyci-shard-plugin');
  mkdirSync(pluginDir, { recursive: true });
  writeFileSync(join(pluginDir, `${PLUGIN_MODULE}.py`), PLUGIN_SOURCE);
  const idsFile = join(pluginDir, 'ids.txt');
  writeFileSync(idsFile, ids.map((id) => `${id}\n`).join(''));
  return {
    args: ['-p', PLUGIN_MODULE],
    env: {
      PYCI_SHARD_IDS: idsFile,
      PYTHONPATH: pythonPath ? [pluginDir, pythonPath].join(delimiter) : pluginDir,
    },
  };
}
