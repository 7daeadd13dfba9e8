import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';

export interface ExecResult {
  exitCode: number;
  /** Combined stdout+stderr, the last `tailBytes` of it (enough to explain a failure). */
  output: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the output to the job log as it comes (default true). */
  echo?: boolean;
  tailBytes?: number;
}

/**
 * Runs a program with an argv array (never through a shell), echoing its output to the log and
 * keeping the tail of it for error messages. Resolves with the exit code; rejects only when the
 * program cannot be started.
 */
export function execProgram(
  program: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const tailBytes = options.tailBytes ?? 64 * 1024;
  const echo = options.echo ?? true;
  if (echo) process.stdout.write(`[command]${[program, ...args].join(' ')}\n`);
  // Output of pip, pytest and the user's tests is not ours: pause workflow-command processing so a
  // line like `::add-mask::` or `::error::` printed by a test cannot act on the job.
  const resumeToken = randomUUID();
  if (echo) process.stdout.write(`::stop-commands::${resumeToken}\n`);
  const resumeCommands = () => {
    if (echo) process.stdout.write(`\n::${resumeToken}::\n`);
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const collect = (chunk: Buffer) => {
      if (echo) process.stdout.write(chunk);
      tail += chunk.toString('utf8');
      if (tail.length > tailBytes * 2) tail = tail.slice(-tailBytes);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      resumeCommands();
      reject(error);
    });
    child.on('close', (code, signal) => {
      resumeCommands();
      resolvePromise({ exitCode: code ?? (signal ? 128 : 1), output: tail.slice(-tailBytes) });
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
      env: options.env ?? process.env,
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
