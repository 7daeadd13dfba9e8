/**
 * The manifest source end to end on 127.0.0.1: real manifest fetch, real @actions/tool-cache
 * download and extraction, the archive's real setup.sh, a real interpreter at the end. Faults
 * (503, resets, cut bodies, 404, truncated archives, broken installers) come from the server.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, SetupError } from '../../src/runner/errors.js';
import { setupPython, type PythonRequest } from '../../src/python/setup.js';
import {
  buildPythonArchive,
  manifestRelease,
  osVersionId,
  startManifestServer,
  type Fault,
  type ManifestServer,
} from '../support/manifest-server.js';
import { layoutToolCache, machineArch, pyenvPrefix, pyenvVersions } from '../../tools/toolcache.js';
import { collectingLog, reportedVersion, request } from '../support/python-fixtures.js';

const arch = machineArch();
const versions = pyenvVersions();
const served = versions.at(-1)!; // what the manifest offers
const cached = versions.at(-2)!; // what the tool cache already has, in some tests
const minor = (version: string) => version.split('.').slice(0, 2).join('.');

let server: ManifestServer;
let otherOrigin: ManifestServer;
let root: string;
let archive: Buffer;
let brokenSetup: Buffer;
let lyingArchive: Buffer;

function manifest(archiveServer: ManifestServer = server) {
  const ok = manifestRelease(served, archiveServer.url('/archives/ok.tar.gz'), {
    arch,
    platformVersion: osVersionId(),
  });
  // The same release built for another OS release: must never be fetched.
  ok.files.push(
    manifestRelease(served, server.url('/archives/other-os.tar.gz'), {
      arch,
      platformVersion: '99.04',
    }).files[0],
  );
  return JSON.stringify([
    manifestRelease('3.60.0-beta.1', server.url('/archives/prerelease.tar.gz'), {
      arch,
      stable: false,
    }),
    manifestRelease('3.58.0', server.url('/archives/lying.tar.gz'), { arch }),
    manifestRelease('3.57.0', server.url('/archives/broken-setup.tar.gz'), { arch }),
    manifestRelease('3.56.0', server.url('/archives/truncated.tar.gz'), { arch }),
    manifestRelease('3.55.0', server.url('/archives/missing.tar.gz'), { arch }),
    manifestRelease(served, server.url('/archives/other-arch.tar.gz'), {
      arch: arch === 'arm64' ? 'x64' : 'arm64',
    }),
    ok,
  ]);
}

/** Fresh routes (and faults) for each test. */
function serveAll(faults: { manifest?: Fault[]; archive?: Fault[] } = {}) {
  server.serve('/versions-manifest.json', manifest(), faults.manifest);
  server.serve('/archives/ok.tar.gz', archive, faults.archive);
  server.serve('/archives/truncated.tar.gz', archive.subarray(0, Math.floor(archive.length * 0.4)));
  server.serve('/archives/broken-setup.tar.gz', brokenSetup);
  server.serve('/archives/lying.tar.gz', lyingArchive);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pydownload-'));
  [server, otherOrigin] = await Promise.all([startManifestServer(), startManifestServer()]);
  archive = buildPythonArchive(pyenvPrefix(served), served, { arch });
  brokenSetup = buildPythonArchive(pyenvPrefix(served), served, {
    arch,
    label: '3.57.0',
    failSetup: true,
    stdlib: false,
  });
  lyingArchive = buildPythonArchive(pyenvPrefix(served), served, { arch, label: '3.58.0' });
});
afterAll(async () => {
  await Promise.all([server?.close(), otherOrigin?.close()]);
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  serveAll();
});

function manifestRequest(overrides: Partial<PythonRequest> = {}): PythonRequest {
  const toolCacheDir = mkdtempSync(join(root, 'tc-'));
  return request({
    toolCacheDir,
    workingDirectory: root,
    architecture: arch,
    sources: ['tool-cache', 'manifest'],
    manifestUrl: server.url('/versions-manifest.json'),
    tempDir: join(root, 'temp'),
    ...overrides,
  });
}

const hits = (path: string) => server.requests.filter((r) => r.path === path).length;

/** The tool cache holds nothing for `version`: no folder, no marker. */
function expectNothingLeft(toolCacheDir: string, version: string) {
  expect(existsSync(join(toolCacheDir, 'Python', version))).toBe(false);
}

describe('download on a tool cache miss', () => {
  it('installs the archive for this OS and arch through its setup.sh, then reuses it from the tool cache', async () => {
    const log = collectingLog();
    const req = manifestRequest({ versionSpec: minor(served), log });
    const interpreter = await setupPython(req);
    expect(interpreter.source).toBe('manifest');
    expect(interpreter.version).toBe(served);
    expect(interpreter.prefix).toBe(join(req.toolCacheDir, 'Python', served, arch));
    expect(existsSync(join(req.toolCacheDir, 'Python', served, `${arch}.complete`))).toBe(true);
    expect(reportedVersion(interpreter.executable)).toBe(served);
    expect(interpreter.reason).toBe(
      `Using Python ${served} downloaded from ${server.url('/archives/ok.tar.gz')} into the runner tool cache (${interpreter.prefix}): ` +
        `it is the newest match for "${minor(served)}" (python-version); the tool cache had none.`,
    );
    expect(hits('/archives/other-os.tar.gz') + hits('/archives/other-arch.tar.gz')).toBe(0);
    // Scratch files are gone.
    expect(readdirSync(req.tempDir!)).toEqual([]);

    server.requests.length = 0;
    const again = await setupPython({ ...req, log: collectingLog() });
    expect([again.source, again.version]).toEqual(['tool-cache', served]);
    expect(server.requests).toEqual([]);
  });

  it('does not touch the network when the tool cache has a match', async () => {
    const req = manifestRequest({ versionSpec: minor(cached) });
    layoutToolCache(req.toolCacheDir, [cached], arch);
    const interpreter = await setupPython(req);
    expect(interpreter.source).toBe('tool-cache');
    expect(server.requests).toEqual([]);
  });

  it('replaces a half-written entry left by an interrupted install', async () => {
    const req = manifestRequest({ versionSpec: served });
    const stale = join(req.toolCacheDir, 'Python', served, arch);
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'leftover'), '');
    const interpreter = await setupPython(req);
    expect(interpreter.source).toBe('manifest');
    expect(existsSync(join(stale, 'leftover'))).toBe(false);
  });

  it('leaves pre-releases alone unless allow-prereleases is set', async () => {
    const req = manifestRequest({ versionSpec: '3.60', sources: ['manifest'] });
    await expect(setupPython(req)).rejects.toThrow(/is not available/);
    expect(hits('/archives/prerelease.tar.gz')).toBe(0);
    await expect(setupPython({ ...req, allowPrereleases: true })).rejects.toThrow(
      `Could not download Python 3.60.0b1 from ${server.url('/archives/prerelease.tar.gz')}: HTTP 404 Not Found.`,
    );
  });
});

describe('network faults', () => {
  it('retries 503s on the manifest and the archive, then succeeds', async () => {
    serveAll({ manifest: [503, 503], archive: [502] });
    const interpreter = await setupPython(manifestRequest({ versionSpec: served }));
    expect(interpreter.source).toBe('manifest');
    expect(hits('/versions-manifest.json')).toBe(3);
    expect(hits('/archives/ok.tar.gz')).toBe(2);
  });

  it('retries a reset connection and a body cut short', async () => {
    serveAll({ manifest: ['reset'], archive: ['cut', 'reset'] });
    const interpreter = await setupPython(manifestRequest({ versionSpec: served }));
    expect(reportedVersion(interpreter.executable)).toBe(served);
    expect(hits('/versions-manifest.json')).toBe(2);
    expect(hits('/archives/ok.tar.gz')).toBe(3);
  });

  it('gives up after 3 attempts, says so, and the other sources still answer', async () => {
    serveAll({ manifest: [503, 503, 503, 503] });
    const req = manifestRequest({ versionSpec: served, sources: ['manifest'] });
    await expect(setupPython(req)).rejects.toThrow(
      `Available: manifest unreadable (Could not download the Python versions manifest from ${req.manifestUrl}: HTTP 503 (after 3 attempts).`,
    );
    expect(hits('/versions-manifest.json')).toBe(3);
    serveAll({ manifest: [503, 503, 503] });
    const fallback = await setupPython({ ...req, sources: ['manifest', 'system'] });
    expect(fallback.source).toBe('system');
  });

  it('an archive download that keeps failing is a SetupError (the network failed, not the input)', async () => {
    serveAll({ archive: [503, 503, 503] });
    const attempt = setupPython(manifestRequest({ versionSpec: served, sources: ['manifest'] }));
    await expect(attempt).rejects.toThrow(SetupError);
    await expect(attempt).rejects.toThrow(
      `Could not download Python ${served} from ${server.url('/archives/ok.tar.gz')}: HTTP 503 (after 3 attempts).`,
    );
    await expect(attempt).rejects.not.toThrow(InputError);
  });

  it('fails at once on a 404, naming the URL, and leaves nothing behind', async () => {
    const req = manifestRequest({ versionSpec: '3.55' });
    const attempt = setupPython(req);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      `Could not download Python 3.55.0 from ${server.url('/archives/missing.tar.gz')}: HTTP 404 Not Found. Check that manifest-url lists archives that exist`,
    );
    expect(hits('/archives/missing.tar.gz')).toBe(1);
    expectNothingLeft(req.toolCacheDir, '3.55.0');
  });

  it('a manifest URL that 404s names manifest-url', async () => {
    const req = manifestRequest({
      versionSpec: served,
      sources: ['manifest'],
      manifestUrl: server.url('/nope.json'),
    });
    await expect(setupPython(req)).rejects.toThrow(
      `manifest unreadable (Could not download the Python versions manifest from ${server.url('/nope.json')}: HTTP 404 Not Found. Check manifest-url`,
    );
  });
});

describe('broken archives leave no tool cache entry', () => {
  it('a truncated archive', async () => {
    const req = manifestRequest({ versionSpec: '3.56' });
    await expect(setupPython(req)).rejects.toThrow(
      /^Could not install Python 3\.56\.0 from .*truncated\.tar\.gz: the archive could not be extracted .*it may be truncated\. Nothing was left in the tool cache/,
    );
    expectNothingLeft(req.toolCacheDir, '3.56.0');
    expect(readdirSync(req.tempDir!)).toEqual([]);
  });

  it('an archive that does not install is a SetupError (the service failed, not the input)', async () => {
    const attempt = setupPython(manifestRequest({ versionSpec: '3.57' }));
    await expect(attempt).rejects.toThrow(SetupError);
    await expect(attempt).rejects.not.toThrow(InputError);
  });

  it('a setup.sh that fails after copying the files', async () => {
    const req = manifestRequest({ versionSpec: '3.57' });
    await expect(setupPython(req)).rejects.toThrow(
      /its setup\.sh failed with exit code 3:[\s\S]*simulated failure after copying/,
    );
    expectNothingLeft(req.toolCacheDir, '3.57.0');
  });

  it('an archive whose interpreter is not the version the manifest promised', async () => {
    const req = manifestRequest({ versionSpec: '3.58' });
    await expect(setupPython(req)).rejects.toThrow(
      `the installed interpreter reports ${served}, not 3.58.0`,
    );
    expectNothingLeft(req.toolCacheDir, '3.58.0');
    // A later run does not pick up anything half-made.
    await expect(setupPython({ ...req, sources: ['tool-cache'] })).rejects.toThrow(
      /Available: tool cache none/,
    );
  });
});

describe('check-latest', () => {
  it('prefers the manifest newest match over an older one in the tool cache', async () => {
    const spec = `>=${minor(cached)},<=${served}`;
    const req = manifestRequest({ versionSpec: spec });
    layoutToolCache(req.toolCacheDir, [cached], arch);
    expect((await setupPython(req)).version).toBe(cached);
    expect(server.requests).toEqual([]);

    const latest = await setupPython({ ...req, checkLatest: true });
    expect([latest.source, latest.version]).toEqual(['manifest', served]);
    expect(latest.reason).toContain(
      `check-latest: the manifest's newest match for "${spec}" (python-version) is newer than the tool cache's ${cached}`,
    );

    // Now the newest is in the tool cache: only the manifest is read.
    server.requests.length = 0;
    const cachedLatest = await setupPython({ ...req, checkLatest: true });
    expect(cachedLatest.source).toBe('tool-cache');
    expect(server.requests.map((r) => r.path)).toEqual(['/versions-manifest.json']);
  });
});

describe('the token', () => {
  it('goes to the origin of a user-set manifest-url, and nowhere else', async () => {
    otherOrigin.serve('/archives/ok.tar.gz', archive);
    server.serve('/versions-manifest.json', manifest(otherOrigin));
    const req = manifestRequest({ versionSpec: served, token: 'secret-token' });
    await setupPython(req);
    expect(server.requests.find((r) => r.path === '/versions-manifest.json')?.authorization).toBe(
      'token secret-token',
    );
    expect(otherOrigin.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/archives/ok.tar.gz', undefined],
    ]);

    serveAll();
    server.requests.length = 0;
    const sameOrigin = manifestRequest({ versionSpec: served, token: 'secret-token' });
    await setupPython(sameOrigin);
    expect(server.requests.map((r) => r.authorization)).toEqual([
      'token secret-token',
      'token secret-token',
    ]);
  });
});
