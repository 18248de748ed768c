// Masking acceptance (issue 8): under the analyst profile, no identifier the synthetic generator planted
// comes back through `execute_sql`, whether read plainly, renamed, concatenated, extracted from JSON or
// buried in free-text notes. The same queries against the warehouse directly do return them, so the check
// can fail.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateDataset, type PlantedIdentifier } from '../dev/synthetic/generate.ts';
import { BigQueryWarehouse } from '../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../shared/adapters/clients.ts';
import type { Cell } from '../shared/ports/warehouse.ts';
import { auditRecordsFor, TEST_PATIENTS, theStack, tokenFor } from './harness.ts';

const P = 'demo-warden';
const PATIENTS = `\`${P}.clinical.patients\``;
const NOTES = `\`${P}.clinical.clinical_notes\``;

/** The queries: each returns a key column (`patient_id` or `note_id`) that says whose identifiers to look for. */
const QUERIES: {
  name: string;
  key: 'patient_id' | 'note_id';
  sql: string;
  /** Column rules that must have applied through the SQL's lineage: output column → strategy. */
  rules: Record<string, string>;
}[] = [
  {
    name: 'plain columns',
    key: 'patient_id',
    sql: `SELECT patient_id, mrn, first_name, last_name, birth_date, ssn, street_address, city, zip, phone, email, health_plan_id, created_at FROM ${PATIENTS} ORDER BY patient_id`,
    rules: { ssn: 'nullify', first_name: 'replace', zip: 'zip3', birth_date: 'date_year_mask' },
  },
  {
    name: 'aliased columns',
    key: 'patient_id',
    sql: `SELECT patient_id, ssn AS x, first_name AS a, last_name AS b, email AS c, phone AS d, mrn AS e, birth_date AS f, health_plan_id AS g, street_address AS h, zip AS i, created_at AS j FROM ${PATIENTS} p ORDER BY patient_id`,
    // Renamed columns keep their source's rule (the SSN rule is keyed by table.column).
    rules: { x: 'nullify', a: 'replace', c: 'replace', f: 'date_year_mask', i: 'zip3' },
  },
  {
    name: 'concatenated and computed columns',
    key: 'patient_id',
    sql: `SELECT patient_id, CONCAT(first_name, ' ', last_name) AS n, CONCAT('SSN ', ssn, ', tel ', phone) AS s, CONCAT(street_address, ', ', city, ' ', zip) AS addr, CONCAT(mrn, '/', email, '/', health_plan_id) AS ids, UPPER(email) AS e, CAST(birth_date AS STRING) AS dob, CONCAT(last_name, ' ', CAST(created_at AS STRING)) FROM ${PATIENTS} ORDER BY patient_id`,
    // A computed column gets the strictest rule of the columns it reads, and never a partial mask: the ZIP's
    // zip3 inside a CONCAT withholds the whole address.
    rules: { n: 'replace', s: 'nullify', addr: 'nullify', ids: 'replace', e: 'replace' },
  },
  {
    name: 'JSON built and extracted',
    key: 'patient_id',
    sql: `SELECT patient_id, TO_JSON_STRING(p) AS row_json, TO_JSON_STRING(STRUCT(ssn, first_name, email)) AS j, JSON_VALUE(TO_JSON_STRING(p), '$.ssn') AS s, JSON_VALUE(TO_JSON_STRING(STRUCT(first_name, last_name)), '$.last_name') AS ln, JSON_VALUE(TO_JSON_STRING(p), '$.email') AS em FROM ${PATIENTS} p ORDER BY patient_id`,
    // A whole row read into one value is as sensitive as its most sensitive column.
    rules: { row_json: 'nullify', j: 'nullify', s: 'nullify', ln: 'replace', em: 'nullify' },
  },
  {
    name: 'free-text notes',
    key: 'note_id',
    sql: `SELECT note_id, note_text, note_text AS body, CONCAT('Note: ', note_text) AS quoted, note_date FROM ${NOTES} ORDER BY note_id`,
    // A note renamed is scrubbed; one an expression rewrote is replaced whole.
    rules: { note_text: 'scrub', body: 'scrub', quoted: 'replace', note_date: 'date_year_mask' },
  },
];

const isWordChar = (c: string): boolean => /[A-Za-z0-9]/.test(c);

/** True when `value` occurs in `text` not glued to other letters or digits. */
function contains(text: string, value: string): boolean {
  for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
    const end = i + value.length;
    const gluedBefore = i > 0 && isWordChar(text.charAt(i - 1)) && isWordChar(value.charAt(0));
    const gluedAfter =
      end < text.length && isWordChar(text.charAt(end)) && isWordChar(value.charAt(value.length - 1));
    if (!gluedBefore && !gluedAfter) return true;
  }
  return false;
}

/**
 * A planted date on January 1st reads exactly like any date of that year masked to its year (a DATE keeps
 * its type: 2025-01-01), which Safe Harbor allows; such values say nothing beyond the year.
 */
function isYearMask(p: PlantedIdentifier): boolean {
  return (p.kind === 'date' || p.kind === 'birth_date') && /^\d{4}-01-01(T00:00:00(\.0+)?Z?)?$/.test(p.value);
}

/** Every string and number in a cell, JSON included, flattened to one text. */
function textOf(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

describe('masking acceptance: the analyst profile releases no planted identifier', function () {
  this.timeout(180_000);
  // The stack seeds this same dataset (emulator-tests/harness.ts), so the generator knows what it planted.
  const dataset = generateDataset({ seed: 'emulator-tests', patients: TEST_PATIENTS, projectId: P });
  const clinical = dataset.project.datasets.find((d) => d.datasetId === 'clinical')!;
  const rowIndex = (tableId: string): Map<string, number> =>
    new Map(clinical.tables.find((t) => t.tableId === tableId)!.rows.map((r, i) => [String(r[0]), i]));
  const patientRows = rowIndex('patients');
  const noteRows = rowIndex('clinical_notes');
  const planted = new Map<string, PlantedIdentifier[]>();
  for (const p of dataset.identifiers) {
    if (p.tableId !== 'patients' && p.tableId !== 'clinical_notes') continue;
    const key = `${p.tableId}:${p.rowIndex}`;
    planted.set(key, [...(planted.get(key) ?? []), p]);
  }

  /** Planted identifiers of the row each result row belongs to that appear anywhere in that result row. */
  function leaks(key: 'patient_id' | 'note_id', rows: Record<string, Cell>[]): string[] {
    const out: string[] = [];
    for (const row of rows) {
      const id = String(row[key]);
      const index = key === 'patient_id' ? patientRows.get(id) : noteRows.get(id);
      assert.ok(index !== undefined, `unknown ${key} ${id}: is the key column masked?`);
      const mine = planted.get(`${key === 'patient_id' ? 'patients' : 'clinical_notes'}:${index}`) ?? [];
      const text = Object.entries(row)
        .filter(([k]) => k !== key)
        .map(([, v]) => textOf(v))
        .join('\n');
      for (const p of mine) if (!isYearMask(p) && contains(text, p.value)) out.push(`${id} ${p.kind}`);
    }
    return out;
  }

  let client: Client;
  let raw: BigQueryWarehouse;
  before(async () => {
    client = new Client({ name: 'warden-masking-acceptance', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
        requestInit: {
          headers: {
            authorization: `Bearer ${await tokenFor('rhea@research.example.org', ['research-analysts'])}`,
          },
        },
      }),
    );
    raw = new BigQueryWarehouse(await createBigQueryClient(P, theStack().info.endpoints.bigquery));
  });
  after(async () => {
    await client?.close();
  });

  for (const q of QUERIES) {
    it(`${q.name}: every planted identifier is masked, and the audit record names what was masked`, async () => {
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: P, query: q.sql },
      });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      const out = result.structuredContent as { requestId: string; rows: Record<string, Cell>[] };
      assert.ok(out.rows.length > 0, 'rows come back');

      // The control: the same SQL run straight against the warehouse returns planted identifiers, so a
      // masking engine that did nothing would fail this test.
      const unmasked = await raw.execute(
        { projectId: P, sql: q.sql },
        { rowLimit: out.rows.length, labels: { 'warden-request': 'masking-acceptance' }, timeoutMs: 60_000 },
      );
      const exposed = leaks(q.key, unmasked.rows);
      assert.ok(
        exposed.length >= out.rows.length,
        `the control query exposes identifiers (${exposed.length})`,
      );

      assert.deepEqual(leaks(q.key, out.rows), [], 'no planted identifier is released');

      const records = await auditRecordsFor(out.requestId);
      const end = records.find((r) => r.event.type === 'query.end');
      // The rule's own BigQuery identity ran it (dev/policy.yaml: credential deid-reader).
      const start = records.find((r) => r.event.type === 'query.start');
      assert.equal(
        (start?.event['decision'] as { credential?: string } | undefined)?.credential,
        'deid-reader',
      );
      const summary = end?.event['masking'] as {
        profile: string;
        columns: { column: string; strategy: string }[];
        detectors: { kind: string; count: number }[];
      };
      assert.equal(summary.profile, 'analyst');
      const applied = Object.fromEntries(summary.columns.map((c) => [c.column, c.strategy]));
      for (const [column, strategy] of Object.entries(q.rules))
        assert.equal(applied[column], strategy, `${column} is masked with ${strategy} through its lineage`);
      const record = JSON.stringify(end);
      for (const row of unmasked.rows.slice(0, 20)) {
        const index =
          q.key === 'patient_id' ? patientRows.get(String(row[q.key])) : noteRows.get(String(row[q.key]));
        for (const p of planted.get(`${q.key === 'patient_id' ? 'patients' : 'clinical_notes'}:${index}`) ??
          [])
          if (p.value.length >= 6) assert.ok(!record.includes(p.value), 'no identifier in the audit record');
      }
    });
  }
});
