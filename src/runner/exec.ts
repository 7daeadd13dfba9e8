import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { childEnv } from './child-env.js';

export interface ExecOptions {
  cwd?: string;
  /** The program's environment, before childEnv() drops the runner's variables (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Echo the output to the job log as it comes (default true). */
  echo?: boolean;
  tailBytes?: number;
  /** Stop the program after this long: SIGTERM to its group, SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL on a timeout (default 5 s). */
  killGraceMs?: number;
}

export interface ExecResult {
  /** The exit code; 128 + the signal's number when a signal ended the program. */
  exitCode: number;
  /** The signal that ended the program, if one did. */
  signal?: NodeJS.Signals;
  /** Stopped because `timeoutMs` passed. */
  timedOut?: boolean;
  /** Combined stdout+stderr, the last `tailBytes` of it (enough to explain a failure). */
  output: string;
}

/** After the program exits: how long its pipes may stay quiet, and open at all, before we close them. */
const PIPE_IDLE_MS = 1000;
const PIPE_MAX_MS = 5000;

/** An argument as one log line: `%`, CR and LF escaped the way workflow commands escape them. */
export function escapeForLog(arg: string): string {
  return arg.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Process groups of the programs running now. They are not in node's group, so a signal that
 * stops node (a cancelled job) would not reach them: the entry forwards it with
 * signalRunningPrograms().
 */
const runningGroups = new Set<number>();

/** Tokens of the stop-commands blocks open now (one per program whose output is echoed). */
const openFences = new Set<string>();

/**
 * Ends every open stop-commands block, so that our own next line (the error of a cancelled step)
 * is read by the runner as a command; the programs' output after this is not ours to fence.
 */
export function resumeWorkflowCommands(): void {
  for (const token of openFences) process.stdout.write(`\n::${token}::\n`);
  openFences.clear();
}

/** Sends `signal` to every program group still running. */
export function signalRunningPrograms(signal: NodeJS.Signals): void {
  for (const pid of runningGroups) killGroup(pid, signal);
}

/** Signals a program's whole process group (it was started as its leader); gone already is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nobody left in the group.
  }
}

/**
 * Resolves when both streams ended, or when they stayed quiet for PIPE_IDLE_MS (or PIPE_MAX_MS
 * passed): a process outside the group (setsid) can hold a pipe open for ever, so they are then
 * destroyed.
 */
function drainPipes(streams: Readable[]): Promise<void> {
  return new Promise((done) => {
    let open = streams.filter((stream) => !stream.readableEnded && !stream.destroyed).length;
    let idle: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(idle);
      clearTimeout(cap);
      for (const stream of streams) stream.destroy();
      done();
    };
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(finish, PIPE_IDLE_MS);
    };
    const cap = setTimeout(finish, PIPE_MAX_MS);
    if (open === 0) return finish();
    for (const stream of streams) {
      stream.on('data', quiet);
      stream.once('close', () => {
        if (--open === 0) finish();
      });
    }
    quiet();
  });
}

/**
 * Runs a program with an argv array (never through a shell), echoing its output to the log and
 * keeping the tail of it for error messages. The program runs on the user's behalf: it gets
 * childEnv() (no step files, inputs or runtime tokens) and its own process group, which is
 * killed when the program exits so daemons it left behind die with it. Its output is read no
 * faster than the log takes it, so a test printing gigabytes does not fill our memory.
 * Resolves with the exit code; rejects only when the program cannot be started.
 */
export function execProgram(
  program: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const tailBytes = options.tailBytes ?? 64 * 1024;
  const echo = options.echo ?? true;
  // Output of pip, pytest and the user's tests is not ours: pause workflow-command processing so a
  // line like `::add-mask::` or `::error::` printed by a test cannot act on the job. The fence
  // comes first, so even our echo of the arguments (file names are free text) is inside it.
  const resumeToken = randomUUID();
  if (echo) {
    process.stdout.write(`::stop-commands::${resumeToken}\n`);
    process.stdout.write(`[command]${[program, ...args].map(escapeForLog).join(' ')}\n`);
  }
  if (echo) openFences.add(resumeToken);
  const resumeCommands = () => {
    if (openFences.delete(resumeToken)) process.stdout.write(`\n::${resumeToken}::\n`);
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: childEnv(options.env ?? process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid !== undefined) runningGroups.add(child.pid);
    const streams = [child.stdout, child.stderr];
    let tail = '';
    let waitingForDrain = false;
    const collect = (chunk: Buffer) => {
      // Backpressure: stop reading the program until the log has taken what we gave it.
      if (echo && !process.stdout.write(chunk) && !waitingForDrain) {
        waitingForDrain = true;
        for (const stream of streams) stream.pause();
        process.stdout.once('drain', () => {
          waitingForDrain = false;
          for (const stream of streams) stream.resume();
        });
      }
      tail += chunk.toString('utf8');
      if (tail.length > tailBytes * 2) tail = tail.slice(-tailBytes);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child.pid, 'SIGTERM');
            killTimer = setTimeout(
              () => killGroup(child.pid, 'SIGKILL'),
              options.killGraceMs ?? 5000,
            );
          }, options.timeoutMs);

    child.on('error', (error) => {
      clearTimeout(timer);
      resumeCommands();
      reject(error);
    });
    // 'exit', not 'close': a leftover child holding the pipes must not keep the step alive.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      killGroup(child.pid, 'SIGKILL');
      if (child.pid !== undefined) runningGroups.delete(child.pid);
      void drainPipes(streams).then(() => {
        resumeCommands();
        resolvePromise({
          exitCode: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1),
          ...(signal ? { signal } : {}),
          ...(timedOut ? { timedOut } : {}),
          output: tail.slice(-tailBytes),
        });
      });
    });
  });
}

export interface CaptureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the program (SIGTERM) after this long; the result then says `timedOut`. */
  timeoutMs?: number;
  /** Written to the program's stdin, which is then closed (at once when there is no input). */
  input?: string;
  /** Kill the program when stdout or stderr passes this many bytes (default 4 MiB). */
  maxBytes?: number;
}

export interface CaptureResult {
  /** The exit code; 128 + the signal's number when a signal ended the program. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The signal that ended the program, if one did. */
  signal?: NodeJS.Signals;
  /** Killed because `timeoutMs` passed. */
  timedOut?: boolean;
  /** Killed because it wrote more than `maxBytes` to stdout or stderr. */
  overflowed?: boolean;
}

/**
 * Runs a program with an argv array (never through a shell) and captures stdout and stderr
 * apart, echoing nothing: for asking a program something, not for showing its work (that is
 * execProgram). Rejects only when the program cannot be started (the error's `code` says why,
 * e.g. ENOENT).
 */
export function captureProgram(
  program: string,
  args: string[],
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      // The interpreters it asks (a restored venv's python among them) get no runner secrets
      // either: the same filtered environment as execProgram's programs.
      env: childEnv(options.env ?? process.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let timedOut = false;
    let overflowed = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
          }, options.timeoutMs);
    const collector = () => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      return {
        chunks,
        add: (chunk: Buffer) => {
          if (overflowed) return;
          bytes += chunk.length;
          if (bytes > maxBytes) {
            overflowed = true;
            child.kill('SIGTERM');
            return;
          }
          chunks.push(chunk);
        },
      };
    };
    const stdout = collector();
    const stderr = collector();
    child.stdout.on('data', stdout.add);
    child.stderr.on('data', stderr.add);
    // A program that exits without reading its input closes the pipe: not our failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1),
        stdout: Buffer.concat(stdout.chunks).toString('utf8'),
        stderr: Buffer.concat(stderr.chunks).toString('utf8'),
        ...(signal ? { signal } : {}),
        ...(timedOut ? { timedOut } : {}),
        ...(overflowed ? { overflowed } : {}),
      });
    });
  });
}
