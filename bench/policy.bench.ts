// Benchmark: policy decisions per second for a 200-rule policy (goal: at least 100,000 per second on one core).

import { classifyTable } from '../shared/core/classification/classify.ts';
import type { Principal } from '../shared/core/identity/principal.ts';
import { evaluatePolicy, loadPolicy, type PolicyContext } from '../shared/core/policy/policy.ts';

/** A policy of `n` rules over many groups and datasets; the matching rules sit at the end. */
export function largePolicy(n: number): string {
  const rules: string[] = [];
  for (let i = 0; i < n - 3; i++) {
    rules.push(
      `  - id: rule-${i}\n    effect: ${i % 7 === 0 ? 'deny' : 'allow'}\n    when: { groups: [team-${i}], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.dataset_${i}'] }`,
    );
  }
  rules.push(
    `  - id: no-ssn\n    effect: deny\n    when: { groups: [analysts], phiClasses: [ssn] }`,
    `  - id: analysts-phi\n    effect: require_approval\n    when: { groups: [analysts], tools: [execute_sql], phi: true }\n    approval: { groups: [privacy] }`,
    `  - id: analysts-reference\n    effect: allow\n    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.reference'], phi: false }`,
  );
  return `version: 1\nprojects: [demo-warden]\nrules:\n${rules.join('\n')}\n`;
}

/** Evaluates decisions for `ms` milliseconds; returns decisions per second. */
export function benchPolicy(ms = 2000): { rules: number; decisionsPerSecond: number } {
  const policy = loadPolicy(largePolicy(200));
  const principal: Principal = {
    subject: 's',
    issuer: 'i',
    email: 'ann@example.org',
    groups: ['analysts', 'team-3'],
    actorChain: [],
  };
  const table = (datasetId: string, tableId: string) => ({ projectId: 'demo-warden', datasetId, tableId });
  const patients = classifyTable(policy.classification, {
    table: table('clinical', 'patients'),
    labels: { phi: 'true' },
    datasetLabels: {},
    fields: [{ name: 'ssn', policyTags: ['x/policyTags/ssn'] }, { name: 'birth_date' }],
  });
  const contexts: PolicyContext[] = [
    {
      principal,
      tool: 'execute_sql',
      query: {
        statementType: 'SELECT',
        referencedTables: [table('reference', 'icd10_codes')],
        totalBytesProcessed: '1000',
      },
      sql: {
        parsed: true,
        columns: [{ table: table('reference', 'icd10_codes'), column: 'code' }],
        constructs: [],
        projects: ['demo-warden'],
      },
      classification: [patients],
    },
    {
      principal,
      tool: 'execute_sql',
      query: {
        statementType: 'SELECT',
        referencedTables: [table('clinical', 'patients')],
        totalBytesProcessed: '1000',
      },
      sql: {
        parsed: true,
        columns: [{ table: table('clinical', 'patients'), column: 'birth_date' }],
        constructs: [],
        projects: ['demo-warden'],
      },
      classification: [patients],
    },
  ];
  const now = new Date();
  for (const c of contexts) c.now = now;
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 1000; i++) evaluatePolicy(policy, contexts[i & 1]!);
    count += 1000;
    elapsed = performance.now() - start;
  }
  return { rules: policy.rules.length, decisionsPerSecond: Math.round((count * 1000) / elapsed) };
}
