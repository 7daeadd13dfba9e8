/**
 * A tiny pytest plugin of ours, loaded with `-p`, that never touches the user's arguments:
 * - it writes pytest's rootdir to a file, because JUnit paths are relative to it and annotations
 *   need them relative to the repository;
 * - for collection, it writes the node id of every item pytest would run (after -k, -m and other
 *   plugins deselected theirs), whatever the verbosity or output format;
 * - for a shard, it deselects every collected item whose node id is not in the shard's id file,
 *   so positional test paths, -k and -m keep working and no id list has to fit on a command line.
 * Id files hold one JSON string per line: a node id may contain any character. The plugin's
 * source is pyci_pytest_plugin.py; it is copied into the scratch folder put on PYTHONPATH.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { assetPath } from '../runner/asset.js';

const PLUGIN_MODULE = 'pyci_pytest_plugin';
/** The plugin's source, shipped in dist/ beside the bundle. */
const PLUGIN_FILE = assetPath(new URL('./pyci_pytest_plugin.py', import.meta.url));

export interface PluginRun {
  /** Arguments to put before the user's. */
  args: string[];
  /** Variables to add to pytest's environment. */
  env: Record<string, string>;
  /** pytest's rootdir once it has run, when it got that far. */
  rootdir(): string | undefined;
  /** With `collect`: the node ids pytest collected, or undefined when the plugin never wrote them. */
  collectedIds(): string[] | undefined;
  /** With `recordFailed`: the node ids that failed or errored, each once. */
  failedIds(): string[];
  /** The plugin's source file, which also merges the reports of reruns when run as a script. */
  script: string;
}

export interface PluginOptions {
  /** Keep only these node ids (a shard). */
  shardIds?: string[];
  /** Have the plugin write the collected node ids. */
  collect?: boolean;
  /** Have the plugin write the node ids that failed or errored. */
  recordFailed?: boolean;
}

function readIdLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as string);
}

export function preparePytestPlugin(
  scratchDir: string,
  pythonPath: string | undefined,
  options: PluginOptions = {},
): PluginRun {
  const pluginDir = join(scratchDir, 'pyci-pytest-plugin');
  mkdirSync(pluginDir, { recursive: true });
  const script = join(pluginDir, `${PLUGIN_MODULE}.py`);
  copyFileSync(PLUGIN_FILE, script);
  const rootdirFile = join(pluginDir, 'rootdir.txt');
  writeFileSync(rootdirFile, '');
  const env: Record<string, string> = {
    PYCI_ROOTDIR_FILE: rootdirFile,
    PYTHONPATH: pythonPath ? [pluginDir, pythonPath].join(delimiter) : pluginDir,
  };
  if (options.shardIds) {
    env.PYCI_SHARD_IDS = join(pluginDir, 'shard-ids.txt');
    writeFileSync(
      env.PYCI_SHARD_IDS,
      options.shardIds.map((id) => `${JSON.stringify(id)}\n`).join(''),
    );
  }
  const collectFile = join(pluginDir, 'collected-ids.txt');
  if (options.collect) {
    env.PYCI_COLLECT_FILE = collectFile;
    // Absent until pytest writes it: a run that never got there is told apart from "no tests".
    rmSync(collectFile, { force: true });
  }
  const failedFile = join(pluginDir, 'failed-ids.txt');
  if (options.recordFailed) {
    env.PYCI_FAILED_FILE = failedFile;
    rmSync(failedFile, { force: true });
  }
  return {
    args: ['-p', PLUGIN_MODULE],
    env,
    script,
    failedIds: () =>
      options.recordFailed && existsSync(failedFile) ? readIdLines(failedFile) : [],
    rootdir: () => readFileSync(rootdirFile, 'utf8').trim() || undefined,
    collectedIds: () =>
      options.collect && existsSync(collectFile) ? readIdLines(collectFile) : undefined,
  };
}
