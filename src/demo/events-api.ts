/**
 * The demo API's event feed, one endpoint per pagination type (README "How a request chain runs"):
 *
 * | path | pages by | answers |
 * |---|---|---|
 * | `/v1/events/cursor?cursor=C&limit=N` | an opaque cursor | `{"data": [...], "meta": {"next_cursor": "..." or null}}` |
 * | `/v1/events/offset?offset=O&limit=N` | offset and limit | `{"data": [...], "total": T}` |
 * | `/v1/events/page?page=P&per_page=N` | page numbers from 1 | `{"data": [...], "total_pages": T}` |
 * | `/v1/events/link?page=P&per_page=N` | the `Link: <...>; rel="next"` header | `[...]` |
 * | `/v1/events/next?page=P&per_page=N` | a next URL in the body | `{"data": [...], "next": "http://..." or null}` |
 *
 * Every endpoint takes `since` and `until` (the hour's window, ISO; by default the current hour, or from
 * `updated_since`'s hour to now) and `updated_since` (an incremental cursor):
 * the events are deterministic, EVENTS_PER_HOUR an hour, each updated a few minutes after it occurred, and only
 * those updated by the demo's clock are served. `foreign=1` makes `next` and `link` name another host.
 */

/** Events each hour holds: 23, so pages of 10 are 10, 10 and 3. */
export const EVENTS_PER_HOUR = 23;

export interface DemoEvent {
  readonly id: string;
  readonly type: string;
  readonly value: number;
  readonly occurred_at: string;
  readonly updated_at: string;
}

/** The events of the hour starting at `hourStartMs`. */
export function eventsOfHour(hourStartMs: number): DemoEvent[] {
  const compact = new Date(hourStartMs).toISOString().slice(0, 13).replace(/[-T]/g, '');
  return Array.from({ length: EVENTS_PER_HOUR }, (_, i) => {
    const occurred = hourStartMs + i * 150_000; // every 2.5 minutes
    return {
      id: `ev-${compact}-${String(i).padStart(2, '0')}`,
      type: ['view', 'click', 'buy'][i % 3]!,
      value: Math.round((i * 7.3 + (hourStartMs / 3_600_000) % 97) * 100) / 100,
      occurred_at: new Date(occurred).toISOString(),
      updated_at: new Date(occurred + 60_000 + (i % 4) * 30_000).toISOString(),
    };
  });
}

type Send = (status: number, body: string, headers?: Record<string, string>) => void;

/** Answers an `/v1/events/...` request, or returns false for any other path. */
export function answerEvents(url: URL, host: string, now: number, send: Send): boolean {
  const style = /^\/v1\/events\/(cursor|offset|page|link|next)$/.exec(url.pathname)?.[1];
  if (!style) return false;
  const nowHour = Math.floor(now / 3_600_000) * 3_600_000;
  const updatedSince = url.searchParams.get('updated_since');
  // Without a window: the current hour, or, with updated_since, everything from that hour to now.
  const from = updatedSince !== null && !Number.isNaN(Date.parse(updatedSince)) ? Math.floor(Date.parse(updatedSince) / 3_600_000) * 3_600_000 : nowHour;
  const since = Date.parse(url.searchParams.get('since') ?? new Date(from).toISOString());
  const until = Date.parse(url.searchParams.get('until') ?? new Date(nowHour + 3_600_000).toISOString());
  if ([since, until].some(Number.isNaN) || until < since || until - since > 7 * 86_400_000 || (updatedSince !== null && Number.isNaN(Date.parse(updatedSince)))) {
    send(400, JSON.stringify({ error: { code: 1005, message: 'since and until must be ISO times at most 7 days apart; updated_since an ISO time' } }));
    return true;
  }
  const all: DemoEvent[] = [];
  for (let h = Math.floor(since / 3_600_000) * 3_600_000; h < until; h += 3_600_000) all.push(...eventsOfHour(h));
  const events = all.filter((e) => {
    const [occurred, updated] = [Date.parse(e.occurred_at), Date.parse(e.updated_at)];
    return occurred >= since && occurred < until && updated <= now && (updatedSince === null || updated > Date.parse(updatedSince));
  });
  const size = Math.max(1, Math.min(100, Number(url.searchParams.get('limit') ?? url.searchParams.get('per_page') ?? 10) || 10));
  const pageUrl = (page: number) => {
    const next = new URL(url.toString());
    next.searchParams.set('page', String(page));
    const origin = url.searchParams.get('foreign') === '1' ? 'http://elsewhere.example' : `http://${host}`;
    return `${origin}${next.pathname}${next.search}`;
  };
  switch (style) {
    case 'cursor': {
      const offset = url.searchParams.get('cursor') ? Number(Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString()) : 0;
      const data = events.slice(offset, offset + size);
      const nextCursor = offset + size < events.length ? Buffer.from(String(offset + size)).toString('base64url') : null;
      send(200, JSON.stringify({ data, meta: { next_cursor: nextCursor } }));
      return true;
    }
    case 'offset': {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      send(200, JSON.stringify({ data: events.slice(offset, offset + size), total: events.length }));
      return true;
    }
    default: {
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      const data = events.slice((page - 1) * size, page * size);
      const pages = Math.ceil(events.length / size);
      if (style === 'page') send(200, JSON.stringify({ data, total_pages: pages }));
      else if (style === 'link') send(200, JSON.stringify(data), page < pages ? { link: `<${pageUrl(page + 1)}>; rel="next", <${pageUrl(pages)}>; rel="last"` } : {});
      else send(200, JSON.stringify({ data, next: page < pages ? pageUrl(page + 1) : null }));
      return true;
    }
  }
}
