import assert from 'node:assert/strict';
import type { Cell, ColumnSchema } from '../../ports/warehouse.ts';
import type { TableMetadata } from '../classification/classify.ts';
import type { ClassificationConfig } from '../classification/config.ts';
import { columnCatalog, lineageTables, resultColumnLineage } from './lineage.ts';
import { compileMaskingProfile, maskResult } from './mask.ts';
import { MaskingProfileSchema } from './profile.ts';

const P = 'demo-warden';
const T = `\`${P}.clinical.patients\``;
const table = { projectId: P, datasetId: 'clinical', tableId: 'patients' };
const tag = (cls: string) => `projects/${P}/locations/us/taxonomies/warden-phi/policyTags/${cls}`;
const META: TableMetadata = {
  table,
  labels: { phi: 'true' },
  datasetLabels: {},
  fields: [
    { name: 'patient_id' },
    { name: 'ssn', policyTags: [tag('ssn')] },
    { name: 'first_name', policyTags: [tag('name')] },
    { name: 'last_name', policyTags: [tag('name')] },
    { name: 'zip', policyTags: [tag('address')] },
    { name: 'birth_date', policyTags: [tag('date')] },
    { name: 'notes', description: 'Free text; PHI' },
    { name: 'home', fields: [{ name: 'street', policyTags: [tag('address')] }, { name: 'floor' }] },
  ],
};
const CONFIG: ClassificationConfig = {
  labels: { phi: 'true' },
  policyTags: ['projects/*/locations/*/taxonomies/warden-phi/policyTags/*'],
  descriptionPattern: '\\bPHI\\b',
  phiTables: [],
  phiColumns: {},
};
const KEYS = { hmacKey: new Uint8Array(32).fill(9) };

const profile = compileMaskingProfile(
  'lineage-test',
  MaskingProfileSchema.parse({
    phiDefault: 'keep',
    rules: [
      { match: { columns: [`${P}.clinical.patients.ssn`] }, strategy: 'last_four' },
      { match: { phiClasses: ['address'], namePattern: '^zip$' }, strategy: 'zip3' },
      { match: { phiClasses: ['name'] }, strategy: 'replace' },
      { match: { policyTags: ['*/policyTags/date'] }, strategy: 'date_year_mask' },
      { match: { phiClasses: ['phi'] }, strategy: 'nullify' },
    ],
    detectors: { enabled: false },
  }),
);

/** Masks one row of `sql`'s result, with lineage from the SQL and classes from the metadata. */
function maskOne(sql: string, schema: ColumnSchema[], row: Record<string, Cell>, metadata = [META]) {
  const columns = resultColumnLineage(sql, P, schema);
  return maskResult(
    profile,
    { schema, rows: [row], columns, asOf: '2025-06-30', catalog: columnCatalog(CONFIG, metadata) },
    KEYS,
  );
}

const s = (name: string, type = 'STRING'): ColumnSchema => ({ name, type });

describe('masking through result lineage', () => {
  it('applies a table.column rule to a renamed column', () => {
    const r = maskOne(`SELECT ssn AS x FROM ${T}`, [s('x')], { x: '123-45-6789' });
    assert.match(String(r.rows[0]!['x']), /^X+6789$/);
    assert.deepEqual(r.summary.columns, [{ column: 'x', strategy: 'last_four', phiClass: 'ssn' }]);
  });

  it('applies a PHI-class rule (from the policy tag) to a renamed column', () => {
    const r = maskOne(`SELECT first_name AS a, patient_id AS id FROM ${T}`, [s('a'), s('id')], {
      a: 'Ann',
      id: 'P1',
    });
    assert.deepEqual(r.rows[0], { a: '[NAME]', id: 'P1' });
  });

  it('gives a computed column the strictest strategy of its sources', () => {
    const r = maskOne(
      `SELECT CONCAT(first_name, ' ', last_name) AS v, UPPER(patient_id) AS id FROM ${T}`,
      [s('v'), s('id')],
      {
        v: 'Ann Lee',
        id: 'P1',
      },
    );
    assert.deepEqual(r.rows[0], { v: '[NAME]', id: 'P1' });
  });

  const partial: { name: string; sql: string; value: string }[] = [
    {
      name: 'a padded prefix of an SSN',
      sql: `SELECT CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3)) AS v FROM ${T}`,
      value: 'ZZZZZ123',
    },
    {
      name: 'an SSN with a name',
      sql: `SELECT CONCAT(ssn, ' ', first_name) AS v FROM ${T}`,
      value: '123-45-6789 Ann',
    },
    {
      name: 'an SSN and a ZIP',
      sql: `SELECT CONCAT(ssn, '/', zip) AS v FROM ${T}`,
      value: '123-45-6789/02139',
    },
    { name: 'a reversed SSN', sql: `SELECT REVERSE(ssn) AS v FROM ${T}`, value: '9876-54-321' },
    {
      name: 'a ZIP rebuilt from its digits',
      sql: `SELECT CONCAT(SUBSTR(zip, 4), SUBSTR(zip, 1, 3)) AS zip FROM ${T}`,
      value: '39021',
    },
    {
      name: 'a prefix renamed back to the column in a CTE',
      sql: `WITH x AS (SELECT SUBSTR(ssn, 1, 5) AS ssn FROM ${T}) SELECT ssn FROM x`,
      value: '12345',
    },
    {
      name: 'a derived column through SELECT *',
      sql: `SELECT * FROM (SELECT CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3)) AS ssn FROM ${T})`,
      value: 'ZZZZZ123',
    },
  ];
  for (const c of partial)
    it(`withholds a value computed from a partially masked column: ${c.name}`, () => {
      const name = c.sql.includes(' AS zip ') ? 'zip' : c.sql.includes(' AS v ') ? 'v' : 'ssn';
      const r = maskOne(c.sql, [s(name)], { [name]: c.value });
      assert.equal(r.rows[0]![name], null);
      assert.equal(r.summary.columns[0]?.strategy, 'nullify');
    });

  it('replaces free text that a function rewrote instead of scrubbing it', () => {
    const scrub = compileMaskingProfile(
      'scrub-test',
      MaskingProfileSchema.parse({ phiDefault: 'scrub', rules: [] }),
    );
    const sql = `SELECT REVERSE(notes) AS r, notes FROM ${T}`;
    const schema = [s('r'), s('notes')];
    const columns = resultColumnLineage(sql, P, schema, [table]);
    const r = maskResult(
      scrub,
      {
        schema,
        rows: [{ r: 'nnA kees', notes: 'seen today' }],
        columns,
        catalog: columnCatalog(CONFIG, [META]),
      },
      KEYS,
    );
    assert.equal(r.summary.columns.find((c) => c.column === 'r')?.strategy, 'replace');
    assert.notEqual(r.rows[0]!['r'], 'nnA kees');
    assert.equal(r.rows[0]!['notes'], 'seen today');
  });

  it('withholds rows folded into one scalar from PHI, whatever the profile keeps', () => {
    const keepAll = compileMaskingProfile(
      'keep-all',
      MaskingProfileSchema.parse({ phiDefault: 'keep', rules: [], detectors: { enabled: false } }),
    );
    const sql = `SELECT STRING_AGG(first_name, ',') AS names, ARRAY_AGG(first_name) AS list, STRING_AGG(patient_id, ',') AS ids FROM ${T}`;
    const schema: ColumnSchema[] = [s('names'), { name: 'list', type: 'STRING', mode: 'REPEATED' }, s('ids')];
    const columns = resultColumnLineage(sql, P, schema, [table]);
    const r = maskResult(
      keepAll,
      {
        schema,
        rows: [{ names: 'Ann,Bo', list: ['Ann', 'Bo'], ids: 'P1,P2' }],
        columns,
        catalog: columnCatalog(CONFIG, [META]),
      },
      KEYS,
    );
    // The array's elements are counted against the value limit; the folded string cannot be.
    assert.deepEqual(r.rows[0], { names: null, list: ['Ann', 'Bo'], ids: 'P1,P2' });
  });

  it('treats a whole row read into one value as its most sensitive column', () => {
    const r = maskOne(`SELECT TO_JSON_STRING(p) AS j FROM ${T} p`, [s('j')], { j: '{"notes":"x"}' });
    assert.equal(r.rows[0]!['j'], null);
    assert.equal(r.summary.columns[0]?.strategy, 'nullify');
  });

  it('masks the fields of a row selected as a STRUCT by their own columns', () => {
    const schema: ColumnSchema[] = [
      { name: 'p', type: 'RECORD', fields: [s('ssn'), s('first_name'), s('patient_id')] },
    ];
    const r = maskOne(`SELECT p FROM ${T} p`, schema, {
      p: { ssn: '123-45-6789', first_name: 'Ann', patient_id: 'P1' },
    });
    const p = r.rows[0]!['p'] as Record<string, Cell>;
    assert.match(String(p['ssn']), /^X+6789$/);
    assert.equal(p['first_name'], '[NAME]');
    assert.equal(p['patient_id'], 'P1');
  });

  it('classifies a nested field and a description-marked column', () => {
    const schema: ColumnSchema[] = [s('street'), s('notes'), s('birth', 'DATE')];
    const r = maskOne(`SELECT home.street AS street, notes, birth_date AS birth FROM ${T}`, schema, {
      street: '1 Main St',
      notes: 'seen today',
      birth: '1950-03-02',
    });
    // street: address class, no rule for it here and phiDefault keep; notes: description → nullify.
    assert.deepEqual(r.rows[0], { street: '1 Main St', notes: null, birth: '1950-01-01' });
  });

  it('uses the policy phiColumns patterns for tables without metadata', () => {
    const columns = resultColumnLineage(`SELECT secret AS x FROM \`${P}.other.t\``, P, [s('x')]);
    const catalog = columnCatalog({ ...CONFIG, phiColumns: { '*.other.t.secret': 'phi' } }, []);
    const r = maskResult(profile, { schema: [s('x')], rows: [{ x: 'abc' }], columns, catalog }, KEYS);
    assert.deepEqual(r.rows, [{ x: null }]);
    assert.deepEqual(r.summary.columns, [{ column: 'x', strategy: 'nullify', phiClass: 'phi' }]);
  });

  it('masks what the SQL analysis cannot trace as the strictest PHI of the tables the dry run names', () => {
    const columns = resultColumnLineage('SELECT ssn AS x FROM', P, [s('x')], [table]);
    assert.deepEqual(columns, { x: { sources: [{ table, sourceColumn: '*' }], collects: true } });
    const r = maskResult(
      profile,
      { schema: [s('x')], rows: [{ x: '123-45-6789' }], columns, catalog: columnCatalog(CONFIG, [META]) },
      KEYS,
    );
    assert.deepEqual(r.rows, [{ x: null }]);
  });

  it('treats a source outside the dry run tables (a view) as untraced', () => {
    const columns = resultColumnLineage(
      `SELECT ssn AS x FROM \`${P}.clinical.patients_view\``,
      P,
      [s('x')],
      [table],
    );
    assert.deepEqual(columns, { x: { sources: [{ table, sourceColumn: '*' }], collects: true } });
  });

  it('keeps a traced column of a table the dry run names as it is', () => {
    assert.deepEqual(resultColumnLineage(`SELECT ssn AS x FROM ${T}`, P, [s('x')], [table]), {
      x: { table, sourceColumn: 'ssn' },
    });
  });

  it('knows nothing of a query without tables, so there is nothing to mask', () => {
    assert.deepEqual(resultColumnLineage('SELECT 1 AS x FROM', P, [s('x')], []), {
      x: { sources: [], collects: true },
    });
  });

  it('lists the tables a lineage names', () => {
    const columns = resultColumnLineage(`SELECT CONCAT(ssn, first_name) AS v FROM ${T}`, P, [s('v')]);
    assert.deepEqual(lineageTables(columns), [table]);
  });
});

describe('masking through result lineage: text the detectors protect as written', () => {
  const clinician = compileMaskingProfile(
    'clinician-like',
    MaskingProfileSchema.parse({
      phiDefault: 'keep',
      rules: [{ match: { phiClasses: ['ssn'] }, strategy: 'last_four' }],
      detectors: { kinds: ['ssn'] },
    }),
  );
  const notes: TableMetadata = {
    table: { projectId: P, datasetId: 'clinical', tableId: 'notes' },
    labels: { phi: 'true' },
    datasetLabels: {},
    fields: [{ name: 'note_id' }, { name: 'note_text', policyTags: [tag('free_text')] }, { name: 'author' }],
  };
  const N = `\`${P}.clinical.notes\``;
  const mask = (sql: string, value: string) => {
    const schema = [s('v')];
    const columns = resultColumnLineage(sql, P, schema, [notes.table]);
    return maskResult(
      clinician,
      { schema, rows: [{ v: value }], columns, catalog: columnCatalog(CONFIG, [notes]) },
      KEYS,
    );
  };
  const rewrites: { name: string; sql: string; value: string }[] = [
    { name: 'reversed', sql: `SELECT REVERSE(note_text) AS v FROM ${N}`, value: 'no 6789-45-321 NSS' },
    {
      name: 'translated',
      sql: `SELECT TRANSLATE(note_text, '0123456789', 'abcdefghij') AS v FROM ${N}`,
      value: 'SSN bcd-ef-ghij',
    },
    {
      name: 'cut at a label',
      sql: `SELECT SUBSTR(note_text, STRPOS(note_text, 'SSN ') + 4, 11) AS v FROM ${N}`,
      value: '123-45-6789',
    },
    {
      name: 'split into words',
      sql: `SELECT w AS v FROM ${N}, UNNEST(SPLIT(note_text, ' ')) AS w`,
      value: '123456789',
    },
  ];
  for (const c of rewrites)
    it(`replaces free text ${c.name} by a function, though the profile keeps the note itself`, () => {
      const r = mask(c.sql, c.value);
      assert.notEqual(r.rows[0]!['v'], c.value);
      assert.equal(r.summary.columns[0]?.strategy, 'replace');
    });

  it('keeps the note as written, scanned by the detectors', () => {
    const r = mask(`SELECT note_text AS v FROM ${N}`, 'seen today, SSN 123-45-6789');
    assert.equal(r.rows[0]!['v'], 'seen today, SSN [SSN]');
  });

  it('keeps a value computed from a kept column without free text (the author)', () => {
    const r = mask(`SELECT UPPER(author) AS v FROM ${N}`, 'DR ANN LEE');
    assert.equal(r.rows[0]!['v'], 'DR ANN LEE');
  });
});
