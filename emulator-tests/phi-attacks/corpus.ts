// The PHI attack corpus: GoogleSQL that tries to get planted identifiers past Warden's policy and masking, with what each role must see.

/** The callers the corpus runs as (groups in dev/policy.yaml). */
export const ROLES = ['research-analysts', 'clinicians', 'er-physicians', 'analysts'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/**
 * What a call must end in. `refused`: an isError result or a JSON-RPC error. `no-leak`: rows may come
 * back, but no identifier the role may not see (in any encoding) and no more released values than its
 * limit. `no-data`: refused or parked for approval, never rows.
 */
export type Expectation = 'refused' | 'no-leak' | 'no-data';

/** The attack classes, each covered by several variants. */
export const ATTACK_CLASSES = [
  'derived values',
  'text transforms',
  'predicate oracles',
  'parse evasion',
  'aggregation',
  'project escape',
  'nested and array smuggling',
  'set operations',
  'window functions',
  'JSON functions',
  'UNNEST',
  'subqueries and CTEs',
  'scripting',
] as const;

/** One of {@link ATTACK_CLASSES}. */
export type AttackClass = (typeof ATTACK_CLASSES)[number];

/** One attack: the SQL, the roles it runs as, and what each of them must get. */
export interface AttackCase {
  name: string;
  class: AttackClass;
  sql: string;
  roles: Role[];
  expect: Partial<Record<Role, Expectation>>;
  /** execute_sql's projectId; default `demo-warden`. */
  projectId?: string;
  /**
   * False when the same SQL run straight against the warehouse returns no planted identifier either, so
   * there is no control (each such case says why).
   */
  control?: false;
  /** The SQL is meant not to run anywhere (a syntax error, a project that does not exist). */
  invalid?: true;
}

const P = '`demo-warden.clinical.patients`';
const N = '`demo-warden.clinical.clinical_notes`';
const E = '`demo-warden.clinical.encounters`';
const DIGITS = "['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']";
/** A 200 kB comment, past what a gateway might bother to parse. */
const PADDING = `/* ${'x'.repeat(210_000)} */`;

type Expect = Partial<Record<Role, Expectation>>;

/** Outputs SSNs (or something computed from them): analysts are refused outright. */
const SSN_OUT: Expect = {
  'research-analysts': 'no-leak',
  clinicians: 'no-leak',
  'er-physicians': 'no-leak',
  analysts: 'refused',
};
/** Outputs identifiers other than SSNs: clinicians may see those, so they do not run it. */
const PHI_OUT: Expect = { 'research-analysts': 'no-leak', 'er-physicians': 'no-leak', analysts: 'no-data' };
/** Reads whole rows (SSNs included) but outputs other identifiers: analysts are refused, clinicians need not run it. */
const ROW_READ: Expect = { 'research-analysts': 'no-leak', 'er-physicians': 'no-leak', analysts: 'refused' };
/** Outputs note text (names, dates, numbers, and in some notes an SSN). */
const NOTES_OUT: Expect = {
  'research-analysts': 'no-leak',
  clinicians: 'no-leak',
  'er-physicians': 'no-leak',
  analysts: 'no-data',
};
/** Filters, joins, groups or sorts on the SSN, which research analysts and clinicians only get masked. */
const SSN_PREDICATE: Expect = {
  'research-analysts': 'refused',
  clinicians: 'refused',
  'er-physicians': 'no-leak',
  analysts: 'refused',
};
/** Filters, joins, groups or sorts on a PHI column the analyst profile masks (clinicians may see it). */
const PHI_PREDICATE: Expect = {
  'research-analysts': 'refused',
  'er-physicians': 'no-leak',
  analysts: 'no-data',
};
/** A predicate on note text: masked (scrubbed) for research analysts; clinicians keep the text but not its SSNs. */
const NOTES_PREDICATE: Expect = {
  'research-analysts': 'refused',
  clinicians: 'no-leak',
  'er-physicians': 'no-leak',
  analysts: 'no-data',
};
/** Refused for everyone: project escapes, scripts, SQL that does not parse. */
const REFUSED: Expect = {
  'research-analysts': 'refused',
  clinicians: 'refused',
  'er-physicians': 'refused',
  analysts: 'refused',
};

function attack(
  cls: AttackClass,
  name: string,
  sql: string,
  expect: Expect,
  extra: Pick<AttackCase, 'projectId' | 'control' | 'invalid'> = {},
): AttackCase {
  return { name, class: cls, sql, roles: ROLES.filter((r) => expect[r] !== undefined), expect, ...extra };
}

const derived: AttackCase[] = [
  attack(
    'derived values',
    'SUBSTR pieces of the SSN in three columns',
    `SELECT patient_id, SUBSTR(ssn, 1, 3) AS a, SUBSTR(ssn, 5, 2) AS b, SUBSTR(ssn, 8, 4) AS c FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    "CONCAT('ZZZZZ', SUBSTR(ssn …)) so a last-four mask shows the other digits",
    `SELECT patient_id, CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3)) AS ssn, CONCAT('ZZZZZ', SUBSTR(ssn, 5, 2)) AS ssn_group, CONCAT('ZZZZZ', SUBSTR(ssn, 8, 4)) AS ssn_serial FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'LEFT and RIGHT halves of the SSN',
    `SELECT patient_id, LEFT(ssn, 6) AS head, RIGHT(ssn, 5) AS tail FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'SSN digits CAST to INT64',
    `SELECT patient_id, CAST(REPLACE(ssn, '-', '') AS INT64) AS n FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'SSN digits times ten plus seven',
    `SELECT patient_id, CAST(REPLACE(ssn, '-', '') AS INT64) * 10 + 7 AS n FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'SSN digits plus one',
    `SELECT patient_id, CAST(REPLACE(ssn, '-', '') AS INT64) + 1 AS n FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'SSN digits as FLOAT64 divided by four',
    `SELECT patient_id, CAST(REPLACE(ssn, '-', '') AS FLOAT64) / 4 AS f FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    "FORMAT('%s/%s/%s') of the SSN's parts",
    `SELECT patient_id, FORMAT('%s/%s/%s', SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8, 4)) AS f FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    "FORMAT('%011d') of the SSN as a number",
    `SELECT patient_id, FORMAT('%011d', CAST(REPLACE(ssn, '-', '') AS INT64)) AS f FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'REPLACE dashes with spaces',
    `SELECT patient_id, REPLACE(ssn, '-', ' ') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'CASE on an unmasked column returning the SSN',
    `SELECT patient_id, CASE WHEN sex = 'F' THEN CONCAT('F:', ssn) ELSE CONCAT('M:', ssn) END AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'COALESCE falling back to the SSN',
    `SELECT patient_id, COALESCE(CAST(NULL AS STRING), ssn) AS v, COALESCE(NULLIF(sex, sex), ssn, 'none') AS w FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'ERROR() with the SSN in its message',
    `SELECT patient_id, ERROR(CONCAT('no such patient: ', ssn)) AS e FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    'CAST(ssn AS INT64) failing with the value in the error',
    `SELECT patient_id, CAST(ssn AS INT64) AS n FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'derived values',
    "the SSN written in a note, cut into SUBSTR pieces at STRPOS('SSN ')",
    `SELECT note_id, SUBSTR(note_text, STRPOS(note_text, 'SSN ') + 4, 3) AS a, SUBSTR(note_text, STRPOS(note_text, 'SSN ') + 8, 2) AS b, SUBSTR(note_text, STRPOS(note_text, 'SSN ') + 11, 4) AS c FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'derived values',
    "the patient's name cut out of the note header",
    `SELECT note_id, SUBSTR(note_text, STRPOS(note_text, 'Patient') + 9, 24) AS who FROM ${N}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'DATE_ADD one day to birth_date',
    `SELECT patient_id, DATE_ADD(birth_date, INTERVAL 1 DAY) AS d FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'EXTRACT year, month and day of birth_date into three columns',
    `SELECT patient_id, EXTRACT(YEAR FROM birth_date) AS y, EXTRACT(MONTH FROM birth_date) AS m, EXTRACT(DAY FROM birth_date) AS d FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    "FORMAT_DATE('%d/%m/%Y') of birth_date",
    `SELECT patient_id, FORMAT_DATE('%d/%m/%Y', birth_date) AS dob FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    "FORMAT_DATE('%Y%m%d') of birth_date",
    `SELECT patient_id, FORMAT_DATE('%Y%m%d', birth_date) AS dob FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    "year beside FORMAT_DATE('%B %d') of birth_date",
    `SELECT patient_id, EXTRACT(YEAR FROM birth_date) AS y, FORMAT_DATE('%B %d', birth_date) AS md FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'UNIX_DATE of birth_date (days since 1970)',
    `SELECT patient_id, UNIX_DATE(birth_date) AS days FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'DATE_TRUNC of birth_date to its month',
    `SELECT patient_id, DATE_TRUNC(birth_date, MONTH) AS m FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'created_at CAST to STRING',
    `SELECT patient_id, CAST(created_at AS STRING) AS s, CAST(DATE(created_at) AS STRING) AS d FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'derived values',
    'ZIP3 beside the last two ZIP digits',
    `SELECT patient_id, SUBSTR(zip, 1, 3) AS zip3, SUBSTR(zip, 4, 2) AS rest FROM ${P}`,
    PHI_OUT,
  ),
];

const textTransforms: AttackCase[] = [
  attack('text transforms', 'REVERSE(ssn)', `SELECT patient_id, REVERSE(ssn) AS r FROM ${P}`, SSN_OUT),
  attack(
    'text transforms',
    'REVERSE(note_text)',
    `SELECT note_id, REVERSE(note_text) AS r FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    "TRANSLATE(ssn, '0123456789', 'abcdefghij')",
    `SELECT patient_id, TRANSLATE(ssn, '0123456789', 'abcdefghij') AS t FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    "TRANSLATE(ssn, '0123456789', 'jihgfedcba')",
    `SELECT patient_id, TRANSLATE(ssn, '0123456789', 'jihgfedcba') AS t FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'TRANSLATE of note_text digits to letters',
    `SELECT note_id, TRANSLATE(note_text, '0123456789', 'ABCDEFGHIJ') AS t FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'TRANSLATE of the SSN into full-width digits',
    `SELECT patient_id, TRANSLATE(ssn, '0123456789', '０１２３４５６７８９') AS t FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'UPPER and LOWER of names, e-mail and address',
    `SELECT patient_id, UPPER(last_name) AS l, LOWER(first_name) AS f, UPPER(email) AS e, LOWER(street_address) AS a FROM ${P}`,
    PHI_OUT,
  ),
  attack('text transforms', 'UPPER(note_text)', `SELECT note_id, UPPER(note_text) AS u FROM ${N}`, NOTES_OUT),
  attack(
    'text transforms',
    'REGEXP_EXTRACT of the SSN from note text',
    `SELECT note_id, REGEXP_EXTRACT(note_text, r'SSN ([0-9][0-9 -]{7,9}[0-9])') AS s FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'REGEXP_EXTRACT_ALL of SSN-shaped numbers from note text',
    `SELECT note_id, REGEXP_EXTRACT_ALL(note_text, r'[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}') AS s FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'REGEXP_REPLACE a dot after every SSN digit',
    String.raw`SELECT patient_id, REGEXP_REPLACE(ssn, r'([0-9])', r'\1.') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'REGEXP_REPLACE a letter after every SSN digit',
    String.raw`SELECT patient_id, REGEXP_REPLACE(ssn, r'([0-9])', r'\1x') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'REGEXP_REPLACE a zero-width space after every SSN character',
    String.raw`SELECT patient_id, REGEXP_REPLACE(ssn, r'(.)', '\\1\u200b') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'REGEXP_REPLACE separators between the digits of note text',
    String.raw`SELECT note_id, REGEXP_REPLACE(note_text, r'([0-9])', r'\1_') AS t FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'note text with all white space removed',
    String.raw`SELECT note_id, LOWER(REGEXP_REPLACE(note_text, r'\s+', '')) AS t FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'TO_BASE64(CAST(ssn AS BYTES))',
    `SELECT patient_id, TO_BASE64(CAST(ssn AS BYTES)) AS b FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'TO_HEX(CAST(ssn AS BYTES))',
    `SELECT patient_id, TO_HEX(CAST(ssn AS BYTES)) AS h FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'CAST(ssn AS BYTES) (base64 on the wire)',
    `SELECT patient_id, CAST(ssn AS BYTES) AS b FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'TO_BASE64 of note text',
    `SELECT note_id, TO_BASE64(CAST(note_text AS BYTES)) AS b FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'TO_HEX of note text',
    `SELECT note_id, TO_HEX(CAST(note_text AS BYTES)) AS h FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'text transforms',
    'TO_BASE64 of the reversed last name',
    `SELECT patient_id, TO_BASE64(CAST(REVERSE(last_name) AS BYTES)) AS b FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'text transforms',
    'TO_HEX(SHA256(ssn))',
    `SELECT patient_id, TO_HEX(SHA256(ssn)) AS h FROM ${P}`,
    SSN_OUT,
  ),
  attack('text transforms', 'SHA256(ssn) as BYTES', `SELECT patient_id, SHA256(ssn) AS h FROM ${P}`, SSN_OUT),
  attack(
    'text transforms',
    'MD5 of the SSN digits',
    `SELECT patient_id, TO_HEX(MD5(REPLACE(ssn, '-', ''))) AS h FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'SHA1 of the lower-cased last name',
    `SELECT patient_id, TO_HEX(SHA1(LOWER(last_name))) AS h FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'text transforms',
    'FARM_FINGERPRINT(ssn)',
    `SELECT patient_id, FARM_FINGERPRINT(ssn) AS f FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'CODE_POINTS_TO_STRING(TO_CODE_POINTS(ssn))',
    `SELECT patient_id, CODE_POINTS_TO_STRING(TO_CODE_POINTS(ssn)) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'TO_CODE_POINTS(ssn) as an array of integers',
    `SELECT patient_id, TO_CODE_POINTS(ssn) AS cps FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'SAFE_CONVERT_BYTES_TO_STRING(CAST(ssn AS BYTES))',
    `SELECT patient_id, SAFE_CONVERT_BYTES_TO_STRING(CAST(ssn AS BYTES)) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'NORMALIZE(ssn, NFKC)',
    `SELECT patient_id, NORMALIZE(ssn, NFKC) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'text transforms',
    'NORMALIZE_AND_CASEFOLD of e-mail and names',
    `SELECT patient_id, NORMALIZE_AND_CASEFOLD(email, NFKC) AS e, NORMALIZE_AND_CASEFOLD(CONCAT(first_name, ' ', last_name)) AS n FROM ${P}`,
    PHI_OUT,
  ),
];

const predicateOracles: AttackCase[] = [
  attack(
    'predicate oracles',
    'digit-by-digit SSN recovery over GENERATE_ARRAY positions and digits',
    `SELECT pos, d FROM ${P} AS p CROSS JOIN UNNEST(GENERATE_ARRAY(1, 11)) AS pos CROSS JOIN UNNEST(${DIGITS}) AS d WHERE p.patient_id = 'P000001' AND SUBSTR(p.ssn, pos, 1) = d ORDER BY pos`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    "COUNT(*) WHERE SUBSTR(ssn, 1, 1) = '1'",
    `SELECT COUNT(*) AS n FROM ${P} WHERE SUBSTR(ssn, 1, 1) = '1'`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'LIKE on last_name',
    `SELECT patient_id FROM ${P} WHERE last_name LIKE 'Had%'`,
    PHI_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'STARTS_WITH on email',
    `SELECT patient_id FROM ${P} WHERE STARTS_WITH(email, 'michelle')`,
    PHI_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'birth_date BETWEEN two days',
    `SELECT COUNT(*) AS n FROM ${P} WHERE birth_date BETWEEN '1999-12-01' AND '1999-12-31'`,
    PHI_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'full ZIP in WHERE',
    `SELECT patient_id FROM ${P} WHERE zip = '85003'`,
    PHI_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'LIKE on note text',
    `SELECT note_id FROM ${N} WHERE note_text LIKE '%Haddad%'`,
    PHI_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'JOIN ON ssn',
    `SELECT a.patient_id, b.patient_id AS twin FROM ${P} AS a JOIN ${P} AS b ON a.ssn = b.ssn`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'JOIN notes to patients where the note contains the SSN',
    `SELECT n.note_id, p.patient_id FROM ${N} AS n JOIN ${P} AS p ON STRPOS(n.note_text, p.ssn) > 0`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'GROUP BY SUBSTR(ssn, 1, 3)',
    `SELECT SUBSTR(ssn, 1, 3) AS area, COUNT(*) AS n FROM ${P} GROUP BY area`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'HAVING on the SSN',
    `SELECT patient_id FROM ${P} GROUP BY patient_id HAVING MAX(SUBSTR(ssn, 1, 1)) = '8'`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'QUALIFY on a window partitioned by the SSN',
    `SELECT patient_id FROM ${P} WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY SUBSTR(ssn, 1, 1) ORDER BY patient_id) = 1`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'ROW_NUMBER() OVER (ORDER BY ssn)',
    `SELECT patient_id, ROW_NUMBER() OVER (ORDER BY ssn) AS rank_by_ssn FROM ${P}`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'COUNT(*) OVER (PARTITION BY SUBSTR(ssn, 1, 3))',
    `SELECT patient_id, COUNT(*) OVER (PARTITION BY SUBSTR(ssn, 1, 3)) AS same_area FROM ${P}`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'ORDER BY ssn LIMIT 5',
    `SELECT patient_id FROM ${P} ORDER BY ssn LIMIT 5`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'EXISTS subquery over ssn',
    `SELECT patient_id FROM ${P} AS p WHERE EXISTS (SELECT 1 FROM ${P} AS q WHERE q.patient_id = p.patient_id AND q.ssn LIKE '8%')`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'IN subquery over ssn',
    `SELECT patient_id FROM ${P} WHERE SUBSTR(ssn, 1, 3) IN (SELECT SUBSTR(ssn, 1, 3) FROM ${P} WHERE patient_id = 'P000002')`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'CASE on the SSN in WHERE',
    `SELECT patient_id FROM ${P} WHERE CASE WHEN SUBSTR(ssn, 1, 1) = '8' THEN TRUE ELSE FALSE END`,
    SSN_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'digit-by-digit recovery of the SSN written in a note',
    `SELECT n.note_id, pos, d FROM ${N} AS n CROSS JOIN UNNEST(GENERATE_ARRAY(1, 15)) AS pos CROSS JOIN UNNEST(${DIGITS}) AS d WHERE n.note_id = 'N00000002' AND SUBSTR(REGEXP_EXTRACT(n.note_text, r'SSN ([0-9][0-9 -]{7,9}[0-9])'), pos, 1) = d ORDER BY pos`,
    NOTES_PREDICATE,
  ),
  attack(
    'predicate oracles',
    'the comparison in the SELECT list: a boolean matrix of positions and digits',
    `SELECT pos, d, SUBSTR(ssn, pos, 1) = d AS hit FROM ${P} CROSS JOIN UNNEST(GENERATE_ARRAY(1, 11)) AS pos CROSS JOIN UNNEST(${DIGITS}) AS d WHERE patient_id = 'P000001' ORDER BY pos, d`,
    SSN_OUT,
  ),
];

const parseEvasion: AttackCase[] = [
  attack(
    'parse evasion',
    'GROUP BY ALL (groups by the SSN)',
    `SELECT patient_id, ssn FROM ${P} GROUP BY ALL`,
    SSN_PREDICATE,
  ),
  attack(
    'parse evasion',
    'GROUP BY ALL with ANY_VALUE(ssn)',
    `SELECT patient_id, ANY_VALUE(ssn) AS s FROM ${P} GROUP BY ALL`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'TABLESAMPLE SYSTEM (100 PERCENT)',
    `SELECT patient_id, ssn FROM ${P} TABLESAMPLE SYSTEM (100 PERCENT)`,
    SSN_OUT,
  ),
  // A 10 % sample may well be empty, raw as through the gateway, so it has no control.
  attack(
    'parse evasion',
    'TABLESAMPLE SYSTEM (10 PERCENT)',
    `SELECT patient_id, ssn FROM ${P} TABLESAMPLE SYSTEM (10 PERCENT)`,
    SSN_OUT,
    { control: false },
  ),
  attack(
    'parse evasion',
    'QUALIFY without WHERE',
    `SELECT patient_id, ssn FROM ${P} QUALIFY ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY patient_id) = 1`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    "a byte literal b'…' beside the SSN",
    `SELECT patient_id, CONCAT(SAFE_CONVERT_BYTES_TO_STRING(b'SSN '), ssn) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'a query padded past 200 kB with a comment',
    `SELECT patient_id, ssn ${PADDING} FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'a query padded past 200 kB with white space',
    `SELECT patient_id,${' '.repeat(105_000)}\n${'\t'.repeat(105_000)}ssn FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'a query padded past 200 kB with line comments',
    `${'-- padding\n'.repeat(20_000)}SELECT patient_id, ssn FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'every name part in its own backticks',
    'SELECT `patient_id`, `ssn` AS `x` FROM `demo-warden`.`clinical`.`patients`',
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'only the dashed project in backticks',
    'SELECT patient_id, ssn FROM `demo-warden`.clinical.patients',
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'the table named without its project',
    'SELECT patient_id, ssn FROM clinical.patients',
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'mixed-case keywords and column names',
    `sElEcT PATIENT_ID, SsN fRoM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'comments between tokens (/* */, --, #)',
    `SELECT /* who */ patient_id, -- the number\n ssn # hidden\n FROM /* where */ ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'unicode escapes building a look-alike separator',
    String.raw`SELECT patient_id, REPLACE(ssn, '\x2d', '\u2010') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'a unicode escape in a predicate on the SSN',
    String.raw`SELECT patient_id FROM ${P} WHERE ssn LIKE '\u0038%'`,
    SSN_PREDICATE,
  ),
  attack(
    'parse evasion',
    'triple-quoted and raw string literals',
    String.raw`SELECT patient_id, CONCAT("""SSN """, ssn, r'\n') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'hexadecimal integer literals in SUBSTR',
    `SELECT patient_id, SUBSTR(ssn, 0x1, 0xB) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'SELECT AS VALUE STRUCT(…)',
    `SELECT AS VALUE STRUCT(patient_id, ssn) FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'doubled parentheses around the query',
    `((SELECT patient_id, ssn FROM ${P}))`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'a reserved word as a backticked alias',
    `SELECT patient_id, ssn AS \`select\`, ssn AS \`from\` FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'parse evasion',
    'SQL that does not parse, over PHI (dangling WHERE)',
    `SELECT patient_id, ssn FROM ${P} WHERE`,
    REFUSED,
    { invalid: true },
  ),
  attack(
    'parse evasion',
    'SQL that does not parse, over PHI (unbalanced parentheses)',
    `SELECT patient_id, SUBSTR(ssn, 1, 3 FROM ${P}`,
    REFUSED,
    { invalid: true },
  ),
];

const aggregation: AttackCase[] = [
  attack(
    'aggregation',
    'ARRAY_AGG(STRUCT(patient_id, ssn)) in one row',
    `SELECT ARRAY_AGG(STRUCT(patient_id, ssn)) AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack('aggregation', 'STRING_AGG(ssn)', `SELECT STRING_AGG(ssn, ',') AS s FROM ${P}`, SSN_OUT),
  attack(
    'aggregation',
    'ARRAY_CONCAT_AGG of [patient_id, ssn]',
    `SELECT ARRAY_CONCAT_AGG([patient_id, ssn]) AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'TO_JSON_STRING(ARRAY_AGG(p)) of whole rows',
    `SELECT TO_JSON_STRING(ARRAY_AGG(p)) AS j FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'ARRAY(SELECT AS STRUCT patient_id, ssn …)',
    `SELECT ARRAY(SELECT AS STRUCT patient_id, ssn FROM ${P}) AS a`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'APPROX_TOP_COUNT(ssn, 5)',
    `SELECT APPROX_TOP_COUNT(ssn, 5) AS top FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'MIN, MAX and ANY_VALUE of the SSN',
    `SELECT MIN(ssn) AS lo, MAX(ssn) AS hi, ANY_VALUE(ssn) AS one FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'MAX(ssn) per patient',
    `SELECT patient_id, MAX(ssn) AS s FROM ${P} GROUP BY patient_id`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'STRING_AGG of SUBSTR pieces concatenated',
    `SELECT STRING_AGG(CONCAT(SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8, 4)), '|') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'ARRAY_AGG(ssn IGNORE NULLS LIMIT 60)',
    `SELECT ARRAY_AGG(ssn IGNORE NULLS LIMIT 60) AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'ARRAY_AGG of TO_JSON_STRING(STRUCT(patient_id, ssn, birth_date))',
    `SELECT ARRAY_AGG(TO_JSON_STRING(STRUCT(patient_id, ssn, birth_date))) AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'aggregation',
    'STRING_AGG of all note text',
    `SELECT STRING_AGG(note_text, '\\n') AS t FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'aggregation',
    'STRING_AGG of note text per patient',
    `SELECT patient_id, STRING_AGG(note_text, ' || ') AS t FROM ${N} GROUP BY patient_id`,
    NOTES_OUT,
  ),
  attack(
    'aggregation',
    'ARRAY_AGG(last_name ORDER BY patient_id)',
    `SELECT ARRAY_AGG(last_name ORDER BY patient_id) AS names FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'aggregation',
    'STRING_AGG of birth dates',
    `SELECT STRING_AGG(CAST(birth_date AS STRING), ',') AS dobs FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'aggregation',
    'ARRAY_AGG(STRUCT(mrn, phone, email))',
    `SELECT ARRAY_AGG(STRUCT(mrn, phone, email)) AS contacts FROM ${P}`,
    PHI_OUT,
  ),
];

const projectEscape: AttackCase[] = [
  attack(
    'project escape',
    "execute_sql with projectId 'evil-project'",
    `SELECT patient_id, ssn FROM ${P}`,
    REFUSED,
    { projectId: 'evil-project', invalid: true },
  ),
  attack('project escape', "a harmless query billed to 'evil-project'", 'SELECT 1 AS x', REFUSED, {
    projectId: 'evil-project',
    invalid: true,
  }),
  attack(
    'project escape',
    "execute_sql with projectId 'DEMO-WARDEN' (case variant)",
    `SELECT patient_id, ssn FROM ${P}`,
    REFUSED,
    { projectId: 'DEMO-WARDEN', invalid: true },
  ),
  attack(
    'project escape',
    'a table in another project',
    'SELECT * FROM `evil-project.clinical.patients`',
    REFUSED,
    { invalid: true },
  ),
  attack(
    'project escape',
    "JOIN with another project's table",
    `SELECT p.patient_id, p.ssn FROM ${P} AS p JOIN \`evil-project.staging.patients_copy\` AS c USING (patient_id)`,
    REFUSED,
    { invalid: true },
  ),
  attack(
    'project escape',
    'a wildcard table in another project',
    'SELECT * FROM `evil-project.clinical.*`',
    REFUSED,
    { invalid: true },
  ),
  attack(
    'project escape',
    "another project's INFORMATION_SCHEMA",
    'SELECT * FROM `evil-project`.`region-us`.INFORMATION_SCHEMA.JOBS',
    REFUSED,
    { invalid: true },
  ),
];

const nested: AttackCase[] = [
  attack(
    'nested and array smuggling',
    'SSN pieces as STRUCT fields',
    `SELECT patient_id, STRUCT(SUBSTR(ssn, 1, 3) AS a, SUBSTR(ssn, 5, 2) AS b, SUBSTR(ssn, 8, 4) AS c) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'SSN pieces as array elements',
    `SELECT patient_id, [SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8, 4)] AS parts FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'SSN pieces in an array of numbered structs, out of order',
    `SELECT patient_id, [STRUCT(3 AS i, SUBSTR(ssn, 8, 4) AS v), STRUCT(1 AS i, SUBSTR(ssn, 1, 3) AS v), STRUCT(2 AS i, SUBSTR(ssn, 5, 2) AS v)] AS parts FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'SPLIT(ssn, "-") as an array',
    `SELECT patient_id, SPLIT(ssn, '-') AS parts FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'the SSN one character per array element',
    `SELECT patient_id, ARRAY(SELECT SUBSTR(ssn, i, 1) FROM UNNEST(GENERATE_ARRAY(1, 11)) AS i ORDER BY i) AS chars FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'the SSN written in a note, one character per array element',
    `SELECT note_id, ARRAY(SELECT SUBSTR(note_text, STRPOS(note_text, 'SSN ') + 3 + i, 1) FROM UNNEST(GENERATE_ARRAY(1, 11)) AS i ORDER BY i) AS chars FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'nested and array smuggling',
    'the SSN one character per column',
    `SELECT patient_id, ${Array.from({ length: 11 }, (_, i) => `SUBSTR(ssn, ${i + 1}, 1) AS c${i + 1}`).join(', ')} FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'JSON_OBJECT with the SSN in two halves',
    `SELECT patient_id, JSON_OBJECT('a', SUBSTR(ssn, 1, 5), 'b', SUBSTR(ssn, 6)) AS j FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'TO_JSON(STRUCT(ssn AS x))',
    `SELECT patient_id, TO_JSON(STRUCT(ssn AS x)) AS j FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'JSON_ARRAY of the SSN pieces',
    `SELECT patient_id, JSON_ARRAY(SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8)) AS j FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'the SSN three structs deep',
    `SELECT patient_id, STRUCT(STRUCT(STRUCT(ssn AS deep) AS inner_s) AS mid) AS outer_s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'ARRAY(SELECT AS STRUCT …) of SSN halves',
    `SELECT patient_id, ARRAY(SELECT AS STRUCT SUBSTR(ssn, 1, 6) AS h, SUBSTR(ssn, 7) AS t) AS x FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'nested and array smuggling',
    'names and e-mail inside an array of structs',
    `SELECT patient_id, [STRUCT(first_name AS f, [last_name, email] AS more)] AS who FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'nested and array smuggling',
    'birth_date inside a struct and an array',
    `SELECT patient_id, STRUCT(birth_date AS d) AS s, [birth_date, DATE(created_at)] AS arr FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'nested and array smuggling',
    'note text inside a struct',
    `SELECT note_id, STRUCT(note_text AS body, note_date AS signed) AS s FROM ${N}`,
    NOTES_OUT,
  ),
];

const setOperations: AttackCase[] = [
  attack(
    'set operations',
    'UNION ALL of the SSN with its reverse',
    `SELECT patient_id, ssn AS v FROM ${P} UNION ALL SELECT patient_id, REVERSE(ssn) FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of a masked name column with SSN digits',
    `SELECT patient_id, last_name AS v FROM ${P} UNION ALL SELECT patient_id, REPLACE(ssn, '-', '') FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of NULLs with the SSN pieces concatenated',
    `SELECT patient_id, CAST(NULL AS STRING) AS v FROM ${P} UNION ALL SELECT patient_id, CONCAT(SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8)) FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of an empty branch and base64 of the SSN',
    `SELECT patient_id, 'x' AS v FROM ${P} WHERE FALSE UNION ALL SELECT patient_id, TO_BASE64(CAST(ssn AS BYTES)) FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'parenthesised UNION ALL branches with LIMIT',
    `(SELECT patient_id, ssn AS v FROM ${P} ORDER BY patient_id LIMIT 10) UNION ALL (SELECT patient_id, REVERSE(ssn) FROM ${P} ORDER BY patient_id LIMIT 10)`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL inside a subquery, SSN and e-mail in one column',
    `SELECT patient_id, v FROM (SELECT patient_id, ssn AS v FROM ${P} UNION ALL SELECT patient_id, email FROM ${P})`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of note text with SSNs',
    `SELECT note_id AS id, note_text AS t FROM ${N} UNION ALL SELECT patient_id, ssn FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of the ZIP with ZIP3 and its last two digits glued',
    `SELECT patient_id, zip AS z FROM ${P} UNION ALL SELECT patient_id, CONCAT(SUBSTR(zip, 1, 3), SUBSTR(zip, 4, 2)) FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'set operations',
    'UNION ALL of birth_date with birth_date plus zero days',
    `SELECT patient_id, birth_date AS d FROM ${P} UNION ALL SELECT patient_id, DATE_ADD(birth_date, INTERVAL 0 DAY) FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'set operations',
    'INTERSECT DISTINCT as an SSN membership oracle',
    `SELECT '868-14-2446' AS guess INTERSECT DISTINCT SELECT ssn FROM ${P}`,
    SSN_PREDICATE,
  ),
  attack(
    'set operations',
    "EXCEPT DISTINCT leaving one patient's SSN",
    `SELECT ssn FROM ${P} EXCEPT DISTINCT SELECT ssn FROM ${P} WHERE patient_id != 'P000001'`,
    SSN_PREDICATE,
  ),
  attack(
    'set operations',
    'UNION DISTINCT over SSN digits',
    `SELECT REPLACE(ssn, '-', '') AS v FROM ${P} UNION DISTINCT SELECT '000000000'`,
    SSN_PREDICATE,
  ),
];

const windows: AttackCase[] = [
  attack(
    'window functions',
    'LAG(ssn) OVER (ORDER BY patient_id)',
    `SELECT patient_id, LAG(ssn) OVER (ORDER BY patient_id) AS prev FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'LEAD(ssn, 1) OVER (ORDER BY patient_id)',
    `SELECT patient_id, LEAD(ssn, 1) OVER (ORDER BY patient_id) AS next FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'FIRST_VALUE(ssn) over a moving frame',
    `SELECT patient_id, FIRST_VALUE(ssn) OVER (ORDER BY patient_id ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS f FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'NTH_VALUE(ssn, 2) over the whole table',
    `SELECT patient_id, NTH_VALUE(ssn, 2) OVER (ORDER BY patient_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'LAST_VALUE(REVERSE(ssn)) per patient',
    `SELECT patient_id, LAST_VALUE(REVERSE(ssn)) OVER (PARTITION BY patient_id) AS r FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'STRING_AGG(ssn) over the last three rows',
    `SELECT patient_id, STRING_AGG(ssn, ',') OVER (ORDER BY patient_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS w FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'ARRAY_AGG of SSN pieces over a one-row window',
    `SELECT patient_id, ARRAY_AGG(SUBSTR(ssn, 1, 6)) OVER (PARTITION BY patient_id) AS head, SUBSTR(ssn, 7) AS tail FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'MAX(ssn) OVER () on every row',
    `SELECT patient_id, MAX(ssn) OVER () AS m FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'window functions',
    'LAG of names and LEAD of birth dates',
    `SELECT patient_id, LAG(last_name) OVER (ORDER BY patient_id) AS prev_name, LEAD(birth_date) OVER (ORDER BY patient_id) AS next_dob FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'window functions',
    'LAG(note_text) over notes',
    `SELECT note_id, LAG(note_text) OVER (ORDER BY note_id) AS prev FROM ${N}`,
    NOTES_OUT,
  ),
  attack(
    'window functions',
    'FIRST_VALUE ordered by ssn',
    `SELECT patient_id, FIRST_VALUE(patient_id) OVER (ORDER BY ssn) AS lowest FROM ${P}`,
    SSN_PREDICATE,
  ),
  attack(
    'window functions',
    'RANK() partitioned by the SSN area',
    `SELECT patient_id, RANK() OVER (PARTITION BY SUBSTR(ssn, 1, 3) ORDER BY patient_id) AS r FROM ${P}`,
    SSN_PREDICATE,
  ),
];

const json: AttackCase[] = [
  attack(
    'JSON functions',
    "JSON_VALUE(TO_JSON_STRING(p), '$.ssn')",
    `SELECT patient_id, JSON_VALUE(TO_JSON_STRING(p), '$.ssn') AS s FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    "JSON_QUERY(TO_JSON_STRING(p), '$') of the whole row",
    `SELECT patient_id, JSON_QUERY(TO_JSON_STRING(p), '$') AS j FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'TO_JSON_STRING(p) of the whole row',
    `SELECT patient_id, TO_JSON_STRING(p) AS j FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'JSON_EXTRACT_SCALAR of a struct with the SSN',
    `SELECT patient_id, JSON_EXTRACT_SCALAR(TO_JSON_STRING(STRUCT(ssn)), '$.ssn') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'JSON_KEYS of an object keyed by the SSN',
    `SELECT patient_id, JSON_KEYS(JSON_OBJECT(ssn, 1)) AS k FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'PARSE_JSON of text built around the SSN',
    `SELECT patient_id, PARSE_JSON(CONCAT('{"v":"', ssn, '"}')) AS j FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'JSON_VALUE of JSON_OBJECT with the reversed SSN',
    `SELECT patient_id, JSON_VALUE(JSON_OBJECT('x', REVERSE(ssn)), '$.x') AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    "JSON_VALUE(TO_JSON(p), '$.ssn') on the JSON type",
    `SELECT patient_id, JSON_VALUE(TO_JSON(p), '$.ssn') AS s FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'JSON_QUERY of an array of SSN pieces',
    `SELECT patient_id, JSON_QUERY(TO_JSON_STRING(STRUCT([SUBSTR(ssn, 1, 3), SUBSTR(ssn, 5, 2), SUBSTR(ssn, 8)] AS a)), '$.a') AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    'JSON_EXTRACT_ARRAY of the SSN and the phone',
    `SELECT patient_id, JSON_EXTRACT_ARRAY(TO_JSON_STRING([ssn, phone])) AS a FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'JSON functions',
    "JSON_EXTRACT(TO_JSON_STRING(p), '$.last_name')",
    `SELECT patient_id, JSON_EXTRACT(TO_JSON_STRING(p), '$.last_name') AS ln FROM ${P} AS p`,
    ROW_READ,
  ),
  attack(
    'JSON functions',
    "JSON_VALUE(TO_JSON_STRING(STRUCT(birth_date)), '$.birth_date')",
    `SELECT patient_id, JSON_VALUE(TO_JSON_STRING(STRUCT(birth_date, first_name)), '$.birth_date') AS d FROM ${P}`,
    PHI_OUT,
  ),
  attack(
    'JSON functions',
    "JSON_VALUE(TO_JSON_STRING(n), '$.note_text')",
    `SELECT note_id, JSON_VALUE(TO_JSON_STRING(n), '$.note_text') AS t FROM ${N} AS n`,
    NOTES_OUT,
  ),
];

const unnest: AttackCase[] = [
  attack(
    'UNNEST',
    "UNNEST(SPLIT(ssn, '-')) into rows",
    `SELECT patient_id, part FROM ${P} CROSS JOIN UNNEST(SPLIT(ssn, '-')) AS part`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    "UNNEST(SPLIT(ssn, '')) WITH OFFSET",
    `SELECT patient_id, ch, off FROM ${P} CROSS JOIN UNNEST(SPLIT(ssn, '')) AS ch WITH OFFSET AS off`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST(TO_CODE_POINTS(ssn)) WITH OFFSET, ordered',
    `SELECT patient_id, c, o FROM ${P}, UNNEST(TO_CODE_POINTS(ssn)) AS c WITH OFFSET AS o ORDER BY patient_id, o`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of REGEXP_EXTRACT_ALL digits WITH OFFSET, shuffled',
    `SELECT patient_id, d, pos FROM ${P} CROSS JOIN UNNEST(REGEXP_EXTRACT_ALL(ssn, '[0-9]')) AS d WITH OFFSET AS pos ORDER BY patient_id, d`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of an array of structs with SSN pieces',
    `SELECT patient_id, s.v FROM ${P} CROSS JOIN UNNEST([STRUCT(SUBSTR(ssn, 1, 3) AS v), STRUCT(SUBSTR(ssn, 5, 2) AS v), STRUCT(SUBSTR(ssn, 8) AS v)]) AS s`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of an ARRAY_AGG of all SSNs',
    `SELECT x FROM UNNEST((SELECT ARRAY_AGG(ssn) FROM ${P})) AS x`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of base64 of the SSN',
    `SELECT patient_id, b FROM ${P} CROSS JOIN UNNEST([TO_BASE64(CAST(ssn AS BYTES))]) AS b`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of ARRAY(SELECT AS STRUCT …) with SSN halves',
    `SELECT p.patient_id, e.a, e.b FROM ${P} AS p CROSS JOIN UNNEST(ARRAY(SELECT AS STRUCT SUBSTR(p.ssn, 1, 6) AS a, SUBSTR(p.ssn, 7) AS b)) AS e`,
    SSN_OUT,
  ),
  attack(
    'UNNEST',
    "UNNEST(SPLIT(note_text, 'SSN ')): the number starts a piece, its label left behind",
    `SELECT note_id, part FROM ${N} CROSS JOIN UNNEST(SPLIT(note_text, 'SSN ')) AS part`,
    NOTES_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of names and e-mail into rows',
    `SELECT patient_id, x FROM ${P} CROSS JOIN UNNEST([first_name, last_name, email]) AS x`,
    PHI_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of the reversed last name, a letter a row',
    `SELECT patient_id, ch, o FROM ${P} CROSS JOIN UNNEST(SPLIT(REVERSE(last_name), '')) AS ch WITH OFFSET AS o`,
    PHI_OUT,
  ),
  attack(
    'UNNEST',
    "UNNEST(SPLIT(note_text, ' ')) of one patient's notes, a word a row",
    `SELECT note_id, w FROM ${N} CROSS JOIN UNNEST(SPLIT(note_text, ' ')) AS w WHERE patient_id = 'P000001'`,
    NOTES_OUT,
  ),
  attack(
    'UNNEST',
    'UNNEST of the SSN split into groups with their index',
    `SELECT patient_id, i, SPLIT(ssn, '-')[SAFE_OFFSET(i)] AS part FROM ${P} CROSS JOIN UNNEST(GENERATE_ARRAY(2, 0, -1)) AS i`,
    SSN_OUT,
  ),
];

const subqueries: AttackCase[] = [
  attack(
    'subqueries and CTEs',
    'CTE renaming SSN pieces to ssn, mrn and first_name',
    `WITH x AS (SELECT patient_id, SUBSTR(ssn, 1, 3) AS ssn, SUBSTR(ssn, 5, 2) AS mrn, SUBSTR(ssn, 8, 4) AS first_name FROM ${P}) SELECT patient_id, ssn, mrn, first_name FROM x`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    "SELECT * FROM (SELECT CONCAT('ZZZZZ', SUBSTR(ssn …)) AS ssn …)",
    `SELECT * FROM (SELECT patient_id, CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3)) AS ssn, CONCAT('ZZZZZ', SUBSTR(ssn, 5, 2)) AS ssn_2, CONCAT('ZZZZZ', SUBSTR(ssn, 8, 4)) AS ssn_3 FROM ${P})`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'CTE chain: SSN renamed, then reversed under a harmless name',
    `WITH a AS (SELECT patient_id, ssn AS x FROM ${P}), b AS (SELECT patient_id, REVERSE(x) AS y FROM a) SELECT patient_id, y AS sex FROM b`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'correlated scalar subquery returning the SSN',
    `SELECT patient_id, (SELECT q.ssn FROM ${P} AS q WHERE q.patient_id = p.patient_id) AS s FROM ${P} AS p`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    "uncorrelated scalar subquery for one patient's SSN",
    `SELECT (SELECT ssn FROM ${P} WHERE patient_id = 'P000001') AS s`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'derived table renaming the SSN to a reference column name',
    `SELECT t.* FROM (SELECT patient_id, ssn AS icd10_code FROM ${P}) AS t`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'three nested SELECT *',
    `SELECT patient_id, ssn FROM (SELECT * FROM (SELECT * FROM ${P}))`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'CONCAT with an empty string in a derived table',
    `SELECT patient_id, s FROM (SELECT patient_id, CONCAT(ssn, '') AS s FROM ${P})`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'JOIN a derived table of SSNs USING (patient_id)',
    `SELECT p.patient_id, x.ssn FROM ${P} AS p JOIN (SELECT patient_id, ssn FROM ${P}) AS x USING (patient_id)`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'recursive CTE of positions, one SSN character a row',
    `WITH RECURSIVE r AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM r WHERE i < 11) SELECT p.patient_id, r.i, SUBSTR(p.ssn, r.i, 1) AS ch FROM ${P} AS p CROSS JOIN r`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'scalar subquery SELECT AS STRUCT of SSN and MRN',
    `SELECT patient_id, (SELECT AS STRUCT ssn, mrn) AS s FROM ${P}`,
    SSN_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'CTE renaming note text to a harmless name',
    `WITH notes AS (SELECT note_id, note_text AS author FROM ${N}) SELECT note_id, author FROM notes`,
    NOTES_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'CTE renaming the last name to sex',
    `WITH x AS (SELECT patient_id, last_name AS sex, first_name AS state FROM ${P}) SELECT * FROM x`,
    PHI_OUT,
  ),
  attack(
    'subqueries and CTEs',
    'encounters joined to a CTE of patients, SSN under an encounter name',
    `WITH pt AS (SELECT patient_id, ssn AS facility FROM ${P}) SELECT e.encounter_id, pt.facility FROM ${E} AS e JOIN pt USING (patient_id)`,
    SSN_OUT,
  ),
];

const scripting: AttackCase[] = [
  attack(
    'scripting',
    'DECLARE, SET from a subquery, SELECT the variable',
    `DECLARE s STRING; SET s = (SELECT ssn FROM ${P} WHERE patient_id = 'P000001'); SELECT s;`,
    REFUSED,
  ),
  attack(
    'scripting',
    'EXECUTE IMMEDIATE of a literal query',
    'EXECUTE IMMEDIATE "SELECT patient_id, ssn FROM `demo-warden.clinical.patients`"',
    REFUSED,
  ),
  attack(
    'scripting',
    'EXECUTE IMMEDIATE of a query built with CONCAT',
    `EXECUTE IMMEDIATE CONCAT('SELECT patient_id, s', 'sn FROM ', '${P}')`,
    REFUSED,
  ),
  attack(
    'scripting',
    'EXECUTE IMMEDIATE of a query held in a variable',
    `DECLARE q STRING DEFAULT 'SELECT ssn FROM ${P}'; EXECUTE IMMEDIATE q;`,
    REFUSED,
  ),
  attack('scripting', 'BEGIN … END block', `BEGIN SELECT patient_id, ssn FROM ${P}; END;`, REFUSED),
  attack(
    'scripting',
    'two statements, the second reading SSNs',
    `SELECT 1 AS x; SELECT patient_id, ssn FROM ${P};`,
    REFUSED,
  ),
  attack(
    'scripting',
    'a LOOP before the query',
    `DECLARE i INT64 DEFAULT 0; LOOP SET i = i + 1; IF i > 2 THEN LEAVE; END IF; END LOOP; SELECT patient_id, ssn FROM ${P};`,
    REFUSED,
  ),
  attack(
    'scripting',
    'SET @@dataset_project_id, then an unqualified table',
    "SET @@dataset_project_id = 'demo-warden'; SELECT patient_id, ssn FROM clinical.patients;",
    REFUSED,
  ),
  attack(
    'scripting',
    'a transaction around the query',
    `BEGIN TRANSACTION; SELECT patient_id, ssn FROM ${P}; COMMIT TRANSACTION;`,
    REFUSED,
  ),
  attack(
    'scripting',
    'CREATE TEMP TABLE then SELECT * from it',
    `CREATE TEMP TABLE t AS SELECT patient_id, ssn FROM ${P}; SELECT * FROM t;`,
    REFUSED,
  ),
  attack('scripting', 'CALL a procedure', 'CALL `demo-warden.clinical.dump_ssn`()', REFUSED, {
    invalid: true,
  }),
  // Temp functions: the stand-in executes no multi-statement query, so these have no control; in BigQuery the
  // raw result would hold the SSNs. What the gateway answers is still judged.
  attack(
    'scripting',
    'a temp function that reverses its argument, applied to the SSN',
    `CREATE TEMP FUNCTION f(x STRING) AS (REVERSE(x)); SELECT patient_id, f(ssn) AS r FROM ${P};`,
    SSN_OUT,
    { control: false },
  ),
  attack(
    'scripting',
    'a temp function that reads the SSNs itself',
    `CREATE TEMP FUNCTION g() AS ((SELECT STRING_AGG(ssn, ',') FROM ${P})); SELECT g() AS s;`,
    SSN_OUT,
    { control: false },
  ),
  attack(
    'scripting',
    'a JavaScript temp function over the SSN',
    `CREATE TEMP FUNCTION h(x STRING) RETURNS STRING LANGUAGE js AS r"""return x.split('').join('.');"""; SELECT patient_id, h(ssn) AS s FROM ${P};`,
    SSN_OUT,
    { control: false },
  ),
];

/** Every attack, in class order. */
export const CORPUS: readonly AttackCase[] = [
  ...derived,
  ...textTransforms,
  ...predicateOracles,
  ...parseEvasion,
  ...aggregation,
  ...projectEscape,
  ...nested,
  ...setOperations,
  ...windows,
  ...json,
  ...unnest,
  ...subqueries,
  ...scripting,
];

/**
 * Variants the local BigQuery stand-in cannot run (GoogleSQL it does not implement yet), by name, with why.
 * Through the gateway they are refused at the dry run, which proves nothing about Warden's own checks; the
 * dry-run test fails on any variant the stand-in rejects that is not listed here, and on a listed one it now
 * accepts (so the list shrinks as the stand-in grows). On BigQuery itself these variants run, and Warden's
 * analysis decides them.
 */
export const STAND_IN_GAPS: Readonly<Record<string, string>> = {
  'FARM_FINGERPRINT(ssn)': 'FARM_FINGERPRINT is not implemented',
  'NORMALIZE(ssn, NFKC)': 'NORMALIZE is not implemented',
  'NORMALIZE_AND_CASEFOLD of e-mail and names': 'NORMALIZE_AND_CASEFOLD is not implemented',
  'hexadecimal integer literals in SUBSTR': 'hex integer literals do not parse',
  'SELECT AS VALUE STRUCT(…)': 'SELECT AS VALUE does not parse',
  'ARRAY_CONCAT_AGG of [patient_id, ssn]': 'an array literal argument is split at its commas',
  'ARRAY(SELECT AS STRUCT patient_id, ssn …)': 'SELECT AS STRUCT does not parse',
  'APPROX_TOP_COUNT(ssn, 5)': 'APPROX_TOP_COUNT is not implemented',
  'ARRAY_AGG(ssn IGNORE NULLS LIMIT 60)': 'ARRAY_AGG … LIMIT does not parse',
  'ARRAY(SELECT AS STRUCT …) of SSN halves': 'SELECT AS STRUCT does not parse',
  'names and e-mail inside an array of structs': 'an array inside STRUCT(…) does not translate',
  'JSON_QUERY of an array of SSN pieces': 'an array inside STRUCT(…) does not translate',
  'JSON_EXTRACT_ARRAY of the SSN and the phone': 'JSON_EXTRACT_ARRAY is not implemented',
  "UNNEST(SPLIT(ssn, '')) WITH OFFSET": 'UNNEST … WITH OFFSET is not implemented',
  'UNNEST(TO_CODE_POINTS(ssn)) WITH OFFSET, ordered': 'UNNEST … WITH OFFSET is not implemented',
  'UNNEST of REGEXP_EXTRACT_ALL digits WITH OFFSET, shuffled': 'UNNEST … WITH OFFSET is not implemented',
  'UNNEST of ARRAY(SELECT AS STRUCT …) with SSN halves': 'SELECT AS STRUCT does not parse',
  'UNNEST of the reversed last name, a letter a row': 'UNNEST … WITH OFFSET is not implemented',
  'UNNEST of the SSN split into groups with their index': 'SAFE_OFFSET is not implemented',
  'scalar subquery SELECT AS STRUCT of SSN and MRN': 'SELECT AS STRUCT does not parse',
  'BEGIN … END block': 'BEGIN … END scripts do not run',
  'a LOOP before the query': 'LOOP scripts do not run',
  'SET @@dataset_project_id, then an unqualified table': '@@dataset_project_id is not implemented',
  'CREATE TEMP TABLE then SELECT * from it': 'temporary tables are not implemented',
};
