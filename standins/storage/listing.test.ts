// Tests for object listing: prefixes, delimiters, offsets and page tokens.

import assert from 'node:assert/strict';
import type { ListQuery } from './listing.ts';
import { listPage, parseListQuery } from './listing.ts';

const NAMES = ['a/1', 'a/2', 'a/b/3', 'a/b/4', 'a/c', 'b', 'c/5'];

function query(overrides: Partial<ListQuery>): ListQuery {
  return { prefix: '', maxResults: 1000, includeTrailingDelimiter: false, ...overrides };
}

/** Lists every page, following tokens, and returns each page's items and prefixes. */
function allPages(names: string[], q: ListQuery): { items: string[]; prefixes: string[] }[] {
  const pages = [];
  let pageToken: string | undefined;
  do {
    const page = listPage(names, { ...q, pageToken });
    pages.push({ items: page.items, prefixes: page.prefixes });
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

describe('listPage', () => {
  const cases = [
    {
      name: 'lists everything in order without a prefix',
      q: query({}),
      pages: [{ items: NAMES, prefixes: [] }],
    },
    {
      name: 'keeps only names under the prefix',
      q: query({ prefix: 'a/b/' }),
      pages: [{ items: ['a/b/3', 'a/b/4'], prefixes: [] }],
    },
    {
      name: 'rolls up names containing the delimiter after the prefix',
      q: query({ prefix: 'a/', delimiter: '/' }),
      pages: [{ items: ['a/1', 'a/2', 'a/c'], prefixes: ['a/b/'] }],
    },
    {
      name: 'rolls up at the top level with no prefix',
      q: query({ delimiter: '/' }),
      pages: [{ items: ['b'], prefixes: ['a/', 'c/'] }],
    },
    {
      name: 'splits into pages of maxResults, counting prefixes as results',
      q: query({ prefix: 'a/', delimiter: '/', maxResults: 2 }),
      pages: [
        { items: ['a/1', 'a/2'], prefixes: [] },
        { items: ['a/c'], prefixes: ['a/b/'] },
      ],
    },
    {
      name: 'does not repeat a prefix that spans a page boundary',
      q: query({ delimiter: '/', maxResults: 1 }),
      pages: [
        { items: [], prefixes: ['a/'] },
        { items: ['b'], prefixes: [] },
        { items: [], prefixes: ['c/'] },
      ],
    },
    {
      name: 'honours startOffset (inclusive) and endOffset (exclusive)',
      q: query({ startOffset: 'a/2', endOffset: 'a/c' }),
      pages: [{ items: ['a/2', 'a/b/3', 'a/b/4'], prefixes: [] }],
    },
    {
      name: 'gives no token when the last page is exactly full',
      q: query({ prefix: 'a/b/', maxResults: 2 }),
      pages: [{ items: ['a/b/3', 'a/b/4'], prefixes: [] }],
    },
  ];
  for (const { name, q, pages } of cases) {
    it(name, () => {
      assert.deepEqual(allPages(NAMES, q), pages);
    });
  }

  it('lists an object named like its prefix with includeTrailingDelimiter', () => {
    const page = listPage(['d/', 'd/x'], query({ delimiter: '/', includeTrailingDelimiter: true }));
    assert.deepEqual(page, { items: ['d/'], prefixes: ['d/'] });
  });

  it('rejects a page token it did not issue', () => {
    assert.throws(() => listPage(NAMES, query({ pageToken: 'not-a-token' })), { status: 400 });
  });
});

describe('parseListQuery', () => {
  it('defaults and caps maxResults at 1000', () => {
    assert.equal(parseListQuery(new URLSearchParams()).maxResults, 1000);
    assert.equal(parseListQuery(new URLSearchParams('maxResults=5000')).maxResults, 1000);
  });

  it('treats an empty delimiter as none', () => {
    assert.equal(parseListQuery(new URLSearchParams('delimiter=')).delimiter, undefined);
  });

  for (const bad of ['0', '-1', 'x']) {
    it(`rejects maxResults=${bad} with 400`, () => {
      assert.throws(() => parseListQuery(new URLSearchParams(`maxResults=${bad}`)), { status: 400 });
    });
  }
});
