/** execProgram: a real child process (Node itself): fence, escaped echo, env, signals, timeout. */
import { describe, expect, jest, test } from '@jest/globals';
import { escapeForLog, execProgram } from '../../src/runner/exec.js';

const node = process.execPath;

/** What execProgram wrote to our stdout (the job log), as one string. */
async function logged(run: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

describe('escapeForLog', () => {
  test('escapes %, CR and LF as workflow commands do', () => {
    expect(escapeForLog('a\r\n::warning::b%0A')).toBe('a%0D%0A::warning::b%250A');
  });
});

describe('execProgram', () => {
  test('fences its own echo: an argument with a newline cannot start a command line', async () => {
    const log = await logged(() => execProgram(node, ['-e', '', 'x\n::warning::pwned']));
    const lines = log.split('\n');
    expect(lines[0]).toMatch(/^::stop-commands::[0-9a-f-]+$/);
    expect(lines[1]).toBe(`[command]${node} -e  x%0A::warning::pwned`);
    expect(lines.filter((line) => line.startsWith('::warning::'))).toEqual([]);
  });

  test("drops the runner's variables outside the allow-list and keeps the user's", async () => {
    const result = await execProgram(node, ['-e', 'console.log(JSON.stringify(process.env))'], {
      echo: false,
      env: {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: '/tmp/out',
        INPUT_TOKEN: 'secret',
        ACTIONS_RUNTIME_TOKEN: 'secret',
        GITHUB_SHA: 'abc',
        DATABASE_URL: 'postgres://x',
      },
    });
    expect(JSON.parse(result.output)).toEqual({
      PATH: process.env.PATH,
      GITHUB_SHA: 'abc',
      DATABASE_URL: 'postgres://x',
    });
  });

  test('says which signal ended the program', async () => {
    const result = await execProgram(node, ['-e', "process.kill(process.pid, 'SIGKILL')"], {
      echo: false,
    });
    expect(result).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  test('a timeout sends SIGTERM to the group, then SIGKILL when it is ignored', async () => {
    const polite = await execProgram(node, ['-e', 'setInterval(() => {}, 1000)'], {
      echo: false,
      timeoutMs: 300,
    });
    expect(polite).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
    const stubborn = await execProgram(
      node,
      ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"],
      { echo: false, timeoutMs: 300, killGraceMs: 300 },
    );
    expect(stubborn).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  test('returns when the program exits, though a child of its group still holds the pipe', async () => {
    const started = Date.now();
    const result = await execProgram(
      node,
      [
        '-e',
        `require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'inherit' }).unref();
         console.log('parent done');`,
      ],
      { echo: false },
    );
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('parent done');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
