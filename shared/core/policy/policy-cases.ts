// `warden policy test`: evaluates a file of cases (principal + query or query facts) against a policy and
// compares each decision with the expected one, like `opa test`.

import { parseDocument } from 'yaml';
import { z } from 'zod';
import { classifyTable, type FieldMetadata } from '../classification/classify.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import type { TableRef } from '../query/facts.ts';
import { EFFECTS, type Policy } from './document.ts';
import { type Decision, evaluatePolicy, resolvePrincipal, type SqlFacts } from './evaluate.ts';

const tableName = z.string().regex(/^[^.\s]+\.[^.\s]+\.[^.\s]+$/, 'project.dataset.table');
const Field: z.ZodType<FieldMetadata> = z.lazy(() =>
  z
    .object({
      name: z.string(),
      description: z.string().optional(),
      policyTags: z.array(z.string()).optional(),
      fields: z.array(Field).optional(),
    })
    .strict(),
);

const CaseFile = z
  .object({
    /** BigQuery metadata of the tables the cases touch, as classification reads it. */
    metadata: z
      .record(
        tableName,
        z
          .object({
            labels: z.record(z.string(), z.string()).default({}),
            datasetLabels: z.record(z.string(), z.string()).default({}),
            fields: z.array(Field).default([]),
          })
          .strict(),
      )
      .default({}),
    cases: z
      .array(
        z
          .object({
            name: z.string().min(1),
            principal: z
              .object({
                subject: z.string().optional(),
                issuer: z.string().default('https://issuer.example'),
                email: z.string().optional(),
                groups: z.array(z.string()).default([]),
              })
              .strict(),
            onBehalfOf: z
              .object({
                subject: z.string().optional(),
                email: z.string().optional(),
                groups: z.array(z.string()).default([]),
              })
              .strict()
              .optional(),
            tool: z.string().default('execute_sql'),
            /** SQL text: analysed for columns and constructs (needs `query` facts too, as a dry run would give). */
            sql: z.string().optional(),
            query: z
              .object({
                statementType: z.string(),
                referencedTables: z.array(tableName).default([]),
                totalBytesProcessed: z.coerce.string().default('0'),
              })
              .strict()
              .optional(),
            tables: z.array(z.string()).optional(),
            request: z
              .object({ reason: z.string().optional(), breakGlass: z.boolean().optional() })
              .strict()
              .optional(),
            now: z.string().datetime().optional(),
            expect: z.object({ effect: z.enum(EFFECTS), rule: z.string().optional() }).strict(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** One case's outcome. */
export interface CaseResult {
  name: string;
  ok: boolean;
  decision: Decision;
  expected: { effect: string; rule?: string };
}

/** Evaluates every case in `text` (YAML); throws `invalid_argument` naming problems in the file. */
export function runPolicyCases(
  policy: Policy,
  text: string,
  analyzeSql: (sql: string, defaultProject: string) => SqlFacts,
): CaseResult[] {
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new WardenError(
      'invalid_argument',
      `cases: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`,
    );
  const parsed = CaseFile.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new WardenError(
      'invalid_argument',
      `cases are not valid:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
    );
  }
  const classification = Object.entries(parsed.data.metadata).map(([name, m]) =>
    classifyTable(policy.classification, { table: ref(name), ...m }),
  );
  return parsed.data.cases.map((c) => {
    const email = c.principal.email?.toLowerCase();
    let principal: Principal = {
      subject: c.principal.subject ?? email ?? 'subject',
      issuer: c.principal.issuer,
      ...(email ? { email } : {}),
      groups: c.principal.groups,
      actorChain: [],
    };
    if (c.onBehalfOf) {
      const pEmail = c.onBehalfOf.email?.toLowerCase();
      principal = {
        ...principal,
        onBehalfOf: {
          subject: c.onBehalfOf.subject ?? pEmail ?? 'person',
          issuer: c.principal.issuer,
          ...(pEmail ? { email: pEmail } : {}),
          groups: c.onBehalfOf.groups,
        },
      };
    }
    const query = c.query && {
      statementType: c.query.statementType,
      referencedTables: c.query.referencedTables.map(ref),
      totalBytesProcessed: c.query.totalBytesProcessed,
    };
    const defaultProject = query?.referencedTables[0]?.projectId ?? 'project';
    const decision = evaluatePolicy(policy, {
      principal: resolvePrincipal(policy, principal),
      tool: c.tool,
      ...(query ? { query } : {}),
      ...(c.tables ? { tables: c.tables.map(ref) } : {}),
      ...(c.sql ? { sql: analyzeSql(c.sql, defaultProject) } : {}),
      classification,
      now: c.now ? new Date(c.now) : new Date('2026-01-05T12:00:00Z'),
      ...(c.request ? { request: c.request } : {}),
    });
    const ok =
      decision.effect === c.expect.effect && (c.expect.rule === undefined || decision.rule === c.expect.rule);
    return { name: c.name, ok, decision, expected: c.expect };
  });
}

/** One line per case, as `warden policy test` prints it. */
export function formatCaseResult(r: CaseResult): string {
  const got = `${r.decision.effect} (${r.decision.rule})`;
  return r.ok
    ? `PASS  ${r.name}: ${got}`
    : `FAIL  ${r.name}: expected ${r.expected.effect}${r.expected.rule ? ` (${r.expected.rule})` : ''}, got ${got}: ${r.decision.reasons.join(' ')}`;
}

function ref(name: string): TableRef {
  const [projectId, datasetId, tableId] = name.split('.') as [string, string, string];
  return { projectId, datasetId, tableId };
}
