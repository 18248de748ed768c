// GcsAuditSink's failures name the object (gs://bucket/name) and say what went wrong, so an operator or
// auditor can act on them; a checksum mismatch on read is an integrity failure, not an outage.

import assert from 'node:assert/strict';
import type { Bucket } from '@google-cloud/storage';
import { isWardenError, type WardenErrorKind } from '../../core/errors.ts';
import { GcsAuditSink } from './audit-sink.ts';

const NAME = 'v1/streams/2026/03/01/10/gateway-s1/000000000001.jsonl';

/** A bucket double whose every call rejects with `err`. */
function failingBucket(err: Error): Bucket {
  const fail = async () => Promise.reject(err);
  return {
    name: 'warden-audit',
    file: () => ({ download: fail, save: fail, metadata: {} }),
    getFiles: fail,
  } as unknown as Bucket;
}

const status = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('GcsAuditSink errors', () => {
  const cases: {
    name: string;
    call: (s: GcsAuditSink) => Promise<unknown>;
    err: Error;
    kind: WardenErrorKind;
    message: string;
  }[] = [
    {
      name: 'a read of an object whose bytes do not match its stored CRC32C',
      call: (s) => s.read(NAME),
      err: Object.assign(new Error('The downloaded data did not match the data from the server.'), {
        code: 'CONTENT_DOWNLOAD_MISMATCH',
      }),
      kind: 'integrity',
      message: `Audit object gs://warden-audit/${NAME}: the bytes read do not match its stored CRC32C`,
    },
    {
      name: 'a read of a missing object',
      call: (s) => s.read(NAME),
      err: status(404, 'No such object'),
      kind: 'not_found',
      message: `Audit object gs://warden-audit/${NAME} does not exist.`,
    },
    {
      name: 'a read that fails otherwise',
      call: (s) => s.read(NAME),
      err: status(503, 'Service Unavailable'),
      kind: 'unavailable',
      message: `Cloud Storage read of gs://warden-audit/${NAME} failed.`,
    },
    {
      name: 'a listing',
      call: (s) => s.list('v1/streams/'),
      err: status(403, 'denied'),
      kind: 'unavailable',
      message: 'Cloud Storage list of gs://warden-audit/v1/streams/ failed.',
    },
    {
      name: 'a write',
      call: (s) => s.create(NAME, new Uint8Array([1]), 'application/x-ndjson'),
      err: status(500, 'Backend Error'),
      kind: 'unavailable',
      message: `Cloud Storage write of gs://warden-audit/${NAME} failed.`,
    },
    {
      name: 'a write over an existing object',
      call: (s) => s.create(NAME, new Uint8Array([1]), 'application/x-ndjson'),
      err: status(412, 'Precondition Failed'),
      kind: 'conflict',
      message: `Audit object gs://warden-audit/${NAME} already exists.`,
    },
  ];
  for (const c of cases) {
    it(`names the object on ${c.name} (${c.kind}), keeping the client's error as the cause`, async () => {
      await assert.rejects(c.call(new GcsAuditSink(failingBucket(c.err))), (e) => {
        assert.ok(isWardenError(e, c.kind), String(e));
        assert.ok(e.message.startsWith(c.message), e.message);
        assert.equal(e.cause, c.err);
        return true;
      });
    });
  }
});
