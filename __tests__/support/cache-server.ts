/**
 * A local stand-in for GitHub's Actions cache service (v2, the Twirp API that @actions/cache@6
 * calls under ACTIONS_RESULTS_URL), with Azurite, Microsoft's storage emulator, as the blob
 * store. The service hands out SAS-signed blob URLs exactly as the real one does, so the
 * library's own upload (BlockBlobClient.uploadFile) and download code run unchanged.
 *
 * Blob URLs are production-shaped (`http://devstoreaccount1.blob.core.windows.net/...`) so
 * @actions/cache takes its Azure SDK download path (it picks it by that host name, as on hosted
 * runners). Those host names do not resolve here: `env` routes them through a small forwarding
 * proxy on 127.0.0.1 (HTTP_PROXY, which both the Azure SDK and @actions/http-client honour) that
 * hands each request to Azurite. Everything binds 127.0.0.1 on port 0 and stops in `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BlobSASPermissions,
  BlobServiceClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';

/** Azurite's development account and its published, well-known key. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZURE_BLOB_HOST = `${ACCOUNT}.blob.core.windows.net`;
const CONTAINER = 'actions-cache';
const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';
const STARTUP_TIMEOUT_MS = 30_000;
const AZURITE_BLOB_MAIN = fileURLToPath(
  new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url),
);

export interface CacheEntryRecord {
  key: string;
  version: string;
  blobName: string;
  sizeBytes?: number;
  finalized: boolean;
}

export interface CacheServer {
  /** ACTIONS_RESULTS_URL */
  url: string;
  /** Environment a job gets on a hosted runner with cache service v2, pointed at this stand-in. */
  env: Record<string, string>;
  /** Every Twirp call received, in order, e.g. `CreateCacheEntry`. */
  calls: string[];
  /** Every blob request the proxy forwarded to Azurite: method, and the byte range when one was asked. */
  blobRequests: { method: string; range?: string }[];
  entries(): CacheEntryRecord[];
  /** Overwrites a finalized entry's blob with other bytes (to test corrupted downloads). */
  replaceBlob(key: string, content: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/**
 * For a describe block: the stand-in started before its tests and stopped after them; call the
 * returned function for the running server.
 */
export function useCacheServer(): () => CacheServer {
  let server: CacheServer | undefined;
  beforeAll(async () => {
    server = await startCacheServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);
  return () => {
    if (!server) throw new Error('the cache service stand-in did not start (see beforeAll)');
    return server;
  };
}

export async function startCacheServer(): Promise<CacheServer> {
  const azurite = await startAzurite();
  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  const container = new BlobServiceClient(
    `${azurite.url}/${ACCOUNT}`,
    credential,
  ).getContainerClient(CONTAINER);
  const servers: Server[] = [];
  try {
    await container.createIfNotExists();
    const token = `test-token-${randomUUID()}`;
    const records: CacheEntryRecord[] = [];
    const calls: string[] = [];
    let nextId = 1;

    const signedUrl = (blobName: string, permissions: string): string => {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: CONTAINER,
          blobName,
          permissions: BlobSASPermissions.parse(permissions),
          protocol: SASProtocol.HttpsAndHttp,
          expiresOn: new Date(Date.now() + 60 * 60 * 1000),
        },
        credential,
      ).toString();
      return `http://${AZURE_BLOB_HOST}/${CONTAINER}/${blobName}?${sas}`;
    };

    /** A string field of a request body, as the service reads it ('' when absent or not text). */
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const methods: Record<string, (body: Record<string, unknown>) => [number, object]> = {
      CreateCacheEntry(body) {
        const key = text(body.key);
        const version = text(body.version);
        if (records.some((r) => r.key === key && r.version === version && r.finalized)) {
          return [
            409,
            {
              code: 'already_exists',
              msg: 'cache entry with the same key, version, and scope already exists',
            },
          ];
        }
        const record: CacheEntryRecord = {
          key,
          version,
          blobName: `${randomUUID()}.tar`,
          finalized: false,
        };
        records.push(record);
        return [200, { ok: true, signed_upload_url: signedUrl(record.blobName, 'cw') }];
      },
      FinalizeCacheEntryUpload(body) {
        const record = records.find(
          (r) => r.key === body.key && r.version === body.version && !r.finalized,
        );
        if (!record)
          return [
            404,
            { code: 'not_found', msg: 'no cache entry is being uploaded for this key and version' },
          ];
        record.finalized = true;
        record.sizeBytes = Number(body.size_bytes);
        return [200, { ok: true, entry_id: String(nextId++) }];
      },
      GetCacheEntryDownloadURL(body) {
        const version = text(body.version);
        const finalized = records.filter((r) => r.finalized && r.version === version);
        // Like the real service: the primary key first (exact), then each restore key by prefix, newest first.
        const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(String) : [];
        const match =
          finalized.find((r) => r.key === body.key) ??
          restoreKeys
            .map((prefix) => [...finalized].reverse().find((r) => r.key.startsWith(prefix)))
            .find(Boolean);
        if (!match) return [200, { ok: false }];
        return [
          200,
          { ok: true, signed_download_url: signedUrl(match.blobName, 'r'), matched_key: match.key },
        ];
      },
    };

    const service = await listen(
      createServer((req, res) => {
        void readBody(req).then((raw) => {
          const method = req.url?.startsWith(SERVICE) ? req.url.slice(SERVICE.length) : '';
          const handler = methods[method];
          if (req.method !== 'POST' || !handler)
            return reply(res, 404, { code: 'bad_route', msg: `no handler for ${req.url}` });
          if (req.headers.authorization !== `Bearer ${token}`) {
            return reply(res, 401, {
              code: 'unauthenticated',
              msg: 'missing or wrong runtime token',
            });
          }
          calls.push(method);
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            return reply(res, 400, { code: 'malformed', msg: 'request body is not JSON' });
          }
          const [status, payload] = handler(body);
          return reply(res, status, payload);
        });
      }),
    );
    servers.push(service);
    const blobRequests: { method: string; range?: string }[] = [];
    const proxy = await listen(
      createServer((req, res) => {
        const range = req.headers['x-ms-range'] ?? req.headers.range;
        blobRequests.push({
          method: req.method ?? '',
          range: typeof range === 'string' ? range : undefined,
        });
        forwardToAzurite(req, res, azurite.port);
      }),
    );
    servers.push(proxy);

    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/`;
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    return {
      url,
      env: {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: url,
        ACTIONS_RUNTIME_TOKEN: token,
        GITHUB_SERVER_URL: 'https://github.com',
        HTTP_PROXY: proxyUrl,
        http_proxy: proxyUrl,
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
      calls,
      blobRequests,
      entries: () => records.map((record) => ({ ...record })),
      async replaceBlob(key, content) {
        const record = records.find((r) => r.key === key && r.finalized);
        if (!record) throw new Error(`no finalized entry for ${key}`);
        await container.getBlockBlobClient(record.blobName).uploadData(content);
      },
      async stop() {
        await Promise.all(servers.map(close));
        await azurite.stop();
      },
    };
  } catch (error) {
    await Promise.all(servers.map(close));
    await azurite.stop();
    throw error;
  }
}

/** Only blob.core.windows.net requests are expected here; each goes to Azurite, path-style. */
function forwardToAzurite(req: IncomingMessage, res: ServerResponse, azuritePort: number): void {
  const target = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
  if (target.hostname !== AZURE_BLOB_HOST) {
    res
      .writeHead(502)
      .end(`the test proxy only forwards ${AZURE_BLOB_HOST}, not ${target.hostname}`);
    return;
  }
  const headers: Record<string, string | string[] | undefined> = {
    ...req.headers,
    host: `127.0.0.1:${azuritePort}`,
  };
  delete headers['proxy-connection']; // hop-by-hop: meant for the proxy, not for Azurite
  const upstream = httpRequest(
    {
      host: '127.0.0.1',
      port: azuritePort,
      method: req.method,
      path: `/${ACCOUNT}${target.pathname}${target.search}`,
      headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => res.writeHead(502).end(String(error)));
  req.pipe(upstream);
}

interface Azurite {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Azurite's blob service in memory, in its own process, on a free port it reports on stdout. */
async function startAzurite(): Promise<Azurite> {
  const workDir = mkdtempSync(join(tmpdir(), 'pyci-azurite-'));
  const child = spawn(
    process.execPath,
    [
      AZURITE_BLOB_MAIN,
      ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
      ...[
        '--inMemoryPersistence',
        '--skipApiVersionCheck',
        '--loose',
        '--silent',
        '--disableTelemetry',
      ],
    ],
    // In-memory storage; the temp cwd only catches any stray file Azurite might write.
    { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    await stopProcess(child);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start within ${STARTUP_TIMEOUT_MS} ms: ${output}`)),
        STARTUP_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited (${code}) before listening: ${output}`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 5 s: never leave an emulator behind. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.closeAllConnections();
    server.close(() => resolveClose());
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolveBody(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, payload: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}
