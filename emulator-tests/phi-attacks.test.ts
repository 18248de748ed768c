// The PHI attack corpus (phi-attacks/corpus.ts) through the local stack as every role it names, judged by the leak oracle (phi-attacks/oracle.ts); the same SQL straight against the warehouse must leak, so the checks can fail.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { parse } from 'yaml';
import { generateDataset, type PlantedIdentifier } from '../dev/synthetic/generate.ts';
import { BigQueryWarehouse } from '../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../shared/adapters/clients.ts';
import { TEST_PATIENTS, theStack, tokenFor } from './harness.ts';
import {
  ATTACK_CLASSES,
  type AttackCase,
  CORPUS,
  type Expectation,
  ROLES,
  type Role,
  STAND_IN_GAPS,
} from './phi-attacks/corpus.ts';
import { farmFingerprint } from './phi-attacks/farmhash.ts';
import { isYearMask, type Leak, LeakOracle, releasedValues } from './phi-attacks/oracle.ts';

const P = 'demo-warden';
// The stack seeds this same dataset (emulator-tests/harness.ts), so the generator knows what it planted.
const dataset = generateDataset({ seed: 'emulator-tests', patients: TEST_PATIENTS, projectId: P });
const oracle = new LeakOracle(dataset);

interface PolicyDoc {
  defaults: { rowLimit: number };
  rules: { id: string; rowLimit?: number }[];
}
const policy = parse(readFileSync(new URL('../dev/policy.yaml', import.meta.url), 'utf8')) as PolicyDoc;
const rowLimitOf = (rule: string): number =>
  policy.rules.find((r) => r.id === rule)?.rowLimit ?? policy.defaults.rowLimit;

/** Who plays each role, what it may never receive, and how many values one call may release (dev/policy.yaml). */
const ROLE_SETUP: Record<
  Role,
  { email: string; limit: number; forbidden: (p: PlantedIdentifier) => boolean; summary: string }
> = {
  'research-analysts': {
    email: 'rhea@research.example.org',
    limit: rowLimitOf('deidentified-analytics'),
    // Safe Harbor keeps years (a date masked to its year) and ZIP3, which the oracle never reports as a ZIP.
    forbidden: (p) => !isYearMask(p),
    summary: 'no planted identifier in any encoding; refused where it predicates on masked PHI',
  },
  clinicians: {
    email: 'cara@example.org',
    limit: rowLimitOf('clinicians-read-clinical'),
    forbidden: (p) => p.kind === 'ssn',
    summary: 'no planted SSN in any encoding, limited values; refused where it predicates on the SSN',
  },
  'er-physicians': {
    email: 'eli@example.org',
    limit: rowLimitOf('er-break-glass'),
    forbidden: () => false,
    summary: 'break-glass rows within the row limit',
  },
  analysts: {
    email: 'ann@example.org',
    limit: 0,
    forbidden: () => true,
    summary: 'never data: refused or parked, and refused outright when it touches SSNs',
  },
};

/** What one call came back as. */
type Outcome =
  | { kind: 'refused'; text: string; shown: string }
  | { kind: 'parked'; text: string; shown: string }
  | { kind: 'rows'; rows: Record<string, unknown>[]; text: string; shown: string }
  | { kind: 'schema-invalid'; text: string; shown: string }
  | { kind: 'transport-error'; text: string; shown: string };

const first200 = (v: unknown): string =>
  (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).slice(0, 200);

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

/** Leaks in a line: kinds, how they came back, one place and value, e.g. `ssn ×200 (as is → digits at [0].ssn, e.g. …)`. */
function describeLeaks(leaks: Leak[]): string {
  const byKind = new Map<string, Leak[]>();
  for (const l of leaks) byKind.set(l.identifier.kind, [...(byKind.get(l.identifier.kind) ?? []), l]);
  return [...byKind]
    .map(([kind, ls]) => {
      const values = new Set(ls.map((l) => l.identifier.value)).size;
      // The plainest ways first: the same value is often found again through a decoding that changed nothing.
      const how = [...new Set(ls.map((l) => l.encoding))]
        .sort((a, b) => a.length - b.length)
        .slice(0, 2)
        .join('; ');
      return `${kind} ×${values} (${how} at ${ls[0]!.path}, e.g. ${ls[0]!.identifier.value})`;
    })
    .join(', ');
}

/**
 * An answer's text without the policy hash, request ids and clock times it names (random hex and the time of the
 * run, no data: a parked request's `expiresAt`, reversed and read as digits, once matched a planted device id).
 */
function withoutNoise(text: string): string {
  return text
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')
    .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '…')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '…');
}

/** Everything in an outcome that could carry data, scanned for the identifiers `role` may not see. */
function leaksIn(o: Outcome, role: Role): { leaks: Leak[]; crowdedExtra: number } {
  const forbidden = ROLE_SETUP[role].forbidden;
  const found: Leak[] = [];
  let crowdedExtra = 0;
  if (o.kind === 'rows') {
    const scan = oracle.scan(o.rows);
    found.push(...scan.leaks);
    for (const n of scan.crowded.values()) crowdedExtra += n - 1;
    // The text content normally repeats structuredContent as JSON; anything else in it is scanned too.
    if (!o.text.trimStart().startsWith('{')) found.push(...oracle.scan(o.text).leaks);
  } else found.push(...oracle.scan(withoutNoise(o.text)).leaks);
  return { leaks: found.filter((l) => forbidden(l.identifier)), crowdedExtra };
}

/** Why an outcome breaks the case's expectation for `role`, or undefined when it holds. */
function judge(c: AttackCase, role: Role, o: Outcome): string | undefined {
  const expect = c.expect[role] as Expectation;
  const problems: string[] = [];
  if (o.kind === 'schema-invalid')
    problems.push(`the result does not match execute_sql's output schema (${o.text})`);
  if (o.kind === 'transport-error') problems.push(`the call failed outside MCP (${o.text})`);
  const { leaks, crowdedExtra } = leaksIn(o, role);
  if (leaks.length > 0) problems.push(`leaked ${describeLeaks(leaks)}`);
  if (expect === 'refused' && o.kind === 'rows')
    problems.push(`returned ${o.rows.length} rows instead of refusing`);
  if (expect === 'refused' && o.kind === 'parked')
    problems.push('was parked for approval instead of refused');
  if (expect === 'no-data' && o.kind === 'rows')
    problems.push(`returned ${o.rows.length} rows instead of no data`);
  if (o.kind === 'rows' && expect !== 'refused' && expect !== 'no-data') {
    const released = releasedValues(o.rows) + crowdedExtra;
    const limit = ROLE_SETUP[role].limit;
    if (released > limit)
      problems.push(
        `${released} released values (limit ${limit}${crowdedExtra ? `; ${crowdedExtra} of them as several patients' identifiers in one cell` : ''})`,
      );
  }
  return problems.length > 0 ? `${problems.join('; ')}; result: ${o.shown}` : undefined;
}

/** One call of execute_sql through the official SDK client. */
async function call(client: Client, role: Role, c: AttackCase): Promise<Outcome> {
  const args: Record<string, unknown> = {
    projectId: c.projectId ?? P,
    query: c.sql,
    reason: 'PHI attack corpus (emulator tests)',
    ...(role === 'er-physicians' ? { breakGlass: true } : {}),
  };
  try {
    const result = await client.callTool({ name: 'execute_sql', arguments: args });
    const text = ((result.content ?? []) as { type: string; text?: string }[])
      .map((p) => p.text ?? '')
      .join('\n');
    const structured = result.structuredContent as
      | { rows?: Record<string, unknown>[]; state?: string; truncated?: boolean }
      | undefined;
    const shown = first200(structured ?? text);
    if (result.isError === true) return { kind: 'refused', text, shown };
    if (structured?.rows) {
      const { rows, truncated } = structured;
      return {
        kind: 'rows',
        rows,
        text,
        shown: `${rows.length} rows${truncated ? ', truncated' : ''}: ${first200(rows)}`,
      };
    }
    if (structured?.state === 'PENDING') return { kind: 'parked', text, shown };
    // Neither rows nor a parked request: judged as rows (none), so a 'refused' expectation fails.
    return { kind: 'rows', rows: [], text, shown };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (/output schema|structured content/i.test(text))
      return { kind: 'schema-invalid', text, shown: first200(text) };
    // A JSON-RPC error answer is a refusal.
    if (err instanceof McpError) return { kind: 'refused', text, shown: first200(text) };
    return { kind: 'transport-error', text, shown: first200(text) };
  }
}

/** A patient's planted identifier in one column of the patients table, for the oracle's self-checks. */
function plantedOf(patientId: string, column: string): string {
  const patients = dataset.project.datasets[0]!.tables.find((t) => t.tableId === 'patients')!;
  const p = dataset.identifiers.find(
    (x) => x.tableId === 'patients' && x.column === column && patients.rows[x.rowIndex]![0] === patientId,
  );
  if (!p) throw new Error(`no ${column} planted for ${patientId}`);
  return p.value;
}

describe('PHI attack corpus: the corpus and its leak oracle (no stack needed)', () => {
  it('has at least 150 variants', () => assert.ok(CORPUS.length >= 150, `${CORPUS.length} variants`));

  it('covers every attack class with at least five variants (project escape three)', () => {
    for (const cls of ATTACK_CLASSES) {
      const n = CORPUS.filter((c) => c.class === cls).length;
      assert.ok(n >= (cls === 'project escape' ? 3 : 5), `${cls}: ${n} variants`);
    }
  });

  it('names every variant uniquely and says what each of its roles must get', () => {
    assert.equal(new Set(CORPUS.map((c) => c.name)).size, CORPUS.length, 'unique names');
    for (const c of CORPUS) {
      assert.ok(c.roles.length > 0, c.name);
      for (const r of c.roles) assert.ok(c.expect[r], `${c.name}: ${r}`);
    }
  });

  const id = 'P000001';
  const ssn = plantedOf(id, 'ssn');
  const digits = ssn.replace(/\D/g, '');
  const lastName = plantedOf(id, 'last_name');
  const dob = plantedOf(id, 'birth_date');
  const zip = plantedOf(id, 'zip');
  const [y, m, d] = dob.split('-');
  const rev = (s: string) => [...s].reverse().join('');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const hex = (s: string) => Buffer.from(s).toString('hex');
  const digitMap = (s: string, to: string) => s.replace(/[0-9]/g, (c) => to[Number(c)]!);
  const ENCODED: [string, string, unknown][] = [
    ['as stored', 'ssn', [{ s: ssn }]],
    ['as digits only', 'ssn', [{ s: digits }]],
    ['as an INT64', 'ssn', [{ n: Number(digits) }]],
    ['plus one', 'ssn', [{ n: String(Number(digits) + 1) }]],
    ['times ten plus seven', 'ssn', [{ n: `${digits}7` }]],
    ['divided by three', 'ssn', [{ n: Number(digits) / 3 }]],
    ['reversed', 'ssn', [{ s: rev(ssn) }]],
    ["TRANSLATEd to 'abcdefghij'", 'ssn', [{ s: digitMap(ssn, 'abcdefghij') }]],
    ["TRANSLATEd to 'JIHGFEDCBA'", 'ssn', [{ s: digitMap(ssn, 'JIHGFEDCBA') }]],
    ['in base64', 'ssn', [{ s: b64(ssn) }]],
    ['in hex', 'ssn', [{ s: hex(ssn) }]],
    ['reversed, in base64', 'ssn', [{ s: b64(rev(ssn)) }]],
    ['as SHA256 hex', 'ssn', [{ s: createHash('sha256').update(ssn).digest('hex') }]],
    ['as SHA256 BYTES (base64)', 'ssn', [{ s: createHash('sha256').update(ssn).digest('base64') }]],
    ['as MD5 of its digits', 'ssn', [{ s: createHash('md5').update(digits).digest('hex') }]],
    ['as FARM_FINGERPRINT', 'ssn', [{ f: farmFingerprint(ssn) }]],
    ['as an array of code points', 'ssn', [{ cps: [...ssn].map((c) => c.codePointAt(0)) }]],
    [
      'as code points over rows with an offset',
      'ssn',
      [...ssn].map((c, o) => ({ patient_id: id, o: String(o), c: String(c.codePointAt(0)) })),
    ],
    [
      'in three columns',
      'ssn',
      [{ patient_id: id, a: ssn.slice(0, 3), b: ssn.slice(4, 6), c: ssn.slice(7) }],
    ],
    [
      'through last-four masks of ZZZZZ-padded pieces',
      'ssn',
      [{ a: `XXXXXZ${ssn.slice(0, 3)}`, b: `XXXXXZZ${ssn.slice(4, 6)}`, c: `XXXXX${ssn.slice(7)}` }],
    ],
    ['as array elements', 'ssn', [{ a: [ssn.slice(0, 3), ssn.slice(4, 6), ssn.slice(7)] }]],
    ['a character an array element, dashes included', 'ssn', [{ chars: [...ssn] }]],
    [
      'a character a column, dashes included',
      'ssn',
      [{ patient_id: id, ...Object.fromEntries([...ssn].map((c, i) => [`c${i + 1}`, c])) }],
    ],
    [
      'in numbered structs out of order',
      'ssn',
      [
        {
          a: [
            { i: 3, v: ssn.slice(7) },
            { i: 1, v: ssn.slice(0, 3) },
            { i: 2, v: ssn.slice(4, 6) },
          ],
        },
      ],
    ],
    [
      'a digit a row, ordered by position',
      'ssn',
      [...ssn]
        .map((ch, i) => ({ pos: i + 1, d: ch }))
        .filter((r) => r.d !== '-')
        .reverse(),
    ],
    [
      'as a boolean matrix of positions and digits',
      'ssn',
      [...ssn].flatMap((ch, i) => [...'0123456789'].map((dd) => ({ pos: i + 1, d: dd, hit: ch === dd }))),
    ],
    ['in JSON text, halved', 'ssn', [{ j: JSON.stringify({ a: ssn.slice(0, 6), b: ssn.slice(6) }) }]],
    ['as a JSON key', 'ssn', [{ j: JSON.stringify({ [ssn]: 1 }) }]],
    ['with a dot after every digit', 'ssn', [{ s: digits.replace(/(\d)/g, '$1.') }]],
    ['with a letter after every digit', 'ssn', [{ s: ssn.replace(/(\d)/g, '$1x') }]],
    ['with look-alike hyphens', 'ssn', [{ s: ssn.replaceAll('-', '\u2010') }]],
    ['in full-width digits', 'ssn', [{ s: digitMap(ssn, '０１２３４５６７８９') }]],
    ['with zero-width spaces', 'ssn', [{ s: [...ssn].join('\u200b') }]],
    ['case-folded (a name)', 'name', [{ s: lastName.toUpperCase() }]],
    ['reversed (a name)', 'name', [{ s: rev(lastName) }]],
    [
      'split over two columns (a name)',
      'name',
      [{ patient_id: id, a: lastName.slice(0, 3), b: lastName.slice(3) }],
    ],
    ['a letter a row (a name)', 'name', [...lastName].map((c, i) => ({ patient_id: id, i, c }))],
    ['with separators (a name)', 'name', [{ patient_id: id, s: [...lastName].join('-') }]],
    ['shifted by a day (a birth date)', 'birth_date', [{ patient_id: id, d: shift(dob, 1) }]],
    ['truncated to its month (a birth date)', 'birth_date', [{ patient_id: id, d: `${y}-${m}-01` }]],
    [
      'in year, month and day columns',
      'birth_date',
      [{ patient_id: id, y, m: String(Number(m)), d: String(Number(d)) }],
    ],
    ['as DD/MM/YYYY', 'birth_date', [{ s: `${d}/${m}/${y}` }]],
    ['as YYYYMMDD', 'birth_date', [{ s: `${y}${m}${d}` }]],
    [
      'as a UNIX_DATE day number',
      'birth_date',
      [{ patient_id: id, u: String(Date.parse(dob) / 86_400_000) }],
    ],
    ['as ZIP3 beside the other two digits', 'zip', [{ patient_id: id, z: zip.slice(0, 3), r: zip.slice(3) }]],
  ];
  for (const [how, kind, value] of ENCODED)
    it(`the oracle finds a planted ${kind} ${how}`, () => {
      const leaks = oracle.scan(value).leaks.filter((l) => l.identifier.kind === kind && l.patientId === id);
      assert.ok(leaks.length > 0, JSON.stringify(value).slice(0, 200));
    });

  const QUIET: [string, unknown][] = [
    [
      'masked as the analyst profile does (nulls, tags, year masks, ZIP3)',
      [{ patient_id: id, ssn: null, first_name: '[NAME]', birth_date: `${y}-01-01`, zip: zip.slice(0, 3) }],
    ],
    ['masked to the last four digits', [{ patient_id: id, ssn: `XXXXX${ssn.slice(-4)}` }]],
    [
      'hashed with a secret key',
      [{ patient_id: id, ssn: createHash('sha256').update(`k${ssn}`).digest('hex') }],
    ],
    ['cut to three digits', [{ patient_id: id, a: ssn.slice(0, 3) }]],
    [
      'that are hex of SHA-256 hex digests (all digits), row after row',
      dataset.identifiers
        .filter((p) => p.tableId === 'patients' && p.kind === 'ssn')
        .map((p) => ({ h: hex(createHash('sha256').update(`k${p.value}`).digest('hex')) })),
    ],
  ];
  for (const [what, value] of QUIET)
    it(`the oracle finds nothing in values ${what}`, () => {
      const scan = oracle.scan(value);
      assert.deepEqual(
        scan.leaks.filter((l) => !isYearMask(l.identifier)),
        [],
      );
      assert.deepEqual([...scan.crowded], [], 'no cell holds several patients');
    });

  it('computes FARM_FINGERPRINT as BigQuery and Guava publish it', () => {
    assert.equal(farmFingerprint('alphabet'), '-2427165924636348523');
    assert.equal(farmFingerprint('1footrue'), '-1541654101129638711');
    assert.equal(farmFingerprint('2applefalse'), '2794438866806483259');
    assert.equal(farmFingerprint('3true'), '-4880158226897771312');
    assert.equal(farmFingerprint('test'.repeat(8)), '-4196240717365766262');
    assert.equal(farmFingerprint('test'.repeat(64)), '3500507768004279527');
  });

  it('counts released values: rows and array elements at any depth (JSON text is one value)', () => {
    assert.equal(releasedValues([{ a: 1 }, { a: 2 }]), 2);
    assert.equal(releasedValues([{ a: [1, 2, 3] }]), 4);
    assert.equal(releasedValues([{ a: [{ b: [1, 2] }, { b: [] }] }]), 5);
    assert.equal(releasedValues([{ j: JSON.stringify([{ x: 1 }, { x: 2 }]) }]), 1);
  });

  it('tells a cell that holds several patients (STRING_AGG of SSNs) from one that holds one', () => {
    const ssns = dataset.identifiers
      .filter((p) => p.tableId === 'patients' && p.kind === 'ssn')
      .map((p) => p.value);
    assert.equal(oracle.scan([{ s: ssns.slice(0, 7).join(',') }]).crowded.get('[0].s'), 7);
    assert.equal(
      oracle.scan([{ j: JSON.stringify(ssns.slice(0, 5).map((x) => ({ x }))) }]).crowded.get('[0].j'),
      5,
    );
    assert.equal(oracle.scan([{ s: ssn, t: ssn }]).crowded.size, 0);
  });
});

/** An ISO date moved by `days`. */
function shift(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('PHI attack corpus: the stand-in gaps', () => {
  it('names only variants of the corpus, and leaves most of the corpus to Warden', () => {
    const names = new Set(CORPUS.map((c) => c.name));
    assert.deepEqual(
      Object.keys(STAND_IN_GAPS).filter((n) => !names.has(n)),
      [],
    );
    assert.ok(Object.keys(STAND_IN_GAPS).length <= CORPUS.length / 8, 'at most one variant in eight');
  });
});

describe('PHI attack corpus through the gateway', function () {
  this.timeout(900_000);
  const clients = new Map<Role, Client>();
  let raw: BigQueryWarehouse;
  const report: Record<string, unknown>[] = [];

  before(async () => {
    for (const role of ROLES) {
      const client = new Client({ name: `warden-phi-attacks-${role}`, version: '1.0.0' });
      const token = await tokenFor(ROLE_SETUP[role].email, [role], { ttlSeconds: 3600 });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      // tools/list first, so the SDK validates every execute_sql result (parked ones too) against its output schema.
      await client.listTools();
      clients.set(role, client);
    }
    raw = new BigQueryWarehouse(await createBigQueryClient(P, theStack().info.endpoints.bigquery));
  });

  // WARDEN_PHI_ATTACKS_REPORT=file.json writes every (case, role) outcome there, for triage.
  after(async () => {
    for (const c of clients.values()) await c.close();
    const path = process.env['WARDEN_PHI_ATTACKS_REPORT'];
    if (path) writeFileSync(path, JSON.stringify(report, null, 2));
  });

  /** The SQL straight against the warehouse (the control): its rows, or the error's text. */
  function runRaw(c: AttackCase): Promise<{ rows?: Record<string, unknown>[]; error?: string }> {
    return raw
      .execute(
        { projectId: c.projectId ?? P, sql: c.sql },
        { rowLimit: 5000, labels: { 'warden-request': 'phi-attacks-control' }, timeoutMs: 60_000 },
      )
      .then(
        (res) => ({ rows: res.rows as Record<string, unknown>[] }),
        (err: unknown) => ({ error: errorText(err) }),
      );
  }

  for (const cls of ATTACK_CLASSES) {
    describe(cls, () => {
      const cases = CORPUS.filter((c) => c.class === cls);
      const runnable = cases.filter((c) => !c.invalid);
      /** Queries the stand-in rejects: the dry-run check lists them, the controls leave them out. */
      const rejected = new Set<string>();
      if (runnable.length > 0)
        it('the warehouse stand-in accepts every query (dry run), so a refusal is the gateway’s', async () => {
          const failures = (
            await mapLimit(runnable, 4, async (c) => {
              try {
                await raw.dryRun({ projectId: c.projectId ?? P, sql: c.sql });
                return undefined;
              } catch (err) {
                rejected.add(c.name);
                return `${c.name}: ${errorText(err).slice(0, 200)}`;
              }
            })
          ).filter((f) => f !== undefined);
          // Known stand-in gaps are expected to fail; anything else the stand-in rejects is a new gap (or a
          // broken case), and a listed gap it now runs must leave the list.
          const unexpected = failures.filter(
            (f) => !Object.hasOwn(STAND_IN_GAPS, f.slice(0, f.indexOf(': '))),
          );
          const stale = runnable.filter((c) => Object.hasOwn(STAND_IN_GAPS, c.name) && !rejected.has(c.name));
          if (unexpected.length > 0 || stale.length > 0)
            assert.fail(
              `${unexpected.length} of ${runnable.length} queries fail a dry run unexpectedly:\n  - ${unexpected.join('\n  - ')}` +
                `\n${stale.length} listed in STAND_IN_GAPS now run: ${stale.map((c) => c.name).join('; ')}`,
            );
        });

      const controlled = runnable.filter(
        (c) =>
          c.control !== false &&
          (['research-analysts', 'clinicians'] as const).some((r) => c.expect[r] === 'no-leak'),
      );
      if (controlled.length > 0)
        it('the same SQL straight against the warehouse returns what the roles may not see (the controls)', async () => {
          // Queries the stand-in rejects have no control; the dry-run check above lists them.
          const checked = controlled.filter((c) => !rejected.has(c.name));
          const failures = (
            await mapLimit(checked, 4, async (c) => {
              const r = await runRaw(c);
              // An error message can carry the value too (ERROR(ssn), a failed CAST): it is scanned as well.
              const scan = oracle.scan(r.rows ?? r.error ?? '');
              const missing = (['research-analysts', 'clinicians'] as const).filter(
                (role) =>
                  c.expect[role] === 'no-leak' &&
                  !scan.leaks.some((l) => ROLE_SETUP[role].forbidden(l.identifier)),
              );
              if (missing.length === 0) return undefined;
              const what = r.error
                ? `the query failed: ${r.error}`
                : `${r.rows?.length} rows: ${first200(r.rows)}`;
              return `${c.name}: nothing ${missing.join(' or ')} may not see (${what.slice(0, 260)})`;
            })
          ).filter((f) => f !== undefined);
          if (failures.length > 0)
            assert.fail(
              `${failures.length} of ${checked.length} controls leak nothing, so their gateway checks prove nothing:\n  - ${failures.join('\n  - ')}`,
            );
        });

      for (const role of ROLES) {
        const mine = cases.filter((c) => c.roles.includes(role));
        if (mine.length === 0) continue;
        it(`as ${role}: ${ROLE_SETUP[role].summary}`, async () => {
          const client = clients.get(role)!;
          const failures = (
            await mapLimit(mine, 4, async (c) => {
              const outcome = await call(client, role, c);
              const why = judge(c, role, outcome);
              report.push({
                class: cls,
                role,
                name: c.name,
                expect: c.expect[role],
                outcome: outcome.kind,
                shown: outcome.shown,
                failure: why ?? null,
              });
              return why === undefined ? undefined : `${c.name}: ${why}`;
            })
          ).filter((f) => f !== undefined);
          if (failures.length > 0)
            assert.fail(
              `${failures.length} of ${mine.length} variants fail as ${role}:\n  - ${failures.join('\n  - ')}`,
            );
        });
      }
    });
  }
});

/** An error's message with whatever the client attached (BigQuery's reason and message), for reports and scans. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { message?: string; errors?: unknown };
    if (x.message) parts.push(x.message);
    if (x.errors) parts.push(JSON.stringify(x.errors));
  }
  return parts.join(' | ');
}
