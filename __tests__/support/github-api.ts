/**
 * A stand-in for GitHub's REST API on 127.0.0.1, as much of it as the pull-request comment
 * uses: list an issue's comments (paginated with Link headers, as GitHub does), create one,
 * update one; list a repository's pull requests, filtered by `head` (`owner:branch`) and
 * `state` as GitHub does, paginated likewise. Faults can be queued (a 5xx, a 403 as a fork's read-only token gets), and it
 * stops itself after `lifetimeMs` even if a test forgets to close it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  body: string;
}

/** A pull request as the list endpoint gives it (the fields the action reads, and a few more). */
export interface StoredPull {
  number: number;
  state: 'open' | 'closed';
  head: { ref: string; sha: string; label: string; repo: { full_name: string } };
  base: { ref: string; repo: { full_name: string } };
}

/** A pull request from `owner`'s fork (`owner/<name>`) of the stand-in's repository. */
export function forkPull(
  number: number,
  fields: { owner: string; branch: string; sha: string; base?: string; state?: 'open' | 'closed' },
  repository = 'octo-org/octo-service',
): StoredPull {
  const name = repository.split('/')[1];
  return {
    number,
    state: fields.state ?? 'open',
    head: {
      ref: fields.branch,
      sha: fields.sha,
      label: `${fields.owner}:${fields.branch}`,
      repo: { full_name: `${fields.owner}/${name}` },
    },
    base: { ref: fields.base ?? 'main', repo: { full_name: repository } },
  };
}

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  authorization?: string;
}

export interface GitHubApi {
  /** `http://127.0.0.1:<port>`: the GITHUB_API_URL to give the action. */
  url: string;
  /** Comments per issue number, in creation order. */
  comments: Map<number, StoredComment[]>;
  /** The repository's pull requests (any state), as `GET /repos/o/r/pulls` lists them. */
  pulls: StoredPull[];
  /** Every request with the status it got. */
  calls: RecordedCall[];
  /** The next requests (any route) answer these statuses instead, one each, in order. */
  faults: number[];
  /** Answer every create and update with 403, as for a fork's read-only token. */
  readOnly: boolean;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const MAX_PER_PAGE = 100;

/**
 * For a test file: the stand-in started before its tests, closed after them, and emptied before
 * each (comments, pull requests, calls, faults, read-only off); call it for the running one.
 */
export function useGitHubApi(): () => GitHubApi {
  let api: GitHubApi | undefined;
  beforeAll(async () => {
    api = await startGitHubApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    if (!api) return;
    api.comments.clear();
    api.pulls.length = 0;
    api.calls.length = 0;
    api.faults.length = 0;
    api.readOnly = false;
  });
  return () => {
    if (!api) throw new Error('the GitHub API stand-in did not start (see beforeAll)');
    return api;
  };
}

export async function startGitHubApi(
  options: { repository?: string; lifetimeMs?: number } = {},
): Promise<GitHubApi> {
  const repository = options.repository ?? 'octo-org/octo-service';
  const comments = new Map<number, StoredComment[]>();
  const calls: RecordedCall[] = [];
  let nextId = 1000;
  const api: GitHubApi = {
    url: '',
    comments,
    pulls: [],
    calls,
    faults: [],
    readOnly: false,
    close: async () => {},
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    calls.push({
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      authorization: req.headers.authorization,
    });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  /** One page of `all`, with GitHub's Link header to the others. */
  const sendPage = (req: IncomingMessage, res: ServerResponse, url: URL, all: unknown[]) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), MAX_PER_PAGE);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1), 1);
    const pages = Math.max(Math.ceil(all.length / perPage), 1);
    const link = (n: number, rel: string) => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      return `<${api.url}${next.pathname}${next.search}>; rel="${rel}"`;
    };
    const links = [
      ...(page < pages ? [link(page + 1, 'next'), link(pages, 'last')] : []),
      ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
    ];
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return send(req, res, 200, slice, links.length > 0 ? { link: links.join(', ') } : {});
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fault = api.faults.shift();
    if (fault !== undefined) return send(req, res, fault, { message: `stand-in fault ${fault}` });
    const list = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if ((list && list[1] !== repository) || (one && one[1] !== repository)) {
      return send(req, res, 404, { message: 'Not Found' });
    }
    const writes = req.method === 'POST' || req.method === 'PATCH';
    if (writes && api.readOnly) {
      return send(req, res, 403, { message: 'Resource not accessible by integration' });
    }
    const pulls = /^\/repos\/([^/]+\/[^/]+)\/pulls$/.exec(url.pathname);
    if (pulls && req.method === 'GET') {
      if (pulls[1] !== repository) return send(req, res, 404, { message: 'Not Found' });
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const all = api.pulls.filter(
        (pull) => (state === 'all' || pull.state === state) && (!head || pull.head.label === head),
      );
      return sendPage(req, res, url, all);
    }
    if (list && req.method === 'GET') {
      return sendPage(req, res, url, comments.get(Number(list[2])) ?? []);
    }
    if (list && req.method === 'POST') {
      const body = (JSON.parse(raw) as { body?: unknown }).body;
      if (typeof body !== 'string') return send(req, res, 422, { message: 'body is missing' });
      const comment = { id: nextId++, body };
      const issue = Number(list[2]);
      comments.set(issue, [...(comments.get(issue) ?? []), comment]);
      return send(req, res, 201, comment);
    }
    if (one && req.method === 'PATCH') {
      const id = Number(one[2]);
      const comment = [...comments.values()].flat().find((c) => c.id === id);
      if (!comment) return send(req, res, 404, { message: 'Not Found' });
      const body = (JSON.parse(raw) as { body?: unknown }).body;
      if (typeof body !== 'string') return send(req, res, 422, { message: 'body is missing' });
      comment.body = body;
      return send(req, res, 200, comment);
    }
    return send(req, res, 404, { message: 'Not Found' });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
      if (raw.length > MAX_BODY_BYTES) req.destroy();
    });
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = setTimeout(() => server.close(), options.lifetimeMs ?? 300_000).unref();
  api.close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(stop);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}
