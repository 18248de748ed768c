// Tests for masking query results: column rules, detectors over strings, nested and JSON values, fail-closed errors.

import assert from 'node:assert/strict';
import type { Cell, ColumnSchema } from '../../ports/warehouse.ts';
import { isGenericColumnName, profileColumn } from './column-profile.ts';
import { MaskingError } from './errors.ts';
import {
  compileMaskingProfile,
  type MaskingInput,
  type MaskingKeys,
  maskResult,
  resolveMaskingProfile,
} from './mask.ts';
import { type MaskingProfileInput, MaskingProfileSchema } from './profile.ts';
import { dateShiftDays, hmacHex } from './strategies.ts';

const KEYS: MaskingKeys = { hmacKey: new Uint8Array(32).fill(3) };
const hmac = hmacHex(KEYS.hmacKey!);
const TABLE = { projectId: 'demo', datasetId: 'clinical', tableId: 'patients' };
const SAFE = resolveMaskingProfile('safe-harbor');
const NONE = resolveMaskingProfile('none');

function profile(input: MaskingProfileInput, name = 'test') {
  return compileMaskingProfile(name, MaskingProfileSchema.parse(input));
}

const col = (name: string, type = 'STRING', extra: Partial<ColumnSchema> = {}): ColumnSchema => ({
  name,
  type,
  ...extra,
});

describe('maskResult column rules', () => {
  const input: MaskingInput = {
    schema: [
      col('patient_id'),
      col('ssn'),
      col('email'),
      col('phone'),
      col('mrn'),
      col('birth_date', 'DATE'),
      col('zip'),
      col('x'),
    ],
    rows: [
      {
        patient_id: 'P000001',
        ssn: '071-34-1324',
        email: 'angela.torres@example.com',
        phone: '616-273-4213',
        mrn: '95391962',
        birth_date: '1945-01-25',
        zip: '49503',
        x: '071-34-1324',
      },
    ],
    columns: {
      patient_id: { table: TABLE },
      ssn: {
        table: TABLE,
        phiClass: 'ssn',
        policyTags: ['projects/demo/locations/us/taxonomies/warden-phi/policyTags/ssn'],
      },
      email: { table: TABLE, phiClass: 'contact' },
      phone: { table: TABLE, phiClass: 'contact' },
      mrn: {
        table: TABLE,
        phiClass: 'mrn',
        policyTags: ['projects/demo/locations/us/taxonomies/warden-phi/policyTags/mrn'],
      },
      birth_date: { table: TABLE, phiClass: 'date' },
      zip: { table: TABLE, phiClass: 'address' },
      x: { table: TABLE, sourceColumn: 'ssn', phiClass: 'ssn' },
    },
    asOf: '2025-06-30',
  };
  const clinician = profile({
    rules: [
      { match: { columns: ['demo.clinical.patients.ssn'] }, strategy: 'last_four' },
      { match: { namePattern: '^email$' }, strategy: 'email_mask' },
      { match: { policyTags: ['*/policyTags/mrn'] }, strategy: 'sha256' },
      { match: { phiClasses: ['date'], types: ['DATE'] }, strategy: 'date_year_mask' },
      { match: { phiClasses: ['address'] }, strategy: 'zip3' },
    ],
    phiDefault: 'nullify',
  });

  it('applies the first matching rule per column: glob, name pattern, policy tag, class and type', () => {
    const { rows } = maskResult(clinician, input, KEYS);
    assert.deepEqual(rows[0], {
      patient_id: 'P000001',
      ssn: 'XXXXX1324',
      email: 'XXXXX@example.com',
      phone: null,
      mrn: hmac('95391962'),
      birth_date: '1945-01-01',
      zip: '495',
      // An alias whose lineage is known gets the rule of its source column.
      x: 'XXXXX1324',
    });
  });

  it('safe-harbor replaces identifiers with tags, keeps years and ZIP3', () => {
    const { rows } = maskResult(SAFE, input, KEYS);
    assert.deepEqual(rows[0], {
      patient_id: 'P000001',
      ssn: '[SSN]',
      email: '[EMAIL]',
      phone: '[PHONE]',
      mrn: '[MRN]',
      birth_date: '1945-01-01',
      zip: '495',
      x: '[SSN]',
    });
  });

  it('safe-harbor nulls dates indicating an age over 89', () => {
    const { rows } = maskResult(
      SAFE,
      { ...input, rows: [{ ...input.rows[0]!, birth_date: '1930-02-01' }] },
      KEYS,
    );
    assert.equal(rows[0]!['birth_date'], null);
  });

  it('summarises masked columns and detector counts without values', () => {
    const { summary } = maskResult(SAFE, input, KEYS);
    assert.equal(summary.profile, 'safe-harbor');
    assert.deepEqual(
      summary.columns.map((c) => `${c.column}:${c.strategy}`),
      [
        'ssn:replace',
        'email:replace',
        'phone:replace',
        'mrn:replace',
        'birth_date:date_year_mask',
        'zip:zip3',
        'x:replace',
      ],
    );
    const text = JSON.stringify(summary);
    for (const v of Object.values(input.rows[0]!))
      if (v !== 'P000001') assert.ok(!text.includes(String(v)), String(v));
  });

  it('none returns every value unchanged', () => {
    const { rows, summary } = maskResult(NONE, input, KEYS);
    assert.deepEqual(rows, input.rows);
    assert.deepEqual([summary.columns, summary.detectors, summary.flags], [[], [], []]);
  });

  it('does not modify its input and is deterministic', () => {
    const copy = structuredClone(input);
    const a = maskResult(clinician, input, KEYS);
    const b = maskResult(clinician, input, KEYS);
    assert.deepEqual(input, copy);
    assert.deepEqual(a, b);
  });
});

describe('maskResult content detectors', () => {
  it('catches an alias without lineage (SELECT ssn AS x) by content and column name', () => {
    const input: MaskingInput = {
      schema: [col('x'), col('social_security_number'), col('n', 'INT64')],
      rows: [{ x: '071-34-1324', social_security_number: '071341324', n: '42' }],
    };
    const { rows, summary } = maskResult(SAFE, input, KEYS);
    assert.deepEqual(rows[0], { x: '[SSN]', social_security_number: '[SSN]', n: '42' });
    // `x` says nothing, so its values are profiled: a column of SSNs is masked as one, by a column rule.
    assert.deepEqual(summary.detectors, [{ kind: 'ssn', count: 1 }]);
    assert.deepEqual(summary.columns, [{ column: 'x', strategy: 'replace', phiClass: 'ssn' }]);
  });

  it('scrubs free text, and names from the row’s name columns are found in it', () => {
    const input: MaskingInput = {
      schema: [col('first_name'), col('last_name'), col('note_text')],
      rows: [
        {
          first_name: 'Angela',
          last_name: 'Torres',
          note_text: 'Angela called from 616-273-4213 on 3/4/2024 about her Torres family history.',
        },
      ],
      columns: {
        first_name: { phiClass: 'name' },
        last_name: { phiClass: 'name' },
        note_text: { phiClass: 'free_text' },
      },
    };
    const { rows, summary } = maskResult(SAFE, input, KEYS);
    assert.deepEqual(rows[0], {
      first_name: '[NAME]',
      last_name: '[NAME]',
      note_text: '[NAME] called from [PHONE] on [DATE] about her [NAME] family history.',
    });
    assert.deepEqual(summary.detectors, [
      { kind: 'date', count: 1 },
      { kind: 'name', count: 2 },
      { kind: 'phone', count: 1 },
    ]);
    assert.ok(summary.columns.some((c) => c.column === 'note_text' && c.strategy === 'scrub'));
  });

  it('year-masks a typed date found by content, keeping its type', () => {
    const input: MaskingInput = {
      schema: [col('d', 'DATE'), col('t', 'TIMESTAMP')],
      rows: [{ d: '2020-10-26', t: '2020-10-26T14:18:41.000000Z' }],
      asOf: '2025-06-30',
    };
    assert.deepEqual(maskResult(SAFE, input, KEYS).rows[0], {
      d: '2020-01-01',
      t: '2020-01-01T00:00:00.000000Z',
    });
  });

  it('flags biometric mentions and images without masking them', () => {
    const input: MaskingInput = {
      schema: [col('note'), col('photo', 'BYTES')],
      rows: [{ note: 'Fingerprint scan on file.', photo: `iVBORw0KGgo${'A'.repeat(80)}` }],
    };
    const { rows, summary } = maskResult(SAFE, input, KEYS);
    assert.deepEqual(rows, input.rows);
    assert.deepEqual(summary.flags, ['biometric', 'image']);
  });

  it('runs scrub columns even when the profile turns detection off', () => {
    const p = profile({
      rules: [{ match: { namePattern: '^note$' }, strategy: 'scrub' }],
      detectors: { enabled: false },
    });
    const input: MaskingInput = {
      schema: [col('note'), col('other')],
      rows: [{ note: 'SSN 123-45-6789', other: 'SSN 123-45-6789' }],
    };
    assert.deepEqual(maskResult(p, input, KEYS).rows[0], { note: 'SSN [SSN]', other: 'SSN 123-45-6789' });
  });
});

describe('maskResult nested and JSON values', () => {
  const schema: ColumnSchema[] = [
    {
      name: 'person',
      type: 'RECORD',
      fields: [
        col('ssn'),
        col('comment'),
        { name: 'address', type: 'RECORD', fields: [col('zip'), col('street')] },
        { name: 'phones', type: 'STRING', mode: 'REPEATED' },
      ],
    },
    { name: 'visits', type: 'RECORD', mode: 'REPEATED', fields: [col('date', 'DATE'), col('note')] },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    col('payload', 'JSON'),
  ];
  const row: Record<string, Cell> = {
    person: {
      ssn: '071-34-1324',
      comment: 'prefers e-mail jane@example.com',
      address: { zip: '83001', street: '1002 Sunset Dr' },
      phones: ['616-273-4213', 'none'],
    },
    visits: [
      { date: '2021-04-05', note: 'seen by Dr. Ana Lee' },
      { date: '2022-06-07', note: 'no issues' },
    ],
    tags: ['vip', 'MRN: 12345678'],
    payload:
      '{"ssn":"071341324","contact":{"note":"call 616-273-4213"},"count":12345678901234567890,"ok":true}',
  };
  const columns = {
    person: { table: TABLE, sourceColumn: 'person' },
    'person.ssn': { phiClass: 'ssn' },
    'person.address': { phiClass: 'address' },
    tags: { phiClass: 'free_text' },
  };
  const p = profile({
    rules: [
      { match: { namePattern: '^zip$' }, strategy: 'zip3' },
      { match: { columns: ['demo.clinical.patients.person.ssn'] }, strategy: 'last_four' },
      { match: { namePattern: '^phones$' }, strategy: 'nullify' },
      { match: { namePattern: '^tags$' }, strategy: 'scrub' },
    ],
    phiDefault: 'replace',
  });

  it('masks STRUCT leaves by their dotted path, ARRAY elements, and scans the rest', () => {
    const { rows, summary } = maskResult(p, { schema, rows: [row], columns, asOf: '2025-06-30' }, KEYS);
    const out = rows[0]!;
    assert.deepEqual(out['person'], {
      ssn: 'XXXXX1324',
      comment: 'prefers e-mail [EMAIL]',
      address: { zip: '000', street: '[ADDRESS]' },
      phones: [],
    });
    assert.deepEqual(out['visits'], [
      { date: '2021-01-01', note: 'seen by Dr. [NAME]' },
      { date: '2022-01-01', note: 'no issues' },
    ]);
    assert.deepEqual(out['tags'], ['vip', 'MRN: [MRN]']);
    assert.deepEqual(
      summary.columns.map((c) => `${c.column}:${c.strategy}`),
      [
        'person.ssn:last_four',
        'person.address.zip:zip3',
        'person.address.street:replace',
        'person.phones:nullify',
        'tags:scrub',
      ],
    );
  });

  it('parses JSON strings, masks their strings (keys give context) and keeps numbers exact', () => {
    const { rows } = maskResult(p, { schema, rows: [row], columns }, KEYS);
    assert.equal(
      rows[0]!['payload'],
      '{"ssn":"[SSN]","contact":{"note":"call [PHONE]"},"count":12345678901234567890,"ok":true}',
    );
  });

  it('returns JSON untouched (same text) when nothing is found, and scans invalid JSON as text', () => {
    const input: MaskingInput = {
      schema: [col('a', 'JSON'), col('b', 'JSON')],
      rows: [{ a: '{ "n" : 1.50, "s": "fine" }', b: '{not json, SSN 123-45-6789' }],
    };
    assert.deepEqual(maskResult(SAFE, input, KEYS).rows[0], {
      a: '{ "n" : 1.50, "s": "fine" }',
      b: '{not json, SSN [SSN]',
    });
  });

  it('keeps a JSON key named __proto__ as data, masked', () => {
    const input: MaskingInput = {
      schema: [col('j', 'JSON')],
      rows: [{ j: '{"__proto__":{"ssn":"123-45-6789"}}' }],
    };
    assert.equal(maskResult(SAFE, input, KEYS).rows[0]!['j'], '{"__proto__":{"ssn":"[SSN]"}}');
  });

  it('masks JSON values the adapter already parsed, keys giving context', () => {
    const input: MaskingInput = {
      schema: [col('j', 'JSON')],
      rows: [{ j: { mrn: '95391962', items: ['call 617-273-4213'], n: 3 } }],
    };
    assert.deepEqual(maskResult(SAFE, input, KEYS).rows[0], {
      j: { mrn: '[MRN]', items: ['call [PHONE]'], n: 3 },
    });
  });

  it('withholds a scalar where a STRUCT of masked fields was declared', () => {
    const input: MaskingInput = {
      schema: [{ name: 's', type: 'RECORD', fields: [col('ssn')] }],
      rows: [{ s: '123456789' }],
      columns: { 's.ssn': { phiClass: 'ssn' } },
    };
    const hashing = profile({
      rules: [{ match: { phiClasses: ['ssn'] }, strategy: 'sha256' }],
      detectors: { enabled: false },
    });
    assert.deepEqual(maskResult(hashing, input, KEYS).rows[0], { s: null });
    assert.deepEqual(maskResult(NONE, input, KEYS).rows[0], { s: '123456789' });
  });

  it('masks values whose shape disagrees with the schema instead of passing them through', () => {
    const input: MaskingInput = {
      schema: [col('ssn'), { name: 's', type: 'RECORD', fields: [col('a')] }],
      rows: [{ ssn: ['123-45-6789', { deep: '123-45-6789' }], s: 'SSN 123-45-6789' }],
      columns: { ssn: { phiClass: 'ssn' } },
    };
    assert.deepEqual(maskResult(SAFE, input, KEYS).rows[0], {
      ssn: ['[SSN]', { deep: '[SSN]' }],
      s: 'SSN [SSN]',
    });
  });
});

describe('maskResult date shift', () => {
  const p = profile({
    rules: [
      {
        match: { phiClasses: ['date'] },
        strategy: { type: 'date_shift', maxDays: 100, patientKey: 'patient_id' },
      },
    ],
  });
  it('shifts all dates of one patient by the same days, found through an aliased key column', () => {
    const input: MaskingInput = {
      schema: [col('pid'), col('admit', 'DATE'), col('discharge', 'DATE')],
      rows: [
        { pid: 'P1', admit: '2020-01-01', discharge: '2020-01-05' },
        { pid: 'P1', admit: '2021-06-01', discharge: null },
        { pid: null, admit: '2021-06-01', discharge: '2021-06-02' },
      ],
      columns: {
        pid: { sourceColumn: 'patient_id' },
        admit: { phiClass: 'date' },
        discharge: { phiClass: 'date' },
      },
    };
    const { rows } = maskResult(p, input, KEYS);
    const days = dateShiftDays(hmac, 100, 'P1');
    const shifted = (d: string): string =>
      new Date(Date.parse(d) + days * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(rows, [
      { pid: 'P1', admit: shifted('2020-01-01'), discharge: shifted('2020-01-05') },
      { pid: 'P1', admit: shifted('2021-06-01'), discharge: null },
      { pid: null, admit: null, discharge: null },
    ]);
  });
});

describe('maskResult fails closed', () => {
  const input: MaskingInput = {
    schema: [col('ssn')],
    rows: [{ ssn: '123-45-6789' }],
    columns: { ssn: { phiClass: 'ssn' } },
  };
  const hashing = profile({ rules: [{ match: { phiClasses: ['ssn'] }, strategy: 'sha256' }] });
  const cases: { name: string; run: () => unknown; reason: string; kind: string }[] = [
    {
      name: 'without the key a strategy needs',
      run: () => maskResult(hashing, input, {}),
      reason: 'missing_key',
      kind: 'internal',
    },
    {
      name: 'with a key too short',
      run: () => maskResult(hashing, input, { hmacKey: new Uint8Array(8) }),
      reason: 'missing_key',
      kind: 'internal',
    },
    {
      name: 'without asOf when dates must be aggregated over 89',
      run: () =>
        maskResult(
          SAFE,
          { schema: [col('d', 'DATE')], rows: [], columns: { d: { phiClass: 'date' } } },
          KEYS,
        ),
      reason: 'missing_as_of',
      kind: 'internal',
    },
    {
      name: 'on a malformed row',
      run: () =>
        maskResult(SAFE, { schema: [col('a')], rows: [null as unknown as Record<string, Cell>] }, KEYS),
      reason: 'invalid_input',
      kind: 'internal',
    },
    {
      name: 'on a malformed schema',
      run: () => maskResult(SAFE, { schema: [{ name: 'a' } as ColumnSchema], rows: [] }, KEYS),
      reason: 'invalid_input',
      kind: 'internal',
    },
    {
      name: 'for an unknown profile',
      run: () => resolveMaskingProfile('nope', {}),
      reason: 'unknown_profile',
      kind: 'failed_precondition',
    },
  ];
  for (const c of cases) {
    it(`throws MaskingError ${c.name}`, () => {
      assert.throws(c.run, (err: unknown) => {
        assert.ok(err instanceof MaskingError);
        assert.equal(err.reason, c.reason);
        assert.equal(err.kind, c.kind);
        return true;
      });
    });
  }

  it('turns an unexpected failure into a MaskingError that quotes no value', () => {
    const secret = '123-45-6789';
    const row = {
      get ssn(): Cell {
        throw new Error(`boom ${secret}`);
      },
    } as unknown as Record<string, Cell>;
    assert.throws(
      () => maskResult(SAFE, { schema: [col('ssn')], rows: [row] }, KEYS),
      (err: unknown) => {
        assert.ok(err instanceof MaskingError);
        assert.equal(err.reason, 'internal');
        assert.ok(!err.message.includes(secret));
        assert.equal(err.cause, undefined);
        return true;
      },
    );
  });

  it('resolves policy profiles by name, built-ins first', () => {
    const profiles = { analyst: MaskingProfileSchema.parse({}) };
    assert.equal(resolveMaskingProfile('analyst', profiles).name, 'analyst');
    assert.equal(resolveMaskingProfile('safe-harbor', profiles).name, 'safe-harbor');
    assert.equal(resolveMaskingProfile('analyst', profiles), resolveMaskingProfile('analyst', profiles));
  });
});

describe('column profiles: columns whose name says nothing', () => {
  const bare = (values: string[], name = 'field_3', profile = SAFE) =>
    maskResult(profile, { schema: [col(name)], rows: values.map((v) => ({ [name]: v })) }, KEYS);

  const masked: { name: string; values: string[]; tag: string; phiClass: string }[] = [
    {
      name: 'single given names',
      values: ['Saoirse', 'Bartłomiej', 'Ηλίας', 'Tuğba'],
      tag: '[NAME]',
      phiClass: 'name',
    },
    {
      name: 'full names with particles',
      values: ['Anouk van der Meer', 'Luca Bianchi'],
      tag: '[NAME]',
      phiClass: 'name',
    },
    {
      name: 'bare ZIP codes',
      values: ['60614', '021153410', '94110-2231'],
      tag: '[ADDRESS]',
      phiClass: 'address',
    },
    {
      name: 'record numbers',
      values: ['KQ7730021', 'MR-0044821', 'A1234567B'],
      tag: '[MRN]',
      phiClass: 'mrn',
    },
    {
      name: 'streets written number last',
      values: ['Kongensgade 7', 'Rua Augusta 120'],
      tag: '[ADDRESS]',
      phiClass: 'address',
    },
    {
      name: 'national phone numbers',
      values: ['0711 234567', '+45 32 11 22 33'],
      tag: '[CONTACT]',
      phiClass: 'contact',
    },
  ];
  for (const c of masked)
    it(`masks a whole column of ${c.name}`, () => {
      const { rows, summary } = bare(c.values);
      assert.deepEqual(
        rows.map((r) => r['field_3']),
        c.values.map(() => c.tag),
      );
      assert.deepEqual(summary.columns, [{ column: 'field_3', strategy: 'replace', phiClass: c.phiClass }]);
    });

  it('masks the few values of other shapes in a column of names with the rest (fail closed)', () => {
    const { rows } = bare(['Maja Lind', 'Oskar Berg', 'Elsa Holm', 'unknown']);
    assert.deepEqual(new Set(rows.map((r) => r['field_3'])), new Set(['[NAME]']));
  });

  it('keeps a column of measurements, sentences and categories under a name that says nothing', () => {
    for (const values of [
      ['12.5', '7', '0.9', '140'],
      ['Pain improved after rest.', 'Tolerating diet well.'],
      Array.from({ length: 40 }, (_, i) => ['Final', 'Preliminary', 'Amended'][i % 3]!),
    ])
      assert.deepEqual(
        bare(values).rows.map((r) => r['field_3']),
        values,
      );
  });

  it('does not profile a column whose name says what it holds', () => {
    const { rows } = bare(['Oxygen', 'Argon', 'Neon'], 'element');
    assert.deepEqual(
      rows.map((r) => r['element']),
      ['Oxygen', 'Argon', 'Neon'],
    );
  });

  it('profiles nothing under the none profile', () => {
    const { rows } = bare(['Saoirse', 'Bartłomiej'], 'field_3', resolveMaskingProfile('none'));
    assert.deepEqual(
      rows.map((r) => r['field_3']),
      ['Saoirse', 'Bartłomiej'],
    );
  });

  it('tells placeholder names from names that say something', () => {
    for (const name of ['field_7', 'col3', 'f0_', '_col1', 'value', 'dataValue', 'x'])
      assert.ok(isGenericColumnName(name), name);
    for (const name of ['element', 'status', 'dose_mg', 'drug', 'notes'])
      assert.ok(!isGenericColumnName(name), name);
  });

  // Name evidence: capitalised words of things (products, departments, drugs, elements, specialties) are not
  // people, however name-shaped; a list of people whose names are also words stays a list of people.
  const things = [
    {
      name: 'product names',
      values: [
        'Recycled Concrete Keyboard',
        'Ergonomic Granite Chair',
        'Sleek Steel Mouse',
        'Handmade Cotton Towels',
      ],
    },
    { name: 'departments', values: ['Electronics', 'Garden', 'Toys', 'Grocery', 'Automotive'] },
    { name: 'drug names', values: ['Atorvastatin', 'Lisinopril', 'Omeprazole', 'Metformin', 'Adalimumab'] },
    { name: 'chemical elements', values: ['Lithium', 'Hydrogen', 'Potassium', 'Ytterbium', 'Nitrogen'] },
    {
      name: 'specialties',
      values: ['Cardiology', 'Pediatrics', 'Internal Medicine', 'Radiology', 'Urology'],
    },
  ];
  for (const c of things)
    it(`keeps a column of ${c.name} under a name that says nothing`, () =>
      assert.equal(profileColumn(c.values), undefined));

  it('still reads a column of people as names when some of them are also words', () => {
    assert.equal(
      profileColumn([
        'Rose Baker',
        'Jana Arens',
        'Tomás Ruiz',
        'Grace Hill',
        'Ölvir Ek',
        'Li Wei',
        'Aoife Byrne',
      ]),
      'name',
    );
  });

  it('needs most values to be of PHI shapes', () => {
    assert.equal(profileColumn(['60614', 'n/a', 'none', 'pending', 'see note']), undefined);
    assert.equal(profileColumn(['60614', '60615', '60616', 'pending']), 'address');
    assert.equal(profileColumn([]), undefined);
  });
});
