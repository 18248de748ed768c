// Object names of the audit bucket: what the writers' names parse back to, and what lies outside the layout.

import assert from 'node:assert/strict';
import {
  checkpointObjectName,
  DEFAULT_PREFIX,
  digestObjectName,
  isInLayout,
  isRecordObject,
  parseObjectName,
  recordObjectName,
} from './layout.ts';

const AT = new Date('2026-12-07T15:04:05Z');

describe('audit object names', () => {
  it('parses back what each writer names, under the default prefix', () => {
    const record = recordObjectName(DEFAULT_PREFIX, AT, 'gateway-a1', 7);
    const digest = digestObjectName(DEFAULT_PREFIX, AT, 'gateway-a1-digests', 3);
    const checkpoint = checkpointObjectName(DEFAULT_PREFIX, AT, 'gateway-a1', 12, 2);
    assert.equal(record, 'v1/streams/2026/12/07/15/gateway-a1/000000000007.jsonl');
    for (const [name, kind] of [
      [record, 'records'],
      [digest, 'digest'],
      [checkpoint, 'checkpoint'],
    ] as const) {
      assert.equal(parseObjectName(name)?.kind, kind, name);
      assert.equal(isInLayout(DEFAULT_PREFIX, name), true, name);
    }
    assert.deepEqual(parseObjectName(checkpoint), {
      kind: 'checkpoint',
      hour: new Date('2026-12-07T15:00:00Z'),
      stream: 'gateway-a1',
      size: 12,
      n: 2,
    });
    assert.equal(isRecordObject(record), true);
    assert.equal(isRecordObject(digest), false);
  });

  it('puts a name of one kind nested in another kind’s folder outside the layout', () => {
    const nested = [
      'v1/digests/x/streams/2026/12/07/15/gateway-a1/000000000007.jsonl',
      'v1/checkpoints/streams/2026/12/07/15/gateway-a1/000000000007.jsonl',
      'v1/streams/y/digests/2026/12/07/15/gateway-a1-digests/000000000003.json',
      'v1/streams/checkpoints/2026/12/07/15/gateway-a1/000000000012-000002.checkpoint',
    ];
    for (const name of nested) assert.equal(isInLayout(DEFAULT_PREFIX, name), false, name);
  });

  it('puts other names under the prefix, and names under another prefix, outside the layout', () => {
    for (const name of [
      'v1/streams/2026/12/07/15/gateway-a1/7.jsonl',
      'v1/streams/2026/12/07/15/gateway a1/000000000007.jsonl',
      'v1/notes.txt',
      'v2/streams/2026/12/07/15/gateway-a1/000000000007.jsonl',
    ])
      assert.equal(isInLayout(DEFAULT_PREFIX, name), false, name);
  });
});
