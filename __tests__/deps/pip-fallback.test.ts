/** Where the cache-max-size fallback restores pip's cache: pip's own default, checked against pip. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPipCacheDir, pipCacheDir } from '../../src/deps/pip-fallback.js';
import { machinePrefix, newestPatch } from '../../tools/toolcache.js';

const scratch = mkdtempSync(join(tmpdir(), 'pyci-pip-fallback-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('defaultPipCacheDir', () => {
  it('is PIP_CACHE_DIR when set, else the user cache folder', () => {
    expect(defaultPipCacheDir({ PIP_CACHE_DIR: '/x/pip' })).toBe('/x/pip');
    expect(defaultPipCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/pip');
    expect(defaultPipCacheDir({})).toBe(join(homedir(), '.cache', 'pip'));
  });

  it("agrees with pip's own answer (pip cache dir) in the same environment", async () => {
    const python = join(machinePrefix(newestPatch('3.11')), 'bin/python');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: join(scratch, 'xdg') };
    delete env.PIP_CACHE_DIR;
    const pip = execFileSync(python, ['-m', 'pip', 'cache', 'dir'], { encoding: 'utf8', env })
      .trim()
      .split('\n')
      .pop();
    expect(defaultPipCacheDir(env)).toBe(pip);
    // And pipCacheDir asks the same pip what it uses (the save checks they agree).
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = env.XDG_CACHE_HOME;
    const cachedPip = process.env.PIP_CACHE_DIR;
    delete process.env.PIP_CACHE_DIR;
    try {
      await expect(pipCacheDir(python)).resolves.toBe(pip);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
      if (cachedPip !== undefined) process.env.PIP_CACHE_DIR = cachedPip;
    }
  });
});
