// Object listing: prefix, delimiter roll-up, offsets and opaque page tokens over sorted names.

import { invalid } from './errors.ts';
import { compareNames } from './state-store.ts';

/** The listing parameters of `objects.list`. */
export interface ListQuery {
  prefix: string;
  delimiter?: string;
  maxResults: number;
  pageToken?: string;
  startOffset?: string;
  endOffset?: string;
  includeTrailingDelimiter: boolean;
}

/** One page of a listing: object names, rolled-up prefixes, and a token when more follow. */
export interface ListPage {
  items: string[];
  prefixes: string[];
  nextPageToken?: string;
}

/** The service's cap (and default) for `maxResults`. */
export const MAX_RESULTS = 1000;

/** Reads the listing parameters from a query string. */
export function parseListQuery(query: URLSearchParams): ListQuery {
  const maxResultsText = query.get('maxResults');
  const maxResults = maxResultsText === null ? MAX_RESULTS : Number(maxResultsText);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw invalid(`Invalid maxResults: ${maxResultsText}`);
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    maxResults: Math.min(maxResults, MAX_RESULTS),
    pageToken: query.get('pageToken') || undefined,
    startOffset: query.get('startOffset') || undefined,
    endOffset: query.get('endOffset') || undefined,
    includeTrailingDelimiter: query.get('includeTrailingDelimiter') === 'true',
  };
}

/** An entry of the listing: an object name or a rolled-up prefix, in listing order. */
interface Entry {
  key: string;
  isPrefix: boolean;
}

/** Lists one page of `sortedNames` (in UTF-8 byte order); items and prefixes both count toward maxResults. */
export function listPage(sortedNames: readonly string[], query: ListQuery): ListPage {
  const after = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken);
  const page: ListPage = { items: [], prefixes: [] };
  let count = 0;
  let last: Entry | undefined = after;
  for (const name of sortedNames) {
    if (!inRange(name, query) || (last && !isAfter(name, last))) continue;
    const entry = entryFor(name, query);
    if (count === query.maxResults) {
      page.nextPageToken = encodePageToken(last as Entry);
      break;
    }
    count += addEntry(page, entry, name, query);
    last = entry;
  }
  return page;
}

function inRange(name: string, query: ListQuery): boolean {
  if (!name.startsWith(query.prefix)) return false;
  if (query.startOffset !== undefined && compareNames(name, query.startOffset) < 0) return false;
  return query.endOffset === undefined || compareNames(name, query.endOffset) < 0;
}

/** True when `name` comes after `last` and is not rolled up into it. */
function isAfter(name: string, last: Entry): boolean {
  if (last.isPrefix && name.startsWith(last.key)) return false;
  return compareNames(name, last.key) > 0;
}

function entryFor(name: string, query: ListQuery): Entry {
  if (query.delimiter === undefined) return { key: name, isPrefix: false };
  const at = name.indexOf(query.delimiter, query.prefix.length);
  if (at < 0) return { key: name, isPrefix: false };
  return { key: name.slice(0, at + query.delimiter.length), isPrefix: true };
}

/** Adds `entry` to the page; returns how many results it used (0 or 1). */
function addEntry(page: ListPage, entry: Entry, name: string, query: ListQuery): number {
  if (!entry.isPrefix) {
    page.items.push(name);
    return 1;
  }
  if (query.includeTrailingDelimiter && name === entry.key) page.items.push(name);
  page.prefixes.push(entry.key);
  return 1;
}

function encodePageToken(entry: Entry): string {
  return Buffer.from(JSON.stringify([entry.key, entry.isPrefix]), 'utf8').toString('base64url');
}

function decodePageToken(token: string): Entry {
  try {
    const [key, isPrefix] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof key === 'string' && typeof isPrefix === 'boolean') return { key, isPrefix };
  } catch {
    // fall through to the error below
  }
  throw invalid(`Invalid pageToken: ${token}`);
}
