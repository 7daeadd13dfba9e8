import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

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
