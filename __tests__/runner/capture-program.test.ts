/** captureProgram: a real child process (Node itself), stdout and stderr apart, nothing echoed. */
import { describe, expect, jest, test } from '@jest/globals';
import { captureProgram } from '../../src/runner/exec.js';

const node = process.execPath;

describe('captureProgram', () => {
  test('keeps stdout and stderr apart, passes input, cwd and env, echoes nothing', async () => {
    // A spy, not a mock: it records what reaches our stdout (the job log) and still writes it.
    const write = jest.spyOn(process.stdout, 'write');
    try {
      const result = await captureProgram(
        node,
        [
          '-e',
          `let t = ''; process.stdin.on('data', (d) => (t += d)).on('end', () => {
             process.stdout.write(t.toUpperCase() + ' ' + process.cwd() + ' ' + process.env.CAPTURE_X);
             process.stderr.write('::error::not a command');
             process.exit(3);
           });`,
        ],
        { input: 'héllo', cwd: '/', env: { ...process.env, CAPTURE_X: 'y' } },
      );
      expect(result).toEqual({
        exitCode: 3,
        stdout: 'HÉLLO / y',
        stderr: '::error::not a command',
      });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  test('stdin is closed when there is no input, so a reader does not hang', async () => {
    const result = await captureProgram(
      node,
      ['-e', 'process.stdin.resume().on("end", () => console.log("eof"))'],
      {
        timeoutMs: 10_000,
      },
    );
    expect(result).toEqual({ exitCode: 0, stdout: 'eof\n', stderr: '' });
  });

  test('a timeout kills the program and says so', async () => {
    const started = Date.now();
    const result = await captureProgram(node, ['-e', 'setTimeout(() => {}, 60_000)'], {
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGTERM', exitCode: 143 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('too much output kills the program and says so', async () => {
    const result = await captureProgram(
      node,
      ['-e', 'const s = "x".repeat(65536); for (;;) process.stdout.write(s)'],
      { maxBytes: 100_000, timeoutMs: 20_000 },
    );
    expect(result.overflowed).toBe(true);
    expect(result.timedOut).toBeUndefined();
    expect(result.stdout.length).toBeLessThanOrEqual(100_000);
  });

  test("the program gets no runner secrets: the runner's namespaces are filtered", async () => {
    const result = await captureProgram(
      node,
      [
        '-e',
        'console.log([process.env.INPUT_TOKEN, process.env.GITHUB_OUTPUT, process.env.MINE].join(","))',
      ],
      { env: { PATH: process.env.PATH, INPUT_TOKEN: 'secret', GITHUB_OUTPUT: '/o', MINE: 'kept' } },
    );
    expect(result.stdout.trim()).toBe(',,kept');
  });

  test('rejects with the error code when the program cannot be started', async () => {
    await expect(captureProgram('/nonexistent/program', [])).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
