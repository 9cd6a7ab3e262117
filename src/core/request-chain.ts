import type { SourceConfig } from './config.js';
import { PaginationError } from './errors.js';
import { extractRecords } from './records.js';

/** What one page of a chain tells about the next: its parsed body (pagination only), its Link header, its key. */
export interface PageSeen {
  /** The keyless URL this page was asked with. */
  readonly url: string;
  /** 0 for the chain's first page. */
  readonly page: number;
  /** The body as JSON.parse read it. */
  readonly body: unknown;
  readonly linkHeader: string | null;
  /** The page's raw key, for messages. */
  readonly rawKey: string;
}

/**
 * The keyless URL of the page after `seen`, or undefined when `seen` was the last page, by `source.pagination`
 * (README "How a request chain runs"). A next page on another origin than source.url is refused, so the key is
 * never sent to a host the API's response names; the same URL twice is refused rather than looped on.
 */
export function nextPageUrl(source: SourceConfig, seen: PageSeen): string | undefined {
  const next = nextOf(source, seen);
  if (next === undefined) return undefined;
  const url = new URL(next, seen.url);
  const origin = new URL(source.url).origin;
  if (url.origin !== origin) {
    throw new PaginationError(`page ${seen.page} (${seen.rawKey}) names its next page on ${url.origin}, not ${origin}: the key is never sent to another host. Point source.url at the host that serves every page`);
  }
  // The key is added to each request and must never be kept in a URL (the state machine's payload, metadata).
  if (source.auth.in === 'query') url.searchParams.delete(source.auth.name);
  const text = url.toString();
  if (text === seen.url) throw new PaginationError(`page ${seen.page} (${seen.rawKey}) names itself as the next page (${text}): the pagination would never end`);
  if (seen.page + 1 >= source.maxPages) {
    throw new PaginationError(`the request has more than source.maxPages (${source.maxPages}) pages: raise maxPages, or narrow the request per hour; the ${seen.page + 1} pages so far are kept in raw`);
  }
  return text;
}

function nextOf(source: SourceConfig, seen: PageSeen): string | undefined {
  const p = source.pagination;
  if (!p) return undefined;
  const withParam = (name: string, value: string) => {
    const url = new URL(seen.url);
    url.searchParams.set(name, value);
    return url.toString();
  };
  const records = () => extractRecords(seen.body, source.recordsPath, seen.rawKey).length;
  switch (p.type) {
    case 'cursor': {
      const cursor = valueAt(seen.body, p.cursorPath);
      if (cursor === undefined || cursor === null || cursor === '') return undefined;
      if (typeof cursor !== 'string' && typeof cursor !== 'number') {
        throw new PaginationError(`page ${seen.page} (${seen.rawKey}) holds ${JSON.stringify(cursor).slice(0, 60)} at pagination.cursorPath "${p.cursorPath}": a cursor must be a string or a number`);
      }
      return withParam(p.param, String(cursor));
    }
    case 'offset': {
      const count = records();
      const offset = Number(new URL(seen.url).searchParams.get(p.offsetParam) ?? 0);
      const total = p.totalPath === undefined ? undefined : numberAt(seen, p.totalPath, 'pagination.totalPath');
      if (count === 0 || count < p.limit || (total !== undefined && offset + p.limit >= total)) return undefined;
      return withParam(p.offsetParam, String(offset + p.limit));
    }
    case 'page': {
      const current = Number(new URL(seen.url).searchParams.get(p.param) ?? p.start);
      const totalPages = p.totalPagesPath === undefined ? undefined : numberAt(seen, p.totalPagesPath, 'pagination.totalPagesPath');
      if (records() === 0 || (totalPages !== undefined && current >= p.start + totalPages - 1)) return undefined;
      return withParam(p.param, String(current + 1));
    }
    case 'link-header':
      return nextLink(seen.linkHeader);
    case 'next-url': {
      const next = valueAt(seen.body, p.path);
      if (next === undefined || next === null || next === '') return undefined;
      if (typeof next !== 'string') throw new PaginationError(`page ${seen.page} (${seen.rawKey}) holds ${JSON.stringify(next).slice(0, 60)} at pagination.path "${p.path}": the next page must be a URL`);
      return next;
    }
  }
}

/** The first page's URL for a paginated source: the offset or page parameter set to where it starts. */
export function firstPageParams(source: SourceConfig): Record<string, string> {
  const p = source.pagination;
  if (p?.type === 'offset') return { [p.limitParam]: String(p.limit), [p.offsetParam]: '0' };
  if (p?.type === 'page') return { [p.param]: String(p.start) };
  return {};
}

/** The value at a dotted path (keys, and numbers for array elements), or undefined. */
export function valueAt(body: unknown, path: string): unknown {
  let node = body;
  for (const part of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (node !== null && typeof node === 'object' && Object.hasOwn(node, part)) node = (node as Record<string, unknown>)[part];
    else return undefined;
  }
  return node;
}

function numberAt(seen: PageSeen, path: string, setting: string): number | undefined {
  const value = valueAt(seen.body, path);
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new PaginationError(`page ${seen.page} (${seen.rawKey}) holds ${JSON.stringify(value).slice(0, 60)} at ${setting} "${path}": expected a number`);
  return n;
}

/** The target of `rel="next"` in an RFC 8288 Link header (`<https://...>; rel="next", <...>; rel="last"`). */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const link of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(link);
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2]!);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1];
  }
  return undefined;
}
