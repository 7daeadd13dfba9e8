import {
  authorizationFor,
  DEFAULT_MANIFEST_URL,
  manifestCandidates,
  otherPlatformVersions,
  parseManifest,
  pickCandidate,
  type ManifestRelease,
} from '../../src/python/manifest.js';
import { parseVersionSpec } from '../../src/python/spec.js';
import { parseOsRelease } from '../../src/runner/os-release.js';
import { interpreterExports } from '../../src/python/job-exports.js';

function release(
  version: string,
  stable: boolean,
  files: [string, string, string?][],
): ManifestRelease {
  return {
    version,
    stable,
    files: files.map(([platform, arch, platformVersion]) => ({
      filename: `python-${version}-${platform}-${platformVersion ?? 'any'}-${arch}.tar.gz`,
      platform,
      arch,
      platform_version: platformVersion,
      download_url: `https://example.test/${version}/${platform}-${platformVersion ?? 'any'}-${arch}.tar.gz`,
    })),
  };
}

const RELEASES: ManifestRelease[] = [
  release('3.14.0-beta.1', false, [['linux', 'x64', '24.04']]),
  release('3.13.1', true, [
    ['linux', 'x64', '22.04'],
    ['linux', 'x64', '24.04'],
    ['darwin', 'arm64'],
  ]),
  release('3.12.8', true, [
    ['linux', 'x64', '22.04'],
    ['linux', 'arm64', '24.04'],
    ['win32', 'x64'],
  ]),
  release('3.11.9', true, [['linux', 'x64']]),
];

const ubuntu2404 = { platform: 'linux', distro: 'ubuntu', version: '24.04' };

describe('choosing the archive for this runner', () => {
  it('matches platform, arch and the Ubuntu release; a file without platform_version fits any', () => {
    const found = manifestCandidates(RELEASES, ubuntu2404, 'x64');
    expect(found.map((c) => [c.version, c.file.platform_version])).toEqual([
      ['3.14.0-beta.1', '24.04'],
      ['3.13.1', '24.04'],
      ['3.11.9', undefined],
    ]);
    const jammy = manifestCandidates(RELEASES, { platform: 'linux', version: '22.04' }, 'x64');
    expect(jammy.map((c) => c.file.download_url)).toEqual([
      'https://example.test/3.13.1/linux-22.04-x64.tar.gz',
      'https://example.test/3.12.8/linux-22.04-x64.tar.gz',
      'https://example.test/3.11.9/linux-any-x64.tar.gz',
    ]);
  });

  it('ignores platform_version off Linux and respects arch', () => {
    const mac = manifestCandidates(RELEASES, { platform: 'darwin' }, 'arm64');
    expect(mac.map((c) => c.version)).toEqual(['3.13.1']);
    expect(
      manifestCandidates(RELEASES, { platform: 'win32' }, 'x64').map((c) => c.version),
    ).toEqual(['3.12.8']);
  });

  it('a non-Ubuntu runner gets only builds without platform_version, and is told which exist', () => {
    const debian = { platform: 'linux', distro: 'debian', version: '12' };
    expect(manifestCandidates(RELEASES, debian, 'x64').map((c) => c.version)).toEqual(['3.11.9']);
    expect(otherPlatformVersions(RELEASES, debian, 'x64')).toEqual(['22.04', '24.04']);
    expect(otherPlatformVersions(RELEASES, ubuntu2404, 'x64')).toEqual(['22.04']);
  });

  it('takes pre-releases only when the spec allows them', () => {
    const candidates = manifestCandidates(RELEASES, ubuntu2404, 'x64');
    expect(
      pickCandidate(parseVersionSpec('3.x', { allowPrereleases: false }), candidates)?.version,
    ).toBe('3.13.1');
    expect(
      pickCandidate(parseVersionSpec('3.x', { allowPrereleases: true }), candidates)?.version,
    ).toBe('3.14.0-beta.1');
    expect(
      pickCandidate(parseVersionSpec('3.12', { allowPrereleases: false }), candidates),
    ).toBeUndefined();
  });
});

describe('parseManifest', () => {
  it('reads the python-versions format', () => {
    const release = {
      version: '3.12.1',
      stable: true,
      release_url: 'u',
      files: [
        {
          filename: 'f',
          arch: 'x64',
          platform: 'linux',
          platform_version: '22.04',
          download_url: 'd',
        },
      ],
    };
    expect(parseManifest(JSON.stringify([release]))).toEqual([release]);
  });

  it('says what is wrong with something that is not a manifest', () => {
    expect(() => parseManifest('<html>')).toThrow(/it is not JSON/);
    expect(() => parseManifest('{"versions": []}')).toThrow('it is not a JSON array of releases');
  });
});

describe('parseOsRelease', () => {
  it('reads ID and VERSION_ID', () => {
    expect(parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\n')).toEqual({
      NAME: 'Ubuntu',
      ID: 'ubuntu',
      VERSION_ID: '24.04',
    });
  });
});

describe('authorizationFor', () => {
  const token = 'ghs_secret';
  it('sends the token to GitHub hosts', () => {
    const context = { token, manifestUrl: DEFAULT_MANIFEST_URL };
    expect(
      authorizationFor(
        'https://github.com/actions/python-versions/releases/download/x.tar.gz',
        context,
      ),
    ).toBe(`token ${token}`);
    expect(authorizationFor('https://raw.githubusercontent.com/a/b/main/m.json', context)).toBe(
      `token ${token}`,
    );
  });

  it('never to other hosts a manifest lists, nor over plain http to GitHub look-alikes', () => {
    const context = { token, manifestUrl: DEFAULT_MANIFEST_URL };
    expect(authorizationFor('https://evil.example/github.com/x.tar.gz', context)).toBeUndefined();
    expect(authorizationFor('https://github.com.evil.example/x.tar.gz', context)).toBeUndefined();
    expect(authorizationFor('http://github.com/x.tar.gz', context)).toBeUndefined();
  });

  it('to the origin of a manifest-url the user set, and to the GitHub Enterprise server', () => {
    const mirror = {
      token,
      manifestUrl: 'https://mirror.corp/python/versions-manifest.json',
      serverUrl: 'https://ghe.corp',
    };
    expect(authorizationFor('https://mirror.corp/python/3.12.1.tar.gz', mirror)).toBe(
      `token ${token}`,
    );
    expect(authorizationFor('https://ghe.corp/releases/3.12.1.tar.gz', mirror)).toBe(
      `token ${token}`,
    );
    expect(authorizationFor('https://cdn.elsewhere/3.12.1.tar.gz', mirror)).toBeUndefined();
  });

  it('never in clear text over a network, even to a trusted origin; loopback http is allowed', () => {
    const plainMirror = { token, manifestUrl: 'http://mirror.corp/versions-manifest.json' };
    expect(authorizationFor('http://mirror.corp/3.12.1.tar.gz', plainMirror)).toBeUndefined();
    const local = { token, manifestUrl: 'http://127.0.0.1:8080/versions-manifest.json' };
    expect(authorizationFor('http://127.0.0.1:8080/3.12.1.tar.gz', local)).toBe(`token ${token}`);
  });

  it('sends nothing without a token', () => {
    expect(
      authorizationFor('https://github.com/x', { token: '', manifestUrl: DEFAULT_MANIFEST_URL }),
    ).toBeUndefined();
  });
});

describe('interpreterExports', () => {
  const base = {
    version: '3.12.1',
    executable: '/tc/Python/3.12.1/x64/bin/python',
    prefix: '/tc/Python/3.12.1/x64',
    reason: '',
  };

  it('exports what setup-python exports for a tool cache interpreter', () => {
    const env = interpreterExports({ ...base, source: 'tool-cache' }, 'linux', {
      LD_LIBRARY_PATH: '/opt/lib',
    });
    expect(env).toEqual({
      variables: {
        pythonLocation: '/tc/Python/3.12.1/x64',
        Python_ROOT_DIR: '/tc/Python/3.12.1/x64',
        Python3_ROOT_DIR: '/tc/Python/3.12.1/x64',
        PKG_CONFIG_PATH: '/tc/Python/3.12.1/x64/lib/pkgconfig',
        LD_LIBRARY_PATH: '/tc/Python/3.12.1/x64/lib:/opt/lib',
      },
      path: ['/tc/Python/3.12.1/x64', '/tc/Python/3.12.1/x64/bin'],
    });
  });

  it('puts only the interpreter folder of a system Python on PATH and leaves the loader path alone', () => {
    const env = interpreterExports(
      { ...base, executable: '/usr/bin/python3', prefix: '/usr', source: 'system' },
      'linux',
      {},
    );
    expect(env.path).toEqual(['/usr/bin']);
    expect(env.variables.LD_LIBRARY_PATH).toBeUndefined();
    expect(env.variables.pythonLocation).toBe('/usr');
  });

  it('does not repeat a loader path entry that is already there', () => {
    const env = interpreterExports({ ...base, source: 'manifest' }, 'linux', {
      LD_LIBRARY_PATH: '/tc/Python/3.12.1/x64/lib',
    });
    expect(env.variables.LD_LIBRARY_PATH).toBeUndefined();
  });
});
