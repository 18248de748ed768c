import assert from 'node:assert/strict';
import { isWardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import { DEFAULT_DENY, evaluatePolicy, loadPolicy, type PolicyContext } from './policy.ts';

const POLICY = `
version: 1
defaults:
  rowLimit: 100
rules:
  - id: analysts-reference
    effect: allow
    when:
      groups: [analysts]
      tools: [execute_sql]
      statementTypes: [SELECT]
      tables: [demo.reference]
    rowLimit: 50
  - id: no-ssn-table
    effect: deny
    when:
      tables: [demo.clinical.ssn_index]
  - id: clinicians-clinical
    effect: allow
    when:
      groups: [clinicians]
      tables: ['demo.*']
`;

const ann: Principal = {
  subject: 'u1',
  issuer: 'i',
  email: 'ann@example.org',
  groups: ['analysts'],
  actorChain: [],
};
const cleo: Principal = { ...ann, subject: 'u2', groups: ['clinicians'] };
const select = (...tables: string[]) => ({
  statementType: 'SELECT',
  totalBytesProcessed: '10',
  referencedTables: tables.map((t) => {
    const [projectId, datasetId, tableId] = t.split('.') as [string, string, string];
    return { projectId, datasetId, tableId };
  }),
});

describe('evaluatePolicy', () => {
  const policy = loadPolicy(POLICY);
  const cases: {
    name: string;
    ctx: PolicyContext;
    effect: 'allow' | 'deny';
    rule: string;
    rowLimit?: number;
  }[] = [
    {
      name: 'allows an analyst to read reference tables',
      ctx: { principal: ann, tool: 'execute_sql', query: select('demo.reference.icd10') },
      effect: 'allow',
      rule: 'analysts-reference',
      rowLimit: 50,
    },
    {
      name: 'denies by default when one table is outside the allow',
      ctx: {
        principal: ann,
        tool: 'execute_sql',
        query: select('demo.reference.icd10', 'demo.clinical.patients'),
      },
      effect: 'deny',
      rule: DEFAULT_DENY,
    },
    {
      name: 'denies a statement type the rule does not list',
      ctx: {
        principal: ann,
        tool: 'execute_sql',
        query: { ...select('demo.reference.icd10'), statementType: 'DELETE' },
      },
      effect: 'deny',
      rule: DEFAULT_DENY,
    },
    {
      name: 'denies a caller outside the groups',
      ctx: { principal: { ...ann, groups: [] }, tool: 'execute_sql', query: select('demo.reference.icd10') },
      effect: 'deny',
      rule: DEFAULT_DENY,
    },
    {
      name: 'lets a matching deny override an allow',
      ctx: {
        principal: cleo,
        tool: 'execute_sql',
        query: select('demo.clinical.patients', 'demo.clinical.ssn_index'),
      },
      effect: 'deny',
      rule: 'no-ssn-table',
    },
    {
      name: 'falls back to the default row limit',
      ctx: { principal: cleo, tool: 'execute_sql', query: select('demo.clinical.patients') },
      effect: 'allow',
      rule: 'clinicians-clinical',
      rowLimit: 100,
    },
    {
      name: 'does not let a table-scoped allow match a request naming no table',
      ctx: { principal: cleo, tool: 'list_dataset_ids' },
      effect: 'deny',
      rule: DEFAULT_DENY,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluatePolicy(policy, c.ctx);
      assert.equal(d.effect, c.effect);
      assert.equal(d.rule, c.rule);
      assert.equal(d.policyVersion, policy.version);
      if (c.rowLimit) assert.equal(d.rowLimit, c.rowLimit);
    });
  }
});

describe('loadPolicy', () => {
  it('versions the policy by the SHA-256 of its text', () => {
    assert.match(loadPolicy(POLICY).version, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(loadPolicy(POLICY).version, loadPolicy(`${POLICY}\n# edit`).version);
  });
  const bad = [
    {
      name: 'names the field path and line of an unknown effect',
      text: 'version: 1\nrules:\n  - id: a\n    effect: maybe\n',
      want: /rules\.0\.effect \(line 4\)/,
    },
    { name: 'rejects unknown keys', text: 'version: 1\nrules: []\nextra: 1\n', want: /extra|Unrecognized/ },
    {
      name: 'rejects duplicate rule ids',
      text: 'version: 1\nrules:\n  - {id: a, effect: deny}\n  - {id: a, effect: deny}\n',
      want: /duplicate rule id "a"/,
    },
    { name: 'rejects broken YAML', text: 'version: 1\nrules: [\n', want: /YAML error/ },
    { name: 'rejects a wrong version', text: 'version: 2\nrules: []\n', want: /version/ },
  ];
  for (const c of bad) {
    it(c.name, () =>
      assert.throws(
        () => loadPolicy(c.text),
        (e) => isWardenError(e, 'invalid_argument') && c.want.test(e.message),
      ),
    );
  }
});
