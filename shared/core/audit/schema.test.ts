// The audit schema: one parser that dispatches on the format version, a stored version 1 trail that must stay
// readable and verifiable, the builders' stored form, and docs/audit-format.md kept in step with the union.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { ann } from '../approval/test-fixtures.ts';
import { AuditLog } from './audit-log.ts';
import { canonicalize } from './canonical-json.ts';
import {
  auditPrincipal,
  jobEvent,
  mcpRefusalEvent,
  mcpResponseEvent,
  queryEndEvent,
  streamStartEvent,
} from './events.ts';
import { isRecordObject } from './layout.ts';
import {
  AuditFormatError,
  type AuditRecord,
  EVENT_TYPES,
  eventFields,
  FORMATS,
  type FormatReader,
  parse,
  parseEnvelope,
  type StoredRecord,
  tryParse,
} from './schema.ts';
import { type RejectedLine, readTrail, recordsIn } from './trail.ts';
import { type TrailObject, verifyTrail } from './verify.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

/** The stored version 1 trail (cli/audit/write-v1-fixture.ts says how it was made): its objects and KMS key. */
function v1Trail(): { objects: TrailObject[]; pem: string } {
  const [head, ...rest] = readFileSync(new URL('./fixtures/v1-trail.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return {
    pem: head.kmsPublicKeyPem,
    objects: rest.map((o: { name: string; data: string }) => ({
      name: o.name,
      data: new TextEncoder().encode(o.data),
    })),
  };
}

const line = (
  over: Record<string, unknown> = {},
  event: Record<string, unknown> = { type: 'mcp.response' },
) =>
  JSON.stringify({
    v: 1,
    stream: 'gateway-s',
    seq: 1,
    prev: 'ab',
    time: '2026-01-01T00:00:00.000Z',
    event,
    ...over,
  });

describe('the stored version 1 trail', () => {
  it('verifies: every certificate, signature, chain link and digest checks out', () => {
    const { objects, pem } = v1Trail();
    const report = verifyTrail(objects, pem, { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.records, 19);
    assert.equal(report.digests, 2);
    assert.deepEqual(report.undigested, []);
  });

  it('parses every record into a typed event, none refused', () => {
    const { objects } = v1Trail();
    const refused: string[] = [];
    const records = recordsIn(objects, (r) => refused.push(r.error.message));
    assert.deepEqual(refused, []);
    assert.equal(records.length, 19);
    const types = new Set(records.map((r) => r.event.type));
    for (const t of [
      'stream.start',
      'policy.decision',
      'query.end',
      'approval.requested',
      'job.cancel',
    ] as const)
      assert.ok(types.has(t), `the fixture holds a ${t}`);
    const end = records.map((r) => r.event).find((e) => e.type === 'query.end');
    // Typed narrowing: `rowCount` is a number on a query.end, read without a cast.
    assert.equal(end?.type === 'query.end' ? end.rowCount : undefined, 5);
  });

  it('fails verification once one byte of it is changed (the fixture test is not vacuous)', () => {
    const { objects, pem } = v1Trail();
    const i = objects.findIndex(
      (o) => isRecordObject(o.name) && new TextDecoder().decode(o.data).includes('"rowCount":5'),
    );
    const text = new TextDecoder().decode(objects[i]!.data).replace('"rowCount":5', '"rowCount":6');
    objects[i] = { name: objects[i]!.name, data: new TextEncoder().encode(text) };
    const kinds = new Set(verifyTrail(objects, pem).problems.map((p) => p.kind));
    assert.ok(kinds.has('bad-signature') && kinds.has('object-altered'), [...kinds].join(', '));
  });
});

describe('parse', () => {
  const cases: { name: string; input: unknown; field: string; message: RegExp }[] = [
    {
      name: 'refuses an unknown format version',
      input: line({ v: 2 }),
      field: 'v',
      message: /unknown audit format version 2 \(field v\)/,
    },
    {
      name: 'refuses a record without a version',
      input: line({ v: undefined }),
      field: 'v',
      message: /no format version/,
    },
    { name: 'refuses a line that is not JSON', input: '{"v":1,', field: '', message: /not JSON/ },
    {
      name: 'refuses a JSON value that is not an object',
      input: '[1]',
      field: '',
      message: /not a JSON object/,
    },
    { name: 'names a malformed envelope field', input: line({ seq: -1 }), field: 'seq', message: /^seq: / },
    {
      name: 'names a missing stream',
      input: line({ stream: undefined }),
      field: 'stream',
      message: /^stream: /,
    },
    {
      name: 'refuses an unknown event type, naming it',
      input: line({}, { type: 'query.teleport' }),
      field: 'event.type',
      message: /unknown event type "query.teleport" \(field event.type\)/,
    },
    {
      name: 'names a malformed nested event field',
      input: line({}, { type: 'policy.decision', query: { referencedTables: 'clinical.patients' } }),
      field: 'event.query.referencedTables',
      message: /^event\.query\.referencedTables: /,
    },
    {
      name: 'names a decision without its effect',
      input: line({}, { type: 'query.start', decision: { rule: 'r' } }),
      field: 'event.decision.effect',
      message: /^event\.decision\.effect: /,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.throws(
        () => parse(c.input),
        (e) => e instanceof AuditFormatError && e.field === c.field && c.message.test(e.message),
      );
    });

  it('returns the stored object itself, so hashes and signatures cover it as stored', () => {
    const raw = JSON.parse(line({}, { type: 'mcp.response', status: 200, extra: { kept: true } }));
    const record = parse(raw);
    assert.equal(record, raw);
    assert.deepEqual(record.event, { type: 'mcp.response', status: 200, extra: { kept: true } });
  });

  it('reads an envelope whose event type it does not know, for verification only', () => {
    const input = line({}, { type: 'query.teleport' });
    assert.equal(parseEnvelope(input).event.type, 'query.teleport');
    const r = tryParse(input);
    assert.equal(r.ok, false);
  });

  it('dispatches a version 2 record to its own reader, and keeps reading version 1 beside it', () => {
    // What adding version 2 is: one more entry in FORMATS. This one renames `time` to `at`.
    const seen: number[] = [];
    const v2: FormatReader = {
      envelope: (raw) => {
        seen.push(2);
        if (typeof raw['at'] !== 'string') throw new AuditFormatError('at', 'at: expected a time');
        return { ...raw, v: 1, time: raw['at'] } as unknown as StoredRecord;
      },
      event: (record) => record as unknown as AuditRecord,
    };
    const formats = { ...FORMATS, 2: v2 };
    const two = parse(line({ v: 2, time: undefined, at: '2027-01-01T00:00:00.000Z' }), formats);
    assert.deepEqual(seen, [2]);
    assert.equal(two.time, '2027-01-01T00:00:00.000Z');
    assert.throws(
      () => parse(line({ v: 2 }), formats),
      (e) => e instanceof AuditFormatError && e.field === 'at',
    );
    assert.equal(parse(line(), formats).event.type, 'mcp.response');
    assert.deepEqual(seen, [2, 2]);
    // This build has no version 2: the same record is refused, clearly.
    assert.throws(() => parse(line({ v: 2 })), /this build reads versions 1/);
  });
});

describe('reading a trail with a record this build cannot read', () => {
  it('verifies a signed record of an unknown event type, and names it to readers instead of dropping it', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
    await log.append(mcpResponseEvent({ requestId: 'r1', status: 200, responseSha256: 'ab' }));
    // A newer writer's event type: integrity does not depend on understanding it.
    await log.append({ type: 'query.teleport', requestId: 'r2' } as never);
    await log.close();
    const { objects } = await readTrail(sink);
    const report = verifyTrail(objects, await keys.getPublicKeyPem(), { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.records, 3);
    const rejected: RejectedLine[] = [];
    const records = recordsIn(objects, (r) => rejected.push(r));
    assert.deepEqual(
      records.map((r) => r.event.type),
      ['stream.start', 'mcp.response'],
    );
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.error.field, 'event.type');
    assert.equal(rejected[0]!.line, 1);
    assert.ok(isRecordObject(rejected[0]!.object));
  });

  it('reports a line of an unknown format version as unparseable, naming the field', () => {
    const { objects, pem } = v1Trail();
    const i = objects.findIndex((o) => isRecordObject(o.name));
    const text = new TextDecoder().decode(objects[i]!.data).replace(',"v":1,"sig"', ',"v":7,"sig"');
    objects[i] = { name: objects[i]!.name, data: new TextEncoder().encode(text) };
    const problem = verifyTrail(objects, pem).problems.find((p) => p.kind === 'unparseable');
    assert.match(problem?.detail ?? '', /unknown audit format version 7 \(field v\)/);
  });
});

describe('event builders', () => {
  it('store the bytes the writers stored before the union existed', () => {
    const principal = auditPrincipal(ann);
    const cases: [unknown, unknown][] = [
      [
        mcpResponseEvent({ requestId: 'r', status: 200, responseSha256: 'ab' }),
        { type: 'mcp.response', requestId: 'r', status: 200, responseSha256: 'ab' },
      ],
      [
        queryEndEvent({
          requestId: 'r',
          principal,
          projectId: 'p',
          outcome: 'error',
          durationMs: 3,
          error: { kind: 'internal', message: 'query failed' },
        }),
        {
          type: 'query.end',
          requestId: 'r',
          principal,
          projectId: 'p',
          outcome: 'error',
          durationMs: 3,
          error: { kind: 'internal', message: 'query failed' },
        },
      ],
      [
        jobEvent('cancel', { requestId: 'r', principal, jobId: 'j', ranFor: 'q' }),
        { type: 'job.cancel', requestId: 'r', principal, jobId: 'j', ranFor: 'q' },
      ],
    ];
    for (const [built, literal] of cases) assert.equal(canonicalize(built), canonicalize(literal));
  });

  it('name a refusal by its status: 401 is mcp.unauthenticated, anything else mcp.rejected', () => {
    assert.equal(mcpRefusalEvent({ requestId: 'r', status: 401, reason: 'x' }).type, 'mcp.unauthenticated');
    assert.equal(mcpRefusalEvent({ requestId: 'r', status: 415, reason: 'x' }).type, 'mcp.rejected');
  });

  it('give every built event a type the parser reads', () => {
    const start = streamStartEvent({
      body: {
        algorithm: 'ECDSA_P256_SHA256',
        publicKeyPem: 'k',
        writer: 'gateway',
        notBefore: 't',
        kmsKeyVersion: 'v',
      },
      kmsSignature: 's',
    });
    assert.equal(parse(line({ seq: 0, prev: null }, start)).event.type, 'stream.start');
  });
});

describe('docs/audit-format.md', () => {
  const doc = readFileSync(new URL('../../../docs/audit-format.md', import.meta.url), 'utf8');
  const events = doc.slice(doc.indexOf('## Events'), doc.indexOf('\n## ', doc.indexOf('## Events') + 1));
  const rows = events
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const [, types = '', , fields = ''] = l.split('|');
      return { types: [...types.matchAll(/`([^`]+)`/g)].map((m) => m[1]!), fields };
    });
  const approvalFields = events.slice(events.indexOf('The **approval fields**'));

  it('lists every event type of the union, and no other', () => {
    const listed = rows.flatMap((r) => r.types);
    assert.deepEqual([...listed].sort(), [...EVENT_TYPES].sort());
  });

  for (const type of EVENT_TYPES)
    it(`lists every field of ${type}`, () => {
      const row = rows.find((r) => r.types.includes(type));
      assert.ok(row, `${type} has a row`);
      const text = row.fields + (row.fields.includes('approval fields') ? approvalFields : '');
      const missing = eventFields(type).filter((f) => !text.includes(`\`${f}\``));
      assert.deepEqual(missing, [], `fields of ${type} missing from the doc`);
    });
});
