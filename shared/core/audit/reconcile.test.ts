import assert from 'node:assert/strict';
import { reconcileRequests } from './reconcile.ts';
import type { AuditRecord } from './record.ts';

let seq = 0;
const rec = (requestId: string, type: string, extra: Record<string, unknown> = {}): AuditRecord =>
  ({
    v: 1,
    stream: 's',
    seq: seq++,
    prev: '',
    time: '2026-12-06T00:00:00.000Z',
    event: { type, requestId, ...extra },
  }) as unknown as AuditRecord;
const decision = (id: string, effect: string, more: Record<string, unknown> = {}) =>
  rec(id, 'policy.decision', { tool: 'execute_sql', decision: { effect }, ...more });

describe('reconcileRequests', () => {
  const full = (id: string) => [
    rec(id, 'mcp.request'),
    decision(id, 'allow'),
    rec(id, 'query.start'),
    rec(id, 'query.end'),
    rec(id, 'mcp.response'),
  ];
  const cases: { name: string; records: AuditRecord[]; problems: string[] }[] = [
    { name: 'a complete allowed call', records: full('a'), problems: [] },
    {
      name: 'a denied call (no execution expected)',
      records: [rec('d', 'mcp.request'), decision('d', 'deny'), rec('d', 'mcp.response')],
      problems: [],
    },
    {
      name: 'a dry run',
      records: [rec('y', 'mcp.request'), decision('y', 'allow', { dryRun: true }), rec('y', 'mcp.response')],
      problems: [],
    },
    {
      name: 'a lost response record (a failed group-committed write)',
      records: full('b').filter((r) => r.event.type !== 'mcp.response'),
      problems: ['no mcp.response record'],
    },
    {
      name: 'a lost request record',
      records: full('c').filter((r) => r.event.type !== 'mcp.request'),
      problems: ['no mcp.request record'],
    },
    {
      name: 'an executor that died between its release write and nothing (lost release batch)',
      records: [rec('e', 'mcp.request'), decision('e', 'allow'), rec('e', 'mcp.response')],
      problems: ['a decision to run a query, and no record of its execution'],
    },
    {
      name: 'an asked call whose second decision (on the reason given) ran nothing',
      records: [
        rec('h', 'mcp.request'),
        decision('h', 'deny'),
        decision('h', 'allow', { reasonAskedIn: 'elicitation' }),
        rec('h', 'mcp.response'),
      ],
      problems: ['a decision to run a query, and no record of its execution'],
    },
    {
      name: 'an execute_sql_readonly decision to run with no execution',
      records: [
        rec('r', 'mcp.request'),
        decision('r', 'allow', { tool: 'execute_sql_readonly' }),
        rec('r', 'mcp.response'),
      ],
      problems: ['a decision to run a query, and no record of its execution'],
    },
    {
      name: 'an execution without its intent record',
      records: [rec('f', 'query.start'), rec('f', 'query.end')],
      problems: ['an execution without its intent record (policy.decision)'],
    },
    {
      name: 'a start without an end',
      records: full('g').filter((r) => r.event.type !== 'query.end'),
      problems: ['query.start without query.end'],
    },
    {
      name: 'a refused grant (no execution, and that is recorded)',
      records: [
        rec('h', 'mcp.request'),
        decision('h', 'allow'),
        rec('h', 'execution.refused'),
        rec('h', 'mcp.response'),
      ],
      problems: [],
    },
    {
      name: 'an allowed metadata call (no execution expected)',
      records: [
        rec('m', 'mcp.request'),
        rec('m', 'policy.decision', { tool: 'get_table_info', decision: { effect: 'allow' } }),
        rec('m', 'mcp.response'),
      ],
      problems: [],
    },
  ];
  for (const c of cases)
    it(`reports ${c.name}`, () => {
      const found = reconcileRequests(c.records);
      assert.deepEqual(
        found.flatMap((f) => f.problems),
        c.problems,
      );
    });

  it('ignores records that name no request (stream starts, digests)', () => {
    assert.deepEqual(reconcileRequests([{ event: { type: 'stream.start' } } as unknown as AuditRecord]), []);
  });
});
