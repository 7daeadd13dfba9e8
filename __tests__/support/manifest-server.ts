/**
 * A stand-in for GitHub's python-versions downloads, on 127.0.0.1: serves a versions manifest
 * and `.tar.gz` archives built here from a pyenv interpreter, in the python-versions layout (the
 * install tree plus a `setup.sh` that copies it into `$RUNNER_TOOL_CACHE/Python/<ver>/<arch>`
 * and touches the `.complete` marker, as the real one does). Faults can be queued per path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the server does with one request instead of answering it: a status, a reset, or a body cut short. */
export type Fault = number | 'reset' | 'cut';

export interface RecordedRequest {
  path: string;
  authorization?: string;
}

export interface ManifestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  url(path: string): string;
  /** Serves `body` at `path`; the first requests meet `faults`, one each, in order. */
  serve(path: string, body: Buffer | string, faults?: Fault[]): void;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Route {
  body: Buffer;
  faults: Fault[];
}

export async function startManifestServer(): Promise<ManifestServer> {
  const routes = new Map<string, Route>();
  const requests: RecordedRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push({ path, authorization: req.headers.authorization });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const fault = route.faults.shift();
    if (fault === 'reset') {
      req.socket.destroy();
    } else if (fault === 'cut') {
      // Promise the whole body, send half, hang up: a connection lost mid-download.
      res.writeHead(200, { 'content-length': route.body.length });
      res.write(route.body.subarray(0, Math.floor(route.body.length / 2)), () =>
        req.socket.destroy(),
      );
    } else if (typeof fault === 'number') {
      res.writeHead(fault).end(`status ${fault}`);
    } else {
      res.writeHead(200, { 'content-length': route.body.length }).end(route.body);
    }
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    serve: (path, body, faults = []) => {
      routes.set(path, {
        body: typeof body === 'string' ? Buffer.from(body) : body,
        faults: [...faults],
      });
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ManifestFileOptions {
  platform?: string;
  arch?: string;
  platformVersion?: string;
  stable?: boolean;
}

/** One release in the versions-manifest.json format. */
export function manifestRelease(
  version: string,
  downloadUrl: string,
  options: ManifestFileOptions = {},
) {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? 'x64';
  return {
    version,
    stable: options.stable ?? true,
    release_url: `https://github.com/actions/python-versions/releases/tag/${version}`,
    files: [
      {
        filename: `python-${version}-${platform}-${options.platformVersion ?? 'any'}-${arch}.tar.gz`,
        arch,
        platform,
        ...(options.platformVersion === undefined
          ? {}
          : { platform_version: options.platformVersion }),
        download_url: downloadUrl,
      },
    ],
  };
}

/** This machine's /etc/os-release VERSION_ID, the value the manifest's platform_version is compared with. */
export function osVersionId(): string | undefined {
  if (!existsSync('/etc/os-release')) return undefined;
  const match = /^VERSION_ID="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
  return match?.[1];
}

export interface ArchiveOptions {
  arch: string;
  /** The version setup.sh installs as (default: the interpreter's own); a different one makes a lying archive. */
  label?: string;
  /** setup.sh copies the tree, then fails before writing the marker (a broken install). */
  failSetup?: boolean;
  /** false: leave the standard library out (for archives that are meant to fail anyway; faster). */
  stdlib?: boolean;
}

function setupScript(version: string, binary: string, options: ArchiveOptions): string {
  return `#!/bin/bash
# Same steps as actions/python-versions' installer: copy the tree into the tool cache, link the
# interpreter names, mark the entry complete.
set -e
PYTHON_FULL_VERSION="${version}"
ARCH="${options.arch}"
if [ -z "\${AGENT_TOOLSDIRECTORY+x}" ]; then TOOLCACHE_ROOT="$RUNNER_TOOL_CACHE"; else TOOLCACHE_ROOT="$AGENT_TOOLSDIRECTORY"; fi
VERSION_PATH="$TOOLCACHE_ROOT/Python/$PYTHON_FULL_VERSION"
ARCH_PATH="$VERSION_PATH/$ARCH"
echo "Installing Python $PYTHON_FULL_VERSION into $ARCH_PATH"
rm -rf "$ARCH_PATH" "$VERSION_PATH/$ARCH.complete"
mkdir -p "$ARCH_PATH"
cp -R ./bin ./lib "$ARCH_PATH"
ln -sf ${binary} "$ARCH_PATH/bin/python3"
ln -sf python3 "$ARCH_PATH/bin/python"
${options.failSetup ? 'echo "simulated failure after copying" >&2\nexit 3\n' : ''}touch "$VERSION_PATH/$ARCH.complete"
`;
}

/**
 * Builds `python-<version>-<platform>-<arch>.tar.gz` from a pyenv install prefix and returns its
 * bytes. To keep it small (about 13 MB, under a second) it holds the interpreter binary and the
 * standard library without its test suite, site-packages, IDLE/Tk and build config; the binary
 * finds libpython through the RPATH pyenv gave it. Everything else is the real thing.
 */
export function buildPythonArchive(
  prefix: string,
  version: string,
  options: ArchiveOptions,
): Buffer {
  const minor = version.split('.').slice(0, 2).join('.');
  const binary = `python${minor}`;
  const lib = `lib/python${minor}`;
  const staging = mkdtempSync(join(tmpdir(), 'pyarchive-'));
  try {
    writeFileSync(
      join(staging, 'setup.sh'),
      setupScript(options.label ?? version, binary, options),
      { mode: 0o755 },
    );
    const out = join(staging, 'archive.tar.gz');
    const excludes = [
      'test',
      'site-packages',
      'idlelib',
      'tkinter',
      'turtledemo',
      'lib2to3',
      'config-*',
      'unittest/test',
      'ctypes/test',
    ];
    execFileSync('tar', [
      '-czf',
      out,
      '--exclude=__pycache__',
      ...excludes.map((name) => `--exclude=${lib}/${name}`),
      '-C',
      staging,
      'setup.sh',
      '-C',
      prefix,
      `bin/${binary}`,
      options.stdlib === false ? `${lib}/os.py` : lib,
    ]);
    return readFileSync(out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
