import type { SourceConfig } from '../config.js';
import { InvalidInputError } from '../errors.js';
import { rawHourPrefix, rawObjectKey, rawPagePositionOf, type Hour } from '../layout.js';
import type { CallOptions, ObjectStore, StepLogger } from '../ports.js';
import { requestsOf } from '../source-config.js';
import type { RawPage } from './encode-hour.js';
import { CHAIN_METADATA, CURRENT_DATA_METADATA } from './fetch.js';

/** One request chain as the Map reports it: its request and how many pages it stored. */
export interface ChainResult {
  readonly request: number;
  readonly pages: number;
}

/**
 * The raw pages of an hour, request by request and page by page: from the chains the Map reports (their keys
 * follow from the layout), or from raw keys as listed (reprocess). Each request's pages must be one chain: the
 * same chain id throughout, pages 0, 1, 2, ... with no gap, ending with the page marked last. Pages after the
 * last one are left out: an earlier run of the hour that got more pages left them, and they are not this run's.
 * Pages stored before chains were recorded (no chain metadata) are taken as they are.
 */
export async function readHourPages(
  source: SourceConfig,
  hour: Hour,
  given: { chains?: readonly ChainResult[]; rawKeys?: readonly string[] },
  raw: ObjectStore,
  logger: StepLogger,
  options: CallOptions,
): Promise<RawPage[]> {
  const byRequest = given.chains ? keysOfChains(source, hour, given.chains) : keysOfListing(source, hour, given.rawKeys ?? []);
  const labels = new Map(requestsOf(source).map((r) => [r.id, r.label]));
  const pages: RawPage[] = [];
  for (const [request, keys] of byRequest) {
    let chain: string | undefined;
    for (const [page, key] of keys.entries()) {
      const { body, metadata } = await raw.get(key, options);
      const id = metadata[CHAIN_METADATA.chain];
      chain ??= id;
      if (id !== chain) {
        throw new InvalidInputError(`${key} belongs to another run of the hour than page 0 (chain ${id}, not ${chain}): the request's pages mix two runs; run the hour again`);
      }
      const label = metadata[CHAIN_METADATA.request];
      pages.push({ key, body, currentData: metadata[CURRENT_DATA_METADATA] === 'true', request: label === undefined ? (labels.get(request) ?? request) : decodeURIComponent(label) });
      if (id !== undefined && metadata[CHAIN_METADATA.lastPage] === 'true') {
        if (page + 1 < keys.length) logger.info('left out pages after the last page of the request (an earlier, longer run of the hour)', { request, from: keys[page + 1] });
        break;
      }
      if (id !== undefined && page + 1 === keys.length) {
        throw new InvalidInputError(`the pages of ${request ? `request ${request}` : 'the hour'} end at ${key} without its last page: the run that stored them did not finish; run the hour again`);
      }
    }
  }
  return pages;
}

/** The keys of each chain the Map reports, in request order. */
function keysOfChains(source: SourceConfig, hour: Hour, chains: readonly ChainResult[]): Map<string, string[]> {
  const requests = requestsOf(source);
  const byRequest = new Map<string, string[]>();
  for (const chain of [...chains].sort((a, b) => a.request - b.request)) {
    const request = requests[chain.request];
    if (!request || !Number.isInteger(chain.pages) || chain.pages < 0) throw new InvalidInputError(`the chain ${JSON.stringify(chain)} is not a request of source ${source.name}`);
    byRequest.set(request.id, Array.from({ length: chain.pages }, (_, page) => rawObjectKey(source.name, hour, { request: request.id, page })));
  }
  return byRequest;
}

/** Listed keys grouped by request (in the fan-out's order, then any others by name) and ordered by page, without gaps. */
function keysOfListing(source: SourceConfig, hour: Hour, rawKeys: readonly string[]): Map<string, string[]> {
  const prefix = rawHourPrefix(source.name, hour);
  const byRequest = new Map<string, string[]>();
  for (const key of rawKeys) {
    const position = typeof key === 'string' ? rawPagePositionOf(source.name, hour, key) : undefined;
    if (!position) throw new InvalidInputError(`raw key ${JSON.stringify(key)} is not a page of source ${source.name} for the hour ${hour.iso} (under ${prefix})`);
    const keys = byRequest.get(position.request) ?? [];
    keys[position.page] = key;
    byRequest.set(position.request, keys);
  }
  const order = requestsOf(source).map((r) => r.id);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  const sorted = [...byRequest].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const [request, keys] of sorted) {
    const gap = Array.from({ length: keys.length }, (_, i) => i).find((i) => keys[i] === undefined);
    if (gap !== undefined) {
      throw new InvalidInputError(`page ${gap} of ${request ? `request ${request}` : 'the hour'} is missing (${rawObjectKey(source.name, hour, { request, page: gap })}): the hour's pages are incomplete; run the hour again`);
    }
  }
  return new Map(sorted);
}

