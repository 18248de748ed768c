// The leak oracle of the PHI attack corpus: finds the synthetic dataset's planted identifiers in a result however they come back (encoded, hashed, split, reassembled, shifted).

import { createHash } from 'node:crypto';
import type { PlantedIdentifier, SyntheticDataset } from '../../dev/synthetic/generate.ts';
import { CLINICAL_TABLES } from '../../dev/synthetic/schema.ts';
import { PatternSet } from './aho-corasick.ts';
import { farmFingerprint } from './farmhash.ts';

/** One planted identifier found in a scanned value. */
export interface Leak {
  identifier: PlantedIdentifier;
  /** The patient the identifier belongs to. */
  patientId: string;
  /** How it came back: `as is`, `digits only`, `reversed`, `base64 → reversed`, `joined across a row`, … */
  encoding: string;
  /** Where in the scanned value: `[3].b`, `[3].parts[*]` (joined), `[*].d by pos` (joined over rows). */
  path: string;
}

/** What one scan found. */
export interface Scan {
  /** Every planted identifier found, once per identifier and encoding. */
  leaks: Leak[];
  /**
   * Scalar cells (JSON text counted whole) holding unique identifiers of several patients, e.g. a
   * STRING_AGG or TO_JSON_STRING(ARRAY_AGG(…)) of many people: path → number of patients.
   */
  crowded: Map<string, number>;
}

/** A date planted as `YYYY-01-01` reads exactly like a year mask, which Safe Harbor allows. */
export function isYearMask(p: PlantedIdentifier): boolean {
  if (p.kind !== 'date' && p.kind !== 'birth_date') return false;
  const d = parseDates(p.value, false)[0];
  return d !== undefined && d.month === 1 && d.day === 1;
}

/**
 * Released values of a result: 1 per row plus 1 per array element, recursively (nested repeated fields
 * count). JSON text is one value here; a cell that smuggles several people through it is what
 * {@link Scan.crowded} reports.
 */
export function releasedValues(rows: readonly unknown[]): number {
  const inner = (v: unknown, depth: number): number => {
    if (depth > 32) return 0;
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + inner(x, depth + 1), 0);
    if (v !== null && typeof v === 'object')
      return Object.values(v).reduce((n: number, x) => n + inner(x, depth + 1), 0);
    return 0;
  };
  return rows.reduce((n: number, r) => n + 1 + inner(r, 0), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers

const isWordCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWordAt = (s: string, i: number): boolean => i >= 0 && i < s.length && isWordCode(s.charCodeAt(i));

/** Lower case with the same length (so offsets stay valid). */
function fold(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

const reverse = (s: string): string => Array.from(s).reverse().join('');
const alnum = (s: string): string => s.replace(/[^a-z0-9]/g, '');

/** NFKC (full-width digits), without format characters (zero-width spaces) and combining marks. */
function unicodeClean(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC');
}

/** TRANSLATE-style maps, undone: words made only of the letters a–j become digits. */
const LETTER_MAPS: readonly { name: string; digitOf: (c: string) => string }[] = [
  { name: 'a→0 … j→9', digitOf: (c) => String(c.toLowerCase().charCodeAt(0) - 97) },
  { name: 'j→0 … a→9', digitOf: (c) => String(106 - c.toLowerCase().charCodeAt(0)) },
];

function unmapLetters(s: string, digitOf: (c: string) => string): string {
  return s.replace(/(?<![A-Za-z0-9])[A-Ja-j]+(?![A-Za-z0-9])/g, (w) => Array.from(w, digitOf).join(''));
}

function looksLikeJson(s: string): boolean {
  const t = s.trimStart();
  return (t.startsWith('{') || t.startsWith('[') || t.startsWith('"')) && s.length >= 2;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are valid UTF-8 without control characters (other than white space). */
function printable(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  try {
    const s = utf8.decode(bytes);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary data
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

function base64Bytes(s: string): Uint8Array | undefined {
  const t = s.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (t.length < 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  const padded = t.length % 4 === 0 ? t : t + '='.repeat((4 - (t.length % 4)) % 4);
  if (padded.length % 4 !== 0 || /=[^=]/.test(padded)) return undefined;
  const bytes = Buffer.from(padded, 'base64');
  // Only canonical base64 (it re-encodes to itself): random words are rarely that.
  return bytes.toString('base64').replace(/=+$/, '') === padded.replace(/=+$/, '') ? bytes : undefined;
}

function hexBytes(s: string): Uint8Array | undefined {
  const t = s.trim().replace(/^0x/i, '');
  if (t.length < 4 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) return undefined;
  return Buffer.from(t, 'hex');
}

/** Text decoded from `s` (base64, hex, percent-encoding), each with the name of its encoding. */
function decodings(s: string): [string, string][] {
  const out: [string, string][] = [];
  const b64 = base64Bytes(s);
  const fromB64 = b64 && printable(b64);
  if (fromB64 !== undefined && fromB64 !== s) out.push([fromB64, 'base64']);
  const hex = hexBytes(s);
  const fromHex = hex && printable(hex);
  if (fromHex !== undefined && fromHex !== s) out.push([fromHex, 'hex']);
  if (/%[0-9a-fA-F]{2}/.test(s)) {
    try {
      out.push([decodeURIComponent(s), 'percent-encoding']);
    } catch {
      // not percent-encoded text
    }
  }
  return out;
}

/** A run of digits in a text, with light separators (up to three non-alphanumerics) allowed inside. */
interface DigitGroup {
  digits: string;
  /** The group starts the text / ends it (only non-alphanumerics before / after it). */
  atStart: boolean;
  atEnd: boolean;
}

const DIGIT_RUN = /[0-9]+(?:[^\p{L}\p{N}]{1,3}[0-9]+)*/gu;

/** Short values with few kinds of other characters (`XXXXX2446`, `1x2x3x-x4…`) read as their digits only. */
function isDigitsOnlyValue(s: string): boolean {
  if (s.length > 64 || !/[0-9]/.test(s)) return false;
  const others = new Set(s.replace(/[0-9]/g, ''));
  return others.size <= 3;
}

function digitGroups(s: string): DigitGroup[] {
  if (isDigitsOnlyValue(s)) return [{ digits: s.replace(/[^0-9]/g, ''), atStart: true, atEnd: true }];
  const out: DigitGroup[] = [];
  for (const m of s.matchAll(DIGIT_RUN)) {
    const start = m.index;
    const end = start + m[0].length;
    out.push({
      digits: m[0].replace(/[^0-9]/g, ''),
      atStart: !/[\p{L}\p{N}]/u.test(s.slice(0, start)),
      atEnd: !/[\p{L}\p{N}]/u.test(s.slice(end)),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Dates

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';

interface CivilDate {
  year: number;
  month: number;
  day: number;
  dayNumber: number;
  /** The text it was read from. */
  text: string;
}

function civil(year: number, month: number, day: number, text: string): CivilDate | undefined {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return undefined;
  const t = Date.UTC(year, month - 1, day);
  const d = new Date(t);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day, dayNumber: Math.round(t / 86_400_000), text };
}

/**
 * Every calendar date written in `s`: ISO, US and European numeric, month names, and (with `compact`, when
 * `s` is just eight digits) YYYYMMDD, MMDDYYYY and DDMMYYYY.
 */
function parseDates(s: string, compact = true): CivilDate[] {
  const out: CivilDate[] = [];
  const push = (d: CivilDate | undefined) => {
    if (d) out.push(d);
  };
  const lower = s.toLowerCase();
  for (const m of lower.matchAll(/(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g))
    push(civil(Number(m[1]), Number(m[2]), Number(m[3]), m[0]));
  for (const m of lower.matchAll(/(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)/g)) {
    push(civil(Number(m[3]), Number(m[1]), Number(m[2]), m[0]));
    push(civil(Number(m[3]), Number(m[2]), Number(m[1]), m[0]));
  }
  for (const m of lower.matchAll(
    new RegExp(`\\b${MONTH_WORD}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`, 'g'),
  ))
    push(civil(Number(m[3]), MONTHS.indexOf(m[1]!) + 1, Number(m[2]), m[0]));
  for (const m of lower.matchAll(
    new RegExp(`(?<!\\d)(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH_WORD},?\\s+(\\d{4})(?!\\d)`, 'g'),
  ))
    push(civil(Number(m[3]), MONTHS.indexOf(m[2]!) + 1, Number(m[1]), m[0]));
  const t = s.trim();
  if (compact && /^\d{8}$/.test(t)) {
    const n = (a: number, b: number) => Number(t.slice(a, b));
    push(civil(n(0, 4), n(4, 6), n(6, 8), t));
    push(civil(n(4, 8), n(0, 2), n(2, 4), t));
    push(civil(n(4, 8), n(2, 4), n(0, 2), t));
  }
  return out;
}

/** Month/day pairs written without a year (`December 15`, `15 Dec`; and as a whole value `12-15`, `12/15`). */
function monthDayPairs(s: string): [number, number][] {
  const out: [number, number][] = [];
  const lower = s.toLowerCase();
  for (const m of lower.matchAll(new RegExp(`\\b${MONTH_WORD}\\s+(\\d{1,2})(?!\\d)`, 'g')))
    out.push([MONTHS.indexOf(m[1]!) + 1, Number(m[2])]);
  for (const m of lower.matchAll(new RegExp(`(?<!\\d)(\\d{1,2})\\s+${MONTH_WORD}`, 'g')))
    out.push([MONTHS.indexOf(m[2]!) + 1, Number(m[1])]);
  const numeric = /^\s*(\d{1,2})[-/.](\d{1,2})\s*$/.exec(s);
  if (numeric) {
    out.push([Number(numeric[1]), Number(numeric[2])]);
    out.push([Number(numeric[2]), Number(numeric[1])]);
  }
  return out;
}

/** Days a shifted or truncated date may lie from the planted one and still count as that date. */
const DATE_TOLERANCE_DAYS = 40;

// ---------------------------------------------------------------------------------------------------------
// The index

interface Target {
  id: number;
  p: PlantedIdentifier;
  patientId: string;
  /** The value belongs to this patient only (so finding it names one person). */
  unique: boolean;
}

/** A searchable form of a target. Weak forms (short names, ZIPs, near dates) count only in the owner's rows. */
interface Form {
  target: Target;
  strong: boolean;
  /** False when this form (an e-mail's local part) may be another patient's too, whatever the target. */
  unique?: false;
}

/** Where a scanned piece of text sits. */
interface Ctx {
  path: string;
  /** The scalar cell of the scanned value it comes from (JSON text counts whole); none for joined values. */
  cell: string | undefined;
  /** Patients whose rows it lies in (from key columns such as patient_id or note_id). */
  owners: ReadonlySet<string>;
}

interface Leaf {
  id: number;
  text: string;
  ctx: Ctx;
  key: boolean;
}

/** Identifiers with this many digits are also looked for as digits only. */
const DIGITS_MIN = 7;
/** Letters-and-digits-only forms this long are looked for inside squashed text (no word boundaries). */
const ALNUM_LONG_MIN = 10;
/** Single names this long (and found in no other text of the dataset) count anywhere, not only in their rows. */
const NAME_MIN = 5;
/** Longer values end a joined run instead of joining it (they are scanned on their own). */
const MAX_JOIN_LEAF = 4096;
/** Nested decodings tried (base64 of hex of …). */
const MAX_DEPTH = 3;
/** Longer digit runs in one value are no piece of an identifier and do not join their neighbours'. */
const MAX_PIECE_DIGITS = 24;

/**
 * The planted identifiers of a synthetic dataset (patients and clinical_notes), indexed for every encoding
 * the attack corpus tries. Strong forms (SSNs, phone and record numbers, e-mail and street addresses, names
 * of five letters or more that appear nowhere in the dataset's other text, full dates) are found anywhere;
 * weak ones (short names, ZIP codes, shifted or split dates) only in rows owned by their patient, known from
 * a key column (patient_id, note_id, encounter_id …) in the same record.
 */
export class LeakOracle {
  readonly #targets: Target[] = [];
  readonly #ix: Index = {
    text: new PatternSet(),
    textForms: [],
    alnumLong: new PatternSet(),
    alnumLongForms: [],
    alnumEqual: new Map(),
    digitStrong: new Map(),
    digitLengths: [],
    digitWeak: new Map(),
    numeric: new Map(),
    dates: new Map(),
    datesOf: new Map(),
    hashes: new Map(),
    farm: new Map(),
  };
  /** Key values (patient, note, encounter … ids) → the patient. */
  readonly #patientOf = new Map<string, string>();
  /** Lower-case words of the dataset's text that is no identifier (diagnoses, clinicians, templates). */
  readonly #words = new Set<string>();

  constructor(dataset: SyntheticDataset) {
    const clinical = dataset.project.datasets.find((d) => d.tables.some((t) => t.tableId === 'patients'));
    if (!clinical) throw new Error('LeakOracle: the dataset has no patients table');
    const rowsOf = new Map(clinical.tables.map((t) => [t.tableId, t.rows]));
    for (const spec of CLINICAL_TABLES) {
      const rows = rowsOf.get(spec.tableId) ?? [];
      const pid = spec.columns.findIndex((c) => c.name === 'patient_id');
      for (const r of rows) this.#patientOf.set(String(r[0]), String(r[pid]));
    }
    const planted = dataset.identifiers.filter(
      (p) =>
        p.datasetId === clinical.datasetId && (p.tableId === 'patients' || p.tableId === 'clinical_notes'),
    );
    this.#collectWords(clinical.tables, planted);
    const patientFor = (p: PlantedIdentifier): string => {
      const row = rowsOf.get(p.tableId)?.[p.rowIndex];
      const spec = CLINICAL_TABLES.find((s) => s.tableId === p.tableId)!;
      const pid = spec.columns.findIndex((c) => c.name === 'patient_id');
      return String(row?.[pid]);
    };
    const owners = new Map<string, Set<string>>();
    for (const p of planted) {
      const k = alnum(p.value.toLowerCase());
      owners.set(k, (owners.get(k) ?? new Set()).add(patientFor(p)));
    }
    for (const p of planted) {
      const target: Target = {
        id: this.#targets.length,
        p,
        patientId: patientFor(p),
        // Dates are shared by many patients in any spelling, and a first name alone may be a relative's; other
        // values name one patient when only one has them.
        unique:
          p.kind !== 'date' &&
          p.kind !== 'birth_date' &&
          !(p.kind === 'name' && !/[\s,]/.test(p.value.trim())) &&
          owners.get(alnum(p.value.toLowerCase()))!.size === 1,
      };
      this.#targets.push(target);
      this.#index(target);
    }
    this.#ix.digitLengths.sort((a, b) => a - b);
  }

  /** The patient a key value (P000001, N00000001, E00000001 …) belongs to. */
  patientOfKey(value: string): string | undefined {
    return this.#patientOf.get(value);
  }

  /** Every planted identifier this oracle looks for. */
  get identifiers(): readonly PlantedIdentifier[] {
    return this.#targets.map((t) => t.p);
  }

  #collectWords(
    tables: readonly { tableId: string; rows: unknown[][] }[],
    planted: PlantedIdentifier[],
  ): void {
    const inNotes = new Map<number, string[]>();
    for (const p of planted)
      if (p.column === 'note_text') inNotes.set(p.rowIndex, [...(inNotes.get(p.rowIndex) ?? []), p.value]);
    const add = (s: string) => {
      for (const w of s.toLowerCase().match(/[a-z]+/g) ?? []) this.#words.add(w);
    };
    for (const t of tables) {
      const spec = CLINICAL_TABLES.find((s) => s.tableId === t.tableId);
      if (!spec) continue;
      for (const [ri, row] of t.rows.entries())
        for (const [ci, c] of spec.columns.entries()) {
          const v = row[ci];
          if (v === null || v === undefined || c.kind || c.name.endsWith('_id')) continue;
          if (c.name !== 'note_text') {
            add(String(v));
            continue;
          }
          let text = String(v);
          for (const x of [...(inNotes.get(ri) ?? [])].sort((a, b) => b.length - a.length))
            text = text.split(x).join(' ');
          add(text);
        }
    }
  }

  #index(t: Target): void {
    const { kind, value } = t.p;
    const push = <K>(map: Map<K, Form[]>, key: K, form: Form) =>
      map.set(key, [...(map.get(key) ?? []), form]);
    if (kind === 'date' || kind === 'birth_date') {
      const day = parseDates(value, false)[0];
      if (!day || (day.month === 1 && day.day === 1)) return;
      push(this.#ix.dates, day.dayNumber, { target: t, strong: true });
      this.#ix.datesOf.set(t.patientId, [...(this.#ix.datesOf.get(t.patientId) ?? []), { day, target: t }]);
      const iso = `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
      this.#hashForms(t, [iso, value]);
      return;
    }
    const digits = value.replace(/[^0-9]/g, '');
    if (kind === 'zip') push(this.#ix.digitWeak, digits, { target: t, strong: false });
    if (digits.length >= DIGITS_MIN) {
      const stripped = digits.replace(/^0+/, '');
      for (const d of new Set([digits, stripped]))
        if (d.length >= DIGITS_MIN) {
          push(this.#ix.digitStrong, d, { target: t, strong: true });
          if (!this.#ix.digitLengths.includes(d.length)) this.#ix.digitLengths.push(d.length);
        }
      push(this.#ix.numeric, stripped, { target: t, strong: true });
    }
    const lower = fold(value);
    const textual = /[a-z]/.test(lower) || kind === 'ip_address';
    if (textual) {
      const strong = this.#strongText(kind, lower);
      this.#addText(lower, { target: t, strong });
      if (kind === 'email') {
        const local = lower.slice(0, lower.indexOf('@'));
        if (local.length >= 6)
          this.#addText(local, { target: t, strong: !this.#words.has(local), unique: false });
      }
    }
    this.#hashForms(t, [
      value,
      value.toLowerCase(),
      value.toUpperCase(),
      ...(digits.length >= 7 ? [digits] : []),
    ]);
  }

  #strongText(kind: string, lower: string): boolean {
    if (kind === 'ip_address') return true;
    if (kind !== 'name') return alnum(lower).length >= 7;
    const words = lower.match(/[a-z]+/g) ?? [];
    if (words.length > 1) return alnum(lower).length >= 7;
    return lower.length >= NAME_MIN && !this.#words.has(lower);
  }

  #addText(lower: string, form: Form): void {
    const id = this.#ix.text.add(lower);
    this.#ix.textForms[id] = [form];
    const a = alnum(lower);
    if (a.length >= 3) this.#ix.alnumEqual.set(a, [...(this.#ix.alnumEqual.get(a) ?? []), form]);
    if (form.strong && a.length >= ALNUM_LONG_MIN)
      this.#ix.alnumLongForms[this.#ix.alnumLong.add(a)] = [form];
  }

  #hashForms(t: Target, texts: string[]): void {
    const form: Form = { target: t, strong: true };
    for (const text of new Set(texts)) {
      for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'])
        this.#ix.hashes.set(createHash(algorithm).update(text, 'utf8').digest('hex'), { form, algorithm });
      this.#ix.farm.set(farmFingerprint(text), form);
    }
  }

  /** Scans a value (rows, a tool result, an error message …) for every planted identifier. */
  scan(value: unknown): Scan {
    return new Scanner(this, this.#ix).run(value);
  }
}

/** The oracle's lookup structures, shared read-only with its scans. */
interface Index {
  text: PatternSet;
  textForms: Form[][];
  alnumLong: PatternSet;
  alnumLongForms: Form[][];
  alnumEqual: Map<string, Form[]>;
  digitStrong: Map<string, Form[]>;
  digitLengths: number[];
  digitWeak: Map<string, Form[]>;
  numeric: Map<string, Form[]>;
  dates: Map<number, Form[]>;
  datesOf: Map<string, { day: CivilDate; target: Target }[]>;
  hashes: Map<string, { form: Form; algorithm: string }>;
  farm: Map<string, Form>;
}

const NO_OWNERS: ReadonlySet<string> = new Set();

/** One value's place in a joined text. */
interface Segment {
  start: number;
  end: number;
  owners: ReadonlySet<string>;
}

/** One scan: walks the value, scans every scalar and every joined sequence, collects what it finds. */
class Scanner {
  readonly #oracle: LeakOracle;
  readonly #ix: Index;
  readonly #found = new Map<string, Leak>();
  readonly #crowd = new Map<string, Set<string>>();
  readonly #seenSequences = new Set<string>();
  #leafIds = 0;

  constructor(oracle: LeakOracle, ix: Index) {
    this.#oracle = oracle;
    this.#ix = ix;
  }

  run(value: unknown): Scan {
    this.#walk(value, '', undefined, NO_OWNERS, 0);
    const crowded = new Map<string, number>();
    for (const [cell, patients] of this.#crowd) if (patients.size > 1) crowded.set(cell, patients.size);
    return { leaks: [...this.#found.values()], crowded };
  }

  #accept(form: Form, ctx: Ctx, encoding: string): void {
    if (!form.strong && !ctx.owners.has(form.target.patientId)) return;
    const key = `${form.target.id}|${encoding}`;
    if (!this.#found.has(key))
      this.#found.set(key, {
        identifier: form.target.p,
        patientId: form.target.patientId,
        encoding,
        path: ctx.path || '(value)',
      });
    if (ctx.cell !== undefined && form.strong && form.target.unique && form.unique !== false) {
      const set = this.#crowd.get(ctx.cell) ?? new Set<string>();
      set.add(form.target.patientId);
      this.#crowd.set(ctx.cell, set);
    }
  }

  // --- walking -----------------------------------------------------------------------------------------

  /** Walks a value; returns its scalar leaves in order (JSON text stands for the values inside it). */
  #walk(
    value: unknown,
    path: string,
    jsonCell: string | undefined,
    owners: ReadonlySet<string>,
    depth: number,
  ): Leaf[] {
    if (value === null || value === undefined || depth > 40) return [];
    if (Array.isArray(value)) return this.#walkArray(value, path, jsonCell, owners, depth);
    if (typeof value === 'object')
      return this.#walkObject(value as Record<string, unknown>, path, jsonCell, owners, depth).flat;
    const text = typeof value === 'string' ? value : String(value);
    const ctx: Ctx = { path, cell: jsonCell ?? path, owners };
    const leaf: Leaf = {
      id: this.#leafIds++,
      text,
      ctx,
      key: this.#oracle.patientOfKey(text) !== undefined,
    };
    this.#scanValue(text, ctx, 'as is', 0);
    if (typeof value === 'string' && looksLikeJson(text)) {
      const parsed = parseJson(text);
      if (parsed !== undefined && typeof parsed !== 'string' && parsed !== null && typeof parsed === 'object')
        return this.#walk(parsed, `${path}{json}`, jsonCell ?? path, owners, depth + 1);
      if (typeof parsed === 'string') this.#scanValue(parsed, ctx, 'JSON string', 0);
    }
    return [leaf];
  }

  #ownersOf(record: Record<string, unknown>, inherited: ReadonlySet<string>): ReadonlySet<string> {
    const own = new Set<string>();
    for (const v of Object.values(record)) {
      if (typeof v !== 'string') continue;
      const p = this.#oracle.patientOfKey(v);
      if (p) own.add(p);
    }
    return own.size > 0 ? own : inherited;
  }

  #walkObject(
    record: Record<string, unknown>,
    path: string,
    jsonCell: string | undefined,
    inherited: ReadonlySet<string>,
    depth: number,
  ): { flat: Leaf[]; fields: Map<string, Leaf[]>; owners: ReadonlySet<string> } {
    const owners = this.#ownersOf(record, inherited);
    const fields = new Map<string, Leaf[]>();
    const flat: Leaf[] = [];
    for (const [k, v] of Object.entries(record)) {
      // Keys can carry data too (JSON_OBJECT(ssn, 1)).
      if (jsonCell !== undefined)
        this.#scanValue(k, { path: `${path}.${k}(key)`, cell: jsonCell, owners }, 'as is', 0);
      const leaves = this.#walk(v, `${path}.${k}`, jsonCell, owners, depth + 1);
      fields.set(k, leaves);
      flat.push(...leaves);
    }
    this.#sequence(flat, path || '(row)', 'joined across a record');
    if (owners.size > 0) this.#dateParts(flat, owners, path);
    return { flat, fields, owners };
  }

  #walkArray(
    items: unknown[],
    path: string,
    jsonCell: string | undefined,
    owners: ReadonlySet<string>,
    depth: number,
  ): Leaf[] {
    const records: { fields: Map<string, Leaf[]>; owners: ReadonlySet<string> }[] = [];
    const flat: Leaf[] = [];
    items.forEach((item, i) => {
      const p = `${path}[${i}]`;
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const r = this.#walkObject(item as Record<string, unknown>, p, jsonCell, owners, depth + 1);
        records.push(r);
        flat.push(...r.flat);
      } else flat.push(...this.#walk(item, p, jsonCell, owners, depth + 1));
    });
    this.#sequence(flat, `${path}[*]`, 'joined across elements');
    if (records.length >= 2) this.#table(records, path);
    return flat;
  }

  /**
   * Column-major joins of a table (rows, or an array of structs): each column over the rows, in order, by
   * every integer column (positions, offsets), per owner, and over the rows where a two-valued column (a
   * boolean, masked or not) has either value.
   */
  #table(records: { fields: Map<string, Leaf[]>; owners: ReadonlySet<string> }[], path: string): void {
    const names = [...new Set(records.flatMap((r) => [...r.fields.keys()]))];
    const single = (r: (typeof records)[number], f: string): Leaf | undefined => {
      const l = r.fields.get(f);
      return l?.length === 1 ? l[0] : undefined;
    };
    const numeric = names
      .filter((f) => records.every((r) => /^-?\d{1,15}$/.test(single(r, f)?.text ?? '')))
      .slice(0, 3);
    // Flags: columns with exactly two values (booleans, or booleans masked to two tokens) select rows.
    const flags = names
      .map((f) => [f, new Set(records.map((r) => single(r, f)?.text))] as const)
      .filter(([, values]) => values.size === 2 && !values.has(undefined))
      .slice(0, 2);
    const filters: [string, typeof records][] = [['', records]];
    for (const [f, values] of flags)
      for (const v of values)
        filters.push([
          ` where ${f} = ${String(v).slice(0, 12)}`,
          records.filter((r) => single(r, f)?.text === v),
        ]);
    for (const [where, subset] of filters) {
      const orders: [string, typeof records][] = [['', subset]];
      for (const n of numeric)
        orders.push([
          ` by ${n}`,
          [...subset].sort((a, b) => Number(single(a, n)!.text) - Number(single(b, n)!.text)),
        ]);
      for (const [by, ordered] of orders) {
        const groups = new Map<string, typeof records>();
        for (const r of ordered) {
          const g = [...r.owners].sort().join(',');
          groups.set(g, [...(groups.get(g) ?? []), r]);
        }
        const sets = groups.size > 1 ? [ordered, ...groups.values()] : [ordered];
        for (const set of sets)
          for (const f of names)
            this.#sequence(
              set.flatMap((r) => r.fields.get(f) ?? []),
              `${path}[*].${f}${by}${where}`,
              'joined across rows',
            );
      }
    }
  }

  // --- scalar scanning -----------------------------------------------------------------------------------

  #scanValue(text: string, ctx: Ctx, encoding: string, depth: number): void {
    if (text.length === 0) return;
    const variants: [string, string][] = [[text, encoding]];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: non-ASCII text gets a normalised variant
    if (/[^\u0000-\u007f]/.test(text)) {
      const clean = unicodeClean(text);
      if (clean !== text) variants.push([clean, `${encoding} → unicode-normalised`]);
    }
    const decoded = depth < MAX_DEPTH ? decodings(text) : [];
    // Hex of text (TO_HEX of a string) is mostly digits: its decoding is scanned, its digits are only noise.
    const digits = !(text.length >= 16 && decoded.some(([, how]) => how === 'hex'));
    for (const [v, e] of variants) {
      this.#scanText(v, ctx, e, false, digits);
      const r = reverse(v);
      this.#scanText(r, ctx, `${e} → reversed`, true, digits);
      for (const map of LETTER_MAPS) {
        for (const [s, how] of [
          [v, ''],
          [r, ' → reversed'],
        ] as const) {
          const mapped = unmapLetters(s, map.digitOf);
          if (mapped !== s) this.#scanDigits(mapped, ctx, `${e}${how} → letters ${map.name}`);
        }
      }
      this.#scanNumber(v, ctx, e);
      this.#scanHash(v, ctx, e);
    }
    for (const [plain, how] of decoded) this.#scanValue(plain, ctx, `${encoding} → ${how}`, depth + 1);
  }

  #scanText(s: string, ctx: Ctx, encoding: string, reversed: boolean, digits: boolean): void {
    const lower = fold(s);
    for (const m of this.#ix.text.search(lower)) {
      const first = lower.charCodeAt(m.start);
      const last = lower.charCodeAt(m.end - 1);
      if (isWordCode(first) && isWordAt(s, m.start - 1)) continue;
      if (isWordCode(last) && isWordAt(s, m.end)) continue;
      for (const f of this.#ix.textForms[m.pattern] ?? []) this.#accept(f, ctx, encoding);
    }
    const a = alnum(lower);
    if (a.length >= ALNUM_LONG_MIN)
      for (const m of this.#ix.alnumLong.search(a))
        for (const f of this.#ix.alnumLongForms[m.pattern] ?? [])
          this.#accept(f, ctx, `${encoding} → letters and digits only`);
    for (const f of this.#ix.alnumEqual.get(a) ?? [])
      this.#accept(f, ctx, `${encoding} → letters and digits only`);
    if (digits) this.#scanDigits(s, ctx, encoding);
    // Read backwards, an ordinary date can look like another one (2002-01-01 → 10-10-2002): skip those.
    for (const d of parseDates(s))
      if (!reversed || parseDates(reverse(d.text)).length === 0) this.#scanDate(d, ctx, encoding);
  }

  #scanDigits(s: string, ctx: Ctx, encoding: string): void {
    for (const g of digitGroups(s)) this.#matchDigits(g.digits, ctx, encoding);
  }

  #matchDigits(digits: string, ctx: Ctx, encoding: string): void {
    const label = `${encoding} → digits`;
    for (const L of this.#ix.digitLengths) {
      if (L > digits.length) break;
      for (let i = 0; i + L <= digits.length; i++)
        for (const f of this.#ix.digitStrong.get(digits.slice(i, i + L)) ?? []) this.#accept(f, ctx, label);
    }
    for (const f of this.#ix.digitWeak.get(digits) ?? []) this.#accept(f, ctx, label);
  }

  #scanDate(d: CivilDate, ctx: Ctx, encoding: string): void {
    for (const f of this.#ix.dates.get(d.dayNumber) ?? []) this.#accept(f, ctx, `${encoding} → date`);
    if (d.month === 1 && d.day === 1) return; // a year mask
    for (const owner of ctx.owners)
      for (const { day, target } of this.#ix.datesOf.get(owner) ?? []) {
        const diff = Math.abs(day.dayNumber - d.dayNumber);
        if (diff > 0 && diff <= DATE_TOLERANCE_DAYS)
          this.#accept({ target, strong: false }, ctx, `${encoding} → date moved by ${diff} days`);
      }
  }

  /** Integers and decimals: fingerprints, simple arithmetic on digits (±10, ×/÷ 2…10), day numbers. */
  #scanNumber(s: string, ctx: Ctx, encoding: string): void {
    const t = s.trim();
    if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(t)) return;
    const farm = this.#ix.farm.get(t);
    if (farm) this.#accept(farm, ctx, `${encoding} → FARM_FINGERPRINT`);
    const x = Number(t);
    if (!Number.isFinite(x)) return;
    if (Math.abs(x) >= 1e5) {
      const candidates = new Set<number>();
      if (Number.isInteger(x)) for (let d = -10; d <= 10; d++) candidates.add(x + d);
      for (let k = 2; k <= 10; k++) {
        candidates.add(x * k);
        candidates.add(x / k);
      }
      candidates.add(x);
      for (const c of candidates) {
        const r = Math.round(c);
        if (Math.abs(c - r) > 1e-6 * Math.max(1, Math.abs(c)) || r <= 0) continue;
        for (const f of this.#ix.numeric.get(String(r)) ?? [])
          this.#accept(f, ctx, `${encoding} → arithmetic`);
      }
    }
    if (Number.isInteger(x) && Math.abs(x) >= 1000 && Math.abs(x) < 80_000)
      for (const owner of ctx.owners)
        for (const { day, target } of this.#ix.datesOf.get(owner) ?? [])
          if (day.dayNumber === x) this.#accept({ target, strong: false }, ctx, `${encoding} → day number`);
  }

  #scanHash(s: string, ctx: Ctx, encoding: string): void {
    const t = s.trim();
    let hex: string | undefined;
    if (/^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i.test(t)) hex = t.toLowerCase();
    else {
      const bytes = base64Bytes(t);
      if (bytes && [16, 20, 32, 64].includes(bytes.length)) hex = Buffer.from(bytes).toString('hex');
    }
    const hit = hex && this.#ix.hashes.get(hex);
    if (hit) this.#accept(hit.form, ctx, `${encoding} → ${hit.algorithm.toUpperCase()}`);
  }

  /** A record's year, month and day in separate places (EXTRACT(YEAR …), EXTRACT(MONTH …), FORMAT_DATE('%B %d' …)). */
  #dateParts(flat: Leaf[], owners: ReadonlySet<string>, path: string): void {
    const years = new Set<number>();
    const ints: { leaf: number; value: number }[] = [];
    const pairs = new Set<string>();
    for (const l of flat) {
      if (l.key) continue;
      for (const m of l.text.matchAll(/(?<!\d)(19\d\d|20\d\d)(?!\d)/g)) years.add(Number(m[1]));
      if (/^[1-9]\d?$/.test(l.text.trim())) ints.push({ leaf: l.id, value: Number(l.text.trim()) });
      for (const [m, d] of monthDayPairs(l.text)) pairs.add(`${m}-${d}`);
    }
    if (years.size === 0) return;
    const ctx: Ctx = { path: path || '(row)', cell: undefined, owners };
    for (const owner of owners)
      for (const { day, target } of this.#ix.datesOf.get(owner) ?? []) {
        if (!years.has(day.year)) continue;
        const split =
          pairs.has(`${day.month}-${day.day}`) ||
          ints.some(
            (a) => a.value === day.month && ints.some((b) => b.leaf !== a.leaf && b.value === day.day),
          );
        if (split) this.#accept({ target, strong: false }, ctx, 'year, month and day in separate values');
      }
  }

  // --- joined sequences ----------------------------------------------------------------------------------

  /**
   * Scans leaves joined in order (a row across its columns, a column across rows, array elements), so an
   * identifier cut into pieces is found whole. Key values are left out; very long values end a run.
   */
  #sequence(all: Leaf[], path: string, how: string): void {
    const leaves = all.filter((l) => !l.key);
    if (leaves.length < 2) return;
    const signature = leaves.map((l) => l.id).join(',');
    if (this.#seenSequences.has(signature)) return;
    this.#seenSequences.add(signature);
    let run: Leaf[] = [];
    const flush = () => {
      if (run.length >= 2) this.#scanRun(run, path, how);
      run = [];
    };
    for (const l of leaves) {
      if (l.text.length > MAX_JOIN_LEAF) flush();
      else run.push(l);
    }
    flush();
  }

  #scanRun(run: Leaf[], path: string, how: string): void {
    const ctx: Ctx = { path, cell: undefined, owners: new Set(run.flatMap((l) => [...l.ctx.owners])) };
    const segments: Segment[] = [];
    let at = 0;
    for (const l of run) {
      segments.push({ start: at, end: at + l.text.length, owners: l.ctx.owners });
      at += l.text.length;
    }
    const joined = run.map((l) => l.text).join('');
    this.#scanJoinedText(joined, segments, path, how);
    const len = joined.length;
    this.#scanJoinedText(
      run
        .map((l) => reverse(l.text))
        .reverse()
        .join(''),
      segments.map((g) => ({ start: len - g.end, end: len - g.start, owners: g.owners })).reverse(),
      path,
      `${how} → reversed`,
    );
    this.#scanJoinedDigits(
      run.map((l) => [l.text, l.ctx.owners] as const),
      path,
      how,
    );
    for (const map of LETTER_MAPS)
      this.#scanJoinedDigits(
        run.map((l) => [unmapLetters(l.text, map.digitOf), l.ctx.owners] as const),
        path,
        `${how} → letters ${map.name}`,
      );
    this.#scanCodePoints(run, ctx, how);
    if (joined.length >= 8 && joined.length <= 1 << 20)
      for (const [decoded, enc] of decodings(joined)) this.#scanValue(decoded, ctx, `${how} → ${enc}`, 1);
  }

  /** Text matches that cross a join point; join points count as word boundaries. */
  #scanJoinedText(text: string, segments: Segment[], path: string, how: string): void {
    if (segments.length < 2) return;
    const starts = new Set(segments.map((g) => g.start));
    const ends = new Set(segments.map((g) => g.end));
    const lower = fold(text);
    const owned = (start: number, end: number): Ctx => ({
      path,
      cell: undefined,
      owners: new Set(segments.filter((g) => g.end > start && g.start < end).flatMap((g) => [...g.owners])),
    });
    for (const m of this.#ix.text.search(lower)) {
      if (!segments.some((g) => g.start > m.start && g.start < m.end)) continue;
      const first = lower.charCodeAt(m.start);
      const last = lower.charCodeAt(m.end - 1);
      if (isWordCode(first) && !starts.has(m.start) && isWordAt(text, m.start - 1)) continue;
      if (isWordCode(last) && !ends.has(m.end) && isWordAt(text, m.end)) continue;
      const ctx = owned(m.start, m.end);
      for (const f of this.#ix.textForms[m.pattern] ?? []) this.#accept(f, ctx, how);
    }
    const a = alnum(lower);
    if (a.length >= ALNUM_LONG_MIN) {
      const ctx: Ctx = { path, cell: undefined, owners: NO_OWNERS };
      for (const m of this.#ix.alnumLong.search(a))
        for (const f of this.#ix.alnumLongForms[m.pattern] ?? [])
          this.#accept(f, ctx, `${how} → letters and digits only`);
    }
  }

  /**
   * Digit groups merged across values: a group that ends one value joins the group that starts the next
   * (`XXXXXZ868` + `XXXXXZZ14` + `XXXXX2446`). Values without digits end the merge.
   */
  #scanJoinedDigits(values: (readonly [string, ReadonlySet<string>])[], path: string, how: string): void {
    let current: { digits: string; parts: number; owners: Set<string> } | undefined;
    const flush = () => {
      if (current && current.parts >= 2) {
        const ctx: Ctx = { path, cell: undefined, owners: current.owners };
        this.#matchDigits(current.digits, ctx, how);
        this.#matchDigits(reverse(current.digits), ctx, `${how} → reversed`);
      }
      current = undefined;
    };
    for (const [text, owners] of values) {
      // Separators alone (a '-' element) join their neighbours; long runs are no piece of an identifier.
      if (text.length <= 3 && !/[\p{L}\p{N}]/u.test(text)) continue;
      const groups = digitGroups(text);
      if (groups.length === 0 || groups.some((g) => g.digits.length > MAX_PIECE_DIGITS)) {
        flush();
        continue;
      }
      const first = groups[0]!;
      if (current && first.atStart) {
        current.digits += first.digits;
        current.parts++;
        for (const o of owners) current.owners.add(o);
      } else {
        flush();
        current = { digits: first.digits, parts: 1, owners: new Set(owners) };
      }
      if (groups.length > 1 || !first.atEnd) {
        flush();
        const last = groups[groups.length - 1]!;
        if (groups.length > 1 && last.atEnd)
          current = { digits: last.digits, parts: 1, owners: new Set(owners) };
      }
    }
    flush();
  }

  /** Runs of integers that are code points (TO_CODE_POINTS, UNNEST of it), read as text. */
  #scanCodePoints(run: Leaf[], ctx: Ctx, how: string): void {
    let points: number[] = [];
    const flush = () => {
      if (points.length >= 4)
        this.#scanValue(String.fromCodePoint(...points), ctx, `${how} → code points`, 1);
      points = [];
    };
    for (const l of run) {
      const t = l.text.trim();
      const n = /^\d{1,7}$/.test(t) ? Number(t) : Number.NaN;
      if ((n >= 32 && n <= 0x10ffff) || n === 9 || n === 10 || n === 13) points.push(n);
      else flush();
    }
    flush();
  }
}
