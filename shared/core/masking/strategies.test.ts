// Tests for the column masking strategies, with BigQuery dynamic data masking parity examples.

import assert from 'node:assert/strict';
import type { Cell } from '../../ports/warehouse.ts';
import type { MaskingStrategy } from './profile.ts';
import {
  ageOver89,
  cellMasker,
  dateShiftDays,
  defaultValue,
  emailMask,
  firstFour,
  hmacHex,
  lastFour,
  MaskingStrategySchema,
  needsKey,
  STRATEGIES,
  STRATEGY_TYPES,
  type StrategyEnv,
  type StrategyRecord,
  yearMask,
  zip3,
} from './strategies.ts';

const KEY = new Uint8Array(32).fill(1);
const hmac = hmacHex(KEY);
const env: StrategyEnv = { hmac, asOfYear: 2025 };

describe('hmacHex', () => {
  it('is HMAC-SHA256 under the key, lower-case hex (RFC 4231 test case 2)', () => {
    const h = hmacHex(new TextEncoder().encode('Jefe'));
    assert.equal(
      h('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
  it('hashes keys longer than a block first (RFC 4231 test case 6)', () => {
    const h = hmacHex(new Uint8Array(131).fill(0xaa));
    assert.equal(
      h('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });
  it('handles values longer than its buffer and non-ASCII text', () => {
    const long = 'é'.repeat(500);
    assert.equal(hmac(long), hmacHex(KEY)(long));
    assert.notEqual(hmac(long), hmac(`${long}x`));
  });
  it('depends on the key', () => assert.notEqual(hmacHex(new Uint8Array(32).fill(2))('x'), hmac('x')));
});

describe('defaultValue (BigQuery default masking values)', () => {
  const cases: { type: string; want: Cell }[] = [
    { type: 'STRING', want: '' },
    { type: 'BYTES', want: '' },
    { type: 'INT64', want: '0' },
    { type: 'INTEGER', want: '0' },
    { type: 'NUMERIC', want: '0' },
    { type: 'BIGNUMERIC', want: '0' },
    { type: 'FLOAT64', want: 0 },
    { type: 'FLOAT', want: 0 },
    { type: 'BOOL', want: false },
    { type: 'BOOLEAN', want: false },
    { type: 'DATE', want: '1970-01-01' },
    { type: 'DATETIME', want: '1970-01-01T00:00:00' },
    { type: 'TIMESTAMP', want: '1970-01-01T00:00:00.000000Z' },
    { type: 'TIME', want: '00:00:00' },
    { type: 'GEOGRAPHY', want: 'POINT(0 0)' },
    { type: 'JSON', want: null },
  ];
  for (const c of cases)
    it(`is ${JSON.stringify(c.want)} for ${c.type}`, () => assert.equal(defaultValue(c.type), c.want));
});

describe('character masks (BigQuery parity)', () => {
  it('last four: XXXXX and the last four characters', () => {
    assert.equal(lastFour('123-45-6789', hmac), 'XXXXX6789');
    assert.equal(lastFour('12345', hmac), 'XXXXX2345');
  });
  it('first four: the first four characters and XXXXX', () => {
    assert.equal(firstFour('123-45-6789', hmac), '123-XXXXX');
    assert.equal(firstFour('abcde', hmac), 'abcdXXXXX');
  });
  it('hashes values of four characters or fewer, as BigQuery does', () => {
    assert.equal(lastFour('1234', hmac), hmac('1234'));
    assert.equal(firstFour('ab', hmac), hmac('ab'));
    assert.match(lastFour('', hmac), /^[0-9a-f]{64}$/);
  });
  it('email mask: XXXXX@domain for valid addresses, the hash otherwise', () => {
    assert.equal(emailMask('cloudysanfrancisco@gmail.com', hmac), 'XXXXX@gmail.com');
    assert.equal(emailMask('jane.doe@mail.example.org', hmac), 'XXXXX@mail.example.org');
    assert.equal(emailMask('not an email', hmac), hmac('not an email'));
    assert.equal(emailMask('a@b', hmac), hmac('a@b'));
  });
});

describe('Safe Harbor generalisations', () => {
  const zips = [
    { in: '49503', out: '495' },
    { in: '02139-4307', out: '021' },
    { in: '021394307', out: '021' },
    { in: '03603', out: '000' },
    { in: '82190', out: '000' },
    { in: '89301', out: '000' },
    { in: '102', out: '000' },
    { in: 'ABCDE', out: undefined },
    { in: '1234', out: undefined },
  ];
  for (const c of zips) it(`ZIP3 of ${c.in} is ${c.out}`, () => assert.equal(zip3(c.in), c.out));
  const ages: { in: Cell; out: Cell | undefined }[] = [
    { in: 89, out: 89 },
    { in: 90, out: '90+' },
    { in: 104, out: '90+' },
    { in: '95', out: '90+' },
    { in: '42', out: '42' },
    { in: 89.5, out: '90+' },
    { in: 'old', out: undefined },
    { in: Number.NaN, out: undefined },
  ];
  for (const c of ages)
    it(`age ${String(c.in)} → ${String(c.out)}`, () => assert.equal(ageOver89(c.in), c.out));
  it('year mask nulls years indicating an age over 89 when asked', () => {
    assert.equal(yearMask('1935-06-01', 'nullify', 2025), null);
    assert.equal(yearMask('1936-06-01', 'nullify', 2025), '1936-01-01');
    assert.equal(yearMask('1935-06-01', 'keep', 2025), '1935-01-01');
    assert.equal(yearMask('1990-06-01', 'nullify', undefined), null);
    assert.equal(yearMask('yesterday', 'keep', 2025), null);
  });
});

describe('dateShiftDays', () => {
  it('is the same for a patient and never zero, within ±maxDays', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const d = dateShiftDays(hmac, 30, `P${i}`);
      assert.ok(d !== 0 && d >= -30 && d <= 30, String(d));
      assert.equal(dateShiftDays(hmac, 30, `P${i}`), d);
      seen.add(d);
    }
    assert.ok(seen.size > 50, 'shifts should spread over the range');
  });
  it('changes with the key', () => {
    const other = hmacHex(new Uint8Array(32).fill(9));
    const differ = Array.from(
      { length: 20 },
      (_, i) => dateShiftDays(hmac, 365, `P${i}`) !== dateShiftDays(other, 365, `P${i}`),
    );
    assert.ok(differ.filter(Boolean).length > 15);
  });
});

describe('cellMasker', () => {
  const mask = (
    strategy: MaskingStrategy,
    type: string,
    value: Cell,
    row: Record<string, Cell> = {},
    tag = '[SSN]',
  ): Cell => {
    const fn = cellMasker(strategy, type, tag, env, { column: 'patient_id' });
    assert.ok(fn, `${strategy.type} should mask`);
    return fn(value, row);
  };
  const cases: { name: string; strategy: MaskingStrategy; type: string; value: Cell; want: Cell }[] = [
    { name: 'nullify', strategy: { type: 'nullify' }, type: 'STRING', value: '123-45-6789', want: null },
    {
      name: 'default value of INT64',
      strategy: { type: 'default_value' },
      type: 'INT64',
      value: '42',
      want: '0',
    },
    {
      name: 'default value of DATE',
      strategy: { type: 'default_value' },
      type: 'DATE',
      value: '1952-03-14',
      want: '1970-01-01',
    },
    {
      name: 'sha256 of a string',
      strategy: { type: 'sha256' },
      type: 'STRING',
      value: 'abc',
      want: hmac('abc'),
    },
    { name: 'sha256 of a number', strategy: { type: 'sha256' }, type: 'INT64', value: 12, want: hmac('12') },
    {
      name: 'last four',
      strategy: { type: 'last_four' },
      type: 'STRING',
      value: '123-45-6789',
      want: 'XXXXX6789',
    },
    {
      name: 'first four',
      strategy: { type: 'first_four' },
      type: 'STRING',
      value: '4111111111111111',
      want: '4111XXXXX',
    },
    {
      name: 'email mask',
      strategy: { type: 'email_mask' },
      type: 'STRING',
      value: 'a.b@example.com',
      want: 'XXXXX@example.com',
    },
    {
      name: 'date year mask of a DATE',
      strategy: { type: 'date_year_mask', over89: 'keep' },
      type: 'DATE',
      value: '2076-05-04',
      want: '2076-01-01',
    },
    {
      name: 'date year mask of a TIMESTAMP',
      strategy: { type: 'date_year_mask', over89: 'keep' },
      type: 'TIMESTAMP',
      value: '2076-05-04T10:11:12.000000Z',
      want: '2076-01-01T00:00:00.000000Z',
    },
    {
      name: 'date year mask of a non-date',
      strategy: { type: 'date_year_mask', over89: 'keep' },
      type: 'STRING',
      value: 'n/a',
      want: null,
    },
    {
      name: 'replace with the column tag',
      strategy: { type: 'replace' },
      type: 'STRING',
      value: '123-45-6789',
      want: '[SSN]',
    },
    {
      name: 'replace with an explicit tag',
      strategy: { type: 'replace', tag: '***' },
      type: 'STRING',
      value: 'x',
      want: '***',
    },
    { name: 'zip3', strategy: { type: 'zip3' }, type: 'STRING', value: '83001', want: '000' },
    { name: 'zip3 of a non-ZIP', strategy: { type: 'zip3' }, type: 'STRING', value: 'n/a', want: null },
    { name: 'age over 89', strategy: { type: 'age_over_89' }, type: 'INT64', value: '93', want: '90+' },
  ];
  for (const c of cases)
    it(`masks with ${c.name}`, () => assert.deepEqual(mask(c.strategy, c.type, c.value), c.want));

  it('keeps values for keep and scrub (detectors may still change them)', () => {
    assert.equal(cellMasker({ type: 'keep' }, 'STRING', '', env, { column: undefined }), undefined);
    assert.equal(cellMasker({ type: 'scrub' }, 'STRING', '', env, { column: undefined }), undefined);
  });

  it('shifts every date of a patient by the same days, and other patients differently', () => {
    const strategy: MaskingStrategy = {
      type: 'date_shift',
      maxDays: 365,
      patientKey: 'patient_id',
      withoutKey: 'nullify',
    };
    const a1 = mask(strategy, 'DATE', '2020-01-01', { patient_id: 'P1' }) as string;
    const a2 = mask(strategy, 'DATE', '2020-01-11', { patient_id: 'P1' }) as string;
    assert.equal((Date.parse(a2) - Date.parse(a1)) / 86_400_000, 10);
    const days = dateShiftDays(hmac, 365, 'P1');
    assert.equal((Date.parse(a1) - Date.parse('2020-01-01')) / 86_400_000, days);
    const others = ['P2', 'P3', 'P4', 'P5'].map((p) =>
      mask(strategy, 'DATE', '2020-01-01', { patient_id: p }),
    );
    assert.ok(others.some((o) => o !== a1));
  });

  it('falls back when the row has no patient key', () => {
    const nullify: MaskingStrategy = {
      type: 'date_shift',
      maxDays: 30,
      patientKey: 'patient_id',
      withoutKey: 'nullify',
    };
    assert.equal(mask(nullify, 'DATE', '2020-05-05', { patient_id: null }), null);
    const year: MaskingStrategy = {
      type: 'date_shift',
      maxDays: 30,
      patientKey: 'patient_id',
      withoutKey: 'date_year_mask',
    };
    assert.equal(mask(year, 'DATE', '2020-05-05', {}), '2020-01-01');
    const noColumn = cellMasker(year, 'DATE', '', env, { column: undefined });
    assert.equal(noColumn?.('2020-05-05', { patient_id: 'P1' }), '2020-01-01');
  });
});

describe('STRATEGIES', () => {
  it('holds every strategy name once, each under the name its schema accepts', () => {
    assert.deepEqual(Object.keys(STRATEGIES), [...STRATEGY_TYPES]);
    for (const t of STRATEGY_TYPES) assert.equal(STRATEGIES[t].schema.parse({ type: t }).type, t);
  });

  it('marks exactly the keyed strategies as needing the masking key', () => {
    const keyed = STRATEGY_TYPES.filter((t) => needsKey(MaskingStrategySchema.parse(t)));
    assert.deepEqual(keyed, ['sha256', 'last_four', 'first_four', 'email_mask', 'date_shift']);
  });

  it('fails the build when a strategy is missing from the record or filed under another name', () => {
    // tsc checks this file (`npm run check`): each line below must be a type error, or the build fails.
    const { zip3: _zip3, ...withoutZip3 } = STRATEGIES;
    // @ts-expect-error a strategy name without its module in the record
    const incomplete: StrategyRecord = withoutZip3;
    // @ts-expect-error a module filed under another strategy's name
    const misfiled: StrategyRecord = { ...STRATEGIES, zip3: STRATEGIES.keep };
    assert.equal('zip3' in incomplete, false);
    assert.equal(misfiled.zip3, STRATEGIES.keep);
  });
});
