import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Principal } from '../shared/core/identity/principal.ts';
import { evaluatePolicy, loadPolicy, resolvePrincipal } from '../shared/core/policy/policy.ts';
import { TOOL_NAMES, visibleToolNames } from '../shared/mcp/tools.ts';

const policy = loadPolicy(readFileSync(new URL('./policy.yaml', import.meta.url), 'utf8'));
const person = (groups: string[], email = 'x@example.org'): Principal => ({
  subject: email,
  issuer: 'i',
  email,
  groups,
  actorChain: [],
});
const table = (datasetId: string, tableId = '*') => ({ projectId: 'demo-warden', datasetId, tableId });

describe('dev/policy.yaml', () => {
  it('shows analysts every tool and shows nothing to a caller without groups', () => {
    assert.deepEqual(visibleToolNames(policy, person(['analysts'])), TOOL_NAMES);
    assert.deepEqual(visibleToolNames(policy, person([])), []);
  });
  const cases = [
    {
      name: 'lets analysts read reference table schemas',
      p: person(['analysts']),
      tool: 'get_table_info',
      t: table('reference', 'icd10_codes'),
      effect: 'allow',
    },
    {
      name: 'keeps analysts from clinical table schemas',
      p: person(['analysts']),
      tool: 'get_table_info',
      t: table('clinical', 'patients'),
      effect: 'deny',
    },
    {
      name: 'lets clinicians list clinical tables',
      p: person(['clinicians']),
      tool: 'list_table_ids',
      t: table('clinical'),
      effect: 'allow',
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.equal(evaluatePolicy(policy, { principal: c.p, tool: c.tool, tables: [c.t] }).effect, c.effect),
    );
  }
  it('maps Google-style principals without groups through groupMappings', () => {
    const p = resolvePrincipal(policy, person([], 'bob@analytics.example.org'));
    assert.deepEqual(p.groups, ['analysts']);
    assert.equal(evaluatePolicy(policy, { principal: p, tool: 'list_dataset_ids' }).effect, 'allow');
  });
});

describe('dev/policy.cases.yaml', () => {
  it('every shipped case gets its expected decision', async () => {
    const { runPolicyCases } = await import('../shared/core/policy/policy-cases.ts');
    const { sqlFactsFor } = await import('../shared/core/gateway/sql-facts.ts');
    const results = runPolicyCases(
      policy,
      readFileSync(new URL('./policy.cases.yaml', import.meta.url), 'utf8'),
      sqlFactsFor,
    );
    assert.ok(results.length >= 10);
    assert.deepEqual(
      results.filter((r) => !r.ok).map((r) => r.name),
      [],
    );
  });
});

describe('dev/policy.yaml: unparsed is not unknown', () => {
  // Constructs the SQL analysis does not fully parse, each over the patients table without naming an SSN.
  const P = '`demo-warden.clinical.patients`';
  const constructs: { name: string; sql: string }[] = [
    { name: 'GROUP BY ALL', sql: `SELECT city, COUNT(*) AS n FROM ${P} GROUP BY ALL` },
    { name: 'TABLESAMPLE', sql: `SELECT first_name FROM ${P} TABLESAMPLE SYSTEM (10 PERCENT)` },
    {
      name: 'QUALIFY without WHERE',
      sql: `SELECT first_name FROM ${P} QUALIFY ROW_NUMBER() OVER (ORDER BY patient_id) = 1`,
    },
    { name: 'a byte literal', sql: `SELECT first_name, b'\\x01' AS b FROM ${P}` },
    {
      name: 'a query padded past the parser budget',
      sql: `SELECT first_name /*${'x'.repeat(210_000)}*/ FROM ${P}`,
    },
  ];
  const facts = {
    statementType: 'SELECT',
    referencedTables: [table('clinical', 'patients')],
    totalBytesProcessed: '1',
  };
  const classification = [
    {
      table: table('clinical', 'patients'),
      phi: true,
      phiColumns: { ssn: 'ssn', first_name: 'name', city: 'address', birth_date: 'date' },
    },
  ];
  for (const c of constructs) {
    const decide = async (groups: string[]) => {
      const { sqlFactsFor } = await import('../shared/core/gateway/sql-facts.ts');
      const sql = sqlFactsFor(c.sql, 'demo-warden');
      assert.equal(sql.parsed, false, `${c.name} is not fully parsed (else this case tests nothing)`);
      return evaluatePolicy(policy, {
        principal: person(groups),
        tool: 'execute_sql',
        projectId: 'demo-warden',
        query: facts,
        sql,
        classification,
        request: { reason: 'readmission study' },
      });
    };
    it(`${c.name}: the analysts' SSN deny still fires (not an approval request)`, async () => {
      const d = await decide(['analysts']);
      assert.deepEqual([d.effect, d.rule, d.analysis], ['deny', 'no-ssn-for-analysts', 'partial']);
      assert.ok(d.phiClasses.includes('ssn'));
    });
    it(`${c.name}: research analysts and clinicians are refused as unanalysed`, async () => {
      for (const g of [['research-analysts'], ['clinicians']]) {
        const d = await decide(g);
        assert.deepEqual([d.effect, d.rule], ['deny', 'guard:unparseable'], g.join());
      }
    });
  }
});
