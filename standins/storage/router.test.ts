// Tests for mapping request paths of the three API surfaces to resources.

import assert from 'node:assert/strict';
import { parseRoute } from './router.ts';

describe('parseRoute', () => {
  const cases = [
    { path: '/storage/v1/b', route: { api: 'json', target: 'buckets' } },
    { path: '/storage/v1/b/bkt', route: { api: 'json', target: 'bucket', bucket: 'bkt' } },
    { path: '/storage/v1/b/bkt/lockRetentionPolicy', route: { api: 'json', target: 'lock', bucket: 'bkt' } },
    { path: '/storage/v1/b/bkt/o', route: { api: 'json', target: 'objects', bucket: 'bkt' } },
    {
      path: '/storage/v1/b/bkt/o/a%2Fb%20c',
      route: { api: 'json', target: 'object', bucket: 'bkt', object: 'a/b c' },
    },
    {
      path: '/storage/v1/b/bkt/o/a/b/',
      route: { api: 'json', target: 'object', bucket: 'bkt', object: 'a/b/' },
    },
    { path: '/upload/storage/v1/b/bkt/o', route: { api: 'upload', target: 'objects', bucket: 'bkt' } },
    {
      path: '/download/storage/v1/b/bkt/o/x',
      route: { api: 'download', target: 'object', bucket: 'bkt', object: 'x' },
    },
    { path: '/b/bkt/o/x', route: { api: 'json', target: 'object', bucket: 'bkt', object: 'x' } },
    {
      path: '/storage/v1/upload/storage/v1/b/bkt/o',
      route: { api: 'upload', target: 'objects', bucket: 'bkt' },
    },
    { path: '/storage/v1/b/bkt/acl', route: undefined },
    { path: '/healthz', route: undefined },
  ];
  for (const { path, route } of cases) {
    it(`maps ${path} to ${route ? `${route.api} ${route.target}` : 'nothing'}`, () => {
      assert.deepEqual(parseRoute(path), route);
    });
  }

  it('rejects malformed percent-encoding with 400', () => {
    assert.throws(() => parseRoute('/storage/v1/b/bkt/o/%E0%A4%A'), { status: 400 });
  });
});
