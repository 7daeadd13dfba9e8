/**
 * A static file server on 127.0.0.1 for a folder of wheels: a find-links page and the files,
 * served as PyPI's file host serves them (cacheable), counting the wheels fetched. pip caches
 * only what it downloads over HTTP, so tests of pip's cache need this rather than file: indexes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export async function serveWheels(
  dir: string,
): Promise<{ url: string; wheelGets: string[]; stop(): Promise<void> }> {
  const wheelGets: string[] = [];
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]);
    if (name === '') {
      const links = readdirSync(dir).map((file) => `<a href="${file}">${file}</a>`);
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<html><body>${links.join('\n')}</body></html>`);
      return;
    }
    if (!/^[\w.+-]+\.whl$/.test(name) || !existsSync(join(dir, name))) {
      res.writeHead(404).end();
      return;
    }
    wheelGets.push(name);
    // As PyPI's file host does: without this, pip does not cache the download.
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'cache-control': 'max-age=31536000, immutable',
      })
      .end(readFileSync(join(dir, name)));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    wheelGets,
    stop: () =>
      new Promise((resolveStop) => {
        server.closeAllConnections();
        server.close(() => resolveStop());
      }),
  };
}
