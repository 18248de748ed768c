// Detector evaluation harness: per-class recall, precision and false positives of the masking on labelled JSONL corpora.
//
//   npm run eval:detectors                                    every corpus under dev/eval/corpora
//   npm run eval:detectors -- dev/eval/corpora/faker-heldout.jsonl --misses 20
//
// A corpus is JSONL, one record a line (see EvalRecord): a clinical note (`note`), a column cell (`cell`, with
// its telling column name), or PHI-free text (`clean`, with or without a column). Planted identifiers are
// given by span (`start`, `end`) or by value (every occurrence of `value` in the text counts). Lines starting
// with `//` are comments.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Detection, DetectorSet } from '../../shared/core/masking/detectors.ts';
import { maskResult, resolveMaskingProfile } from '../../shared/core/masking/mask.ts';
import type { Cell } from '../../shared/ports/warehouse.ts';

/** An identifier planted in a record: its detector kind and where it is (a span, or a value to look for). */
export interface PlantedSpan {
  kind: string;
  start?: number;
  end?: number;
  value?: string;
}

/** One labelled record of a corpus. */
export interface EvalRecord {
  id: string;
  /** Which generator or file wrote it (`faker:de`, `hand:real-world`). */
  source: string;
  /** `note`: free text; `cell`: one column value; `clean`: PHI-free text (a note, or a cell when `column` is set). */
  type: 'note' | 'cell' | 'clean';
  text: string;
  /** For cells: the column name that tells what the value is (`phone_number`, `ssn`). */
  column?: string;
  phi: PlantedSpan[];
}

/** Detector kinds that count as having typed a planted identifier of each kind correctly. */
export const ACCEPTED: Readonly<Record<string, readonly string[]>> = {
  name: ['name'],
  address: ['address', 'zip'],
  zip: ['zip', 'address'],
  date: ['date', 'age'],
  age: ['age', 'date'],
  phone: ['phone', 'fax'],
  fax: ['fax', 'phone'],
  email: ['email'],
  ssn: ['ssn'],
  mrn: ['mrn'],
  health_plan: ['health_plan', 'account', 'mrn'],
  account: ['account', 'health_plan'],
  license: ['license'],
  vin: ['vin'],
  plate: ['plate'],
  device: ['device'],
  url: ['url', 'email'],
  ip: ['ip'],
};

/** Counts for one identifier class. */
export interface ClassTally {
  /** Planted in notes, masked (every letter and digit inside a detection), typed (inside one of its kind). */
  notes: number;
  notesMasked: number;
  notesTyped: number;
  /** Column cells under their telling name, and the same values under a name that says nothing. */
  cells: number;
  cellsNamed: number;
  cellsBare: number;
  /** Detections of this kind in notes, and those that overlap a planted identifier. */
  detections: number;
  detectionsCorrect: number;
}

/** A missed identifier, or a PHI-free text changed, with enough context to see why. */
export interface Miss {
  id: string;
  kind: string;
  where: 'note' | 'cell-named' | 'cell-bare' | 'clean' | 'precision';
  value: string;
  context: string;
}

/** What {@link evaluate} measured. */
export interface EvalReport {
  classes: Map<string, ClassTally>;
  cleanTexts: number;
  cleanChanged: number;
  /**
   * PHI-free column cells masked again under {@link BARE_COLUMN}, where the column profile reads their class
   * from the values: how many, and how many were changed (reported apart from the false-positive rate).
   */
  cleanBareCells: number;
  cleanBareChanged: number;
  /** The same, per PHI-free column: [cells, changed] under {@link BARE_COLUMN}. */
  cleanBareByColumn: Map<string, [number, number]>;
  misses: Miss[];
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Resolves a planted identifier to spans of `text`: its own span, or every occurrence of its value. */
function spansOf(text: string, p: PlantedSpan): [number, number][] {
  if (p.start !== undefined && p.end !== undefined) return [[p.start, p.end]];
  if (p.value === undefined || p.value === '') return [];
  const out: [number, number][] = [];
  for (let i = text.indexOf(p.value); i >= 0; i = text.indexOf(p.value, i + p.value.length))
    out.push([i, i + p.value.length]);
  return out;
}

/** True when every letter and digit of [start, end) lies inside a detection (of one of `kinds`, if given). */
function covered(
  dets: readonly Detection[],
  text: string,
  start: number,
  end: number,
  kinds?: readonly string[],
): boolean {
  for (let i = start; i < end; i++) {
    if (!WORD_CHAR.test(text.charAt(i))) continue;
    if (!dets.some((d) => d.start <= i && i < d.end && (kinds === undefined || kinds.includes(d.kind))))
      return false;
  }
  return true;
}

/**
 * True when a masked cell still shows a token (two or more letters or digits) of the original value, beyond
 * what Safe Harbor keeps: the first three digits of a ZIP and the year of a date.
 */
function leaks(original: string, masked: Cell, kind: string): boolean {
  if (masked === null || masked === undefined) return false;
  const out = String(masked);
  if (out === original) return true;
  const tokens = original.match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  const outTokens = new Set(out.match(/[\p{L}\p{N}]+/gu) ?? []);
  for (const t of tokens) {
    if (!outTokens.has(t)) continue;
    if (kind === 'zip' && t.length === 3) continue;
    if (kind === 'date' && /^(?:1[89]|2[01])\d\d$/.test(t)) continue;
    return true;
  }
  return false;
}

const snippet = (text: string, s: number, e: number): string =>
  `${text.slice(Math.max(0, s - 30), s)}⟦${text.slice(s, e)}⟧${text.slice(e, e + 20)}`.replace(/\n/g, '⏎');

const KEYS = { hmacKey: new Uint8Array(32).fill(7) };

/** Masks `values` as one column named `column` under the safe-harbor profile (no lineage: the name alone tells). */
function maskColumn(column: string, values: readonly string[]): Cell[] {
  const out = maskResult(
    resolveMaskingProfile('safe-harbor'),
    {
      schema: [{ name: column, type: 'STRING' }],
      rows: values.map((v) => ({ [column]: v })),
      asOf: '2025-06-30',
    },
    KEYS,
  );
  return out.rows.map((r) => r[column] ?? null);
}

/** A column name that says nothing about its values. */
export const BARE_COLUMN = 'field_7';

/**
 * Runs `records` through the detectors (notes, PHI-free text) and the safe-harbor profile (cells, under their
 * column name and under {@link BARE_COLUMN}); returns per-class tallies, the PHI-free texts changed and the misses.
 */
export function evaluate(records: readonly EvalRecord[]): EvalReport {
  const detectors = new DetectorSet();
  const classes = new Map<string, ClassTally>();
  const tally = (kind: string): ClassTally => {
    let t = classes.get(kind);
    if (!t) {
      t = {
        notes: 0,
        notesMasked: 0,
        notesTyped: 0,
        cells: 0,
        cellsNamed: 0,
        cellsBare: 0,
        detections: 0,
        detectionsCorrect: 0,
      };
      classes.set(kind, t);
    }
    return t;
  };
  const misses: Miss[] = [];
  let cleanTexts = 0;
  let cleanChanged = 0;
  const cellsByColumn = new Map<string, EvalRecord[]>();
  const cleanCells = new Map<string, EvalRecord[]>();

  for (const r of records) {
    if (r.type === 'cell') {
      const list = cellsByColumn.get(r.column ?? BARE_COLUMN) ?? [];
      list.push(r);
      cellsByColumn.set(r.column ?? BARE_COLUMN, list);
      continue;
    }
    if (r.type === 'clean' && r.column !== undefined) {
      const list = cleanCells.get(r.column) ?? [];
      list.push(r);
      cleanCells.set(r.column, list);
      continue;
    }
    const dets = detectors.detect(r.text);
    if (r.type === 'clean') {
      cleanTexts++;
      if (dets.length > 0) {
        cleanChanged++;
        for (const d of dets)
          misses.push({
            id: r.id,
            kind: d.kind,
            where: 'clean',
            value: r.text.slice(d.start, d.end),
            context: snippet(r.text, d.start, d.end),
          });
      }
      continue;
    }
    const known: [number, number][] = [];
    for (const p of r.phi) {
      for (const [s, e] of spansOf(r.text, p)) {
        known.push([s, e]);
        const t = tally(p.kind);
        t.notes++;
        const masked = covered(dets, r.text, s, e);
        if (masked) t.notesMasked++;
        if (covered(dets, r.text, s, e, ACCEPTED[p.kind] ?? [p.kind])) t.notesTyped++;
        if (!masked)
          misses.push({
            id: r.id,
            kind: p.kind,
            where: 'note',
            value: r.text.slice(s, e),
            context: snippet(r.text, s, e),
          });
      }
    }
    for (const d of dets) {
      if (d.kind === 'biometric' || d.kind === 'image') continue;
      const t = tally(d.kind);
      t.detections++;
      if (known.some(([s, e]) => d.start < e && s < d.end)) t.detectionsCorrect++;
      else
        misses.push({
          id: r.id,
          kind: d.kind,
          where: 'precision',
          value: r.text.slice(d.start, d.end),
          context: snippet(r.text, d.start, d.end),
        });
    }
  }

  for (const [column, list] of cellsByColumn) {
    const named = maskColumn(
      column,
      list.map((r) => r.text),
    );
    const bare = maskColumn(
      BARE_COLUMN,
      list.map((r) => r.text),
    );
    list.forEach((r, i) => {
      const kind = r.phi[0]?.kind ?? 'unknown';
      const t = tally(kind);
      t.cells++;
      if (!leaks(r.text, named[i]!, kind)) t.cellsNamed++;
      else
        misses.push({
          id: r.id,
          kind,
          where: 'cell-named',
          value: r.text,
          context: `${column}: ${r.text} → ${named[i]}`,
        });
      if (!leaks(r.text, bare[i]!, kind)) t.cellsBare++;
      else
        misses.push({ id: r.id, kind, where: 'cell-bare', value: r.text, context: `${r.text} → ${bare[i]}` });
    });
  }
  let cleanBareCells = 0;
  let cleanBareChanged = 0;
  const cleanBareByColumn = new Map<string, [number, number]>();
  for (const [column, list] of cleanCells) {
    const masked = maskColumn(
      column,
      list.map((r) => r.text),
    );
    const bare = maskColumn(
      BARE_COLUMN,
      list.map((r) => r.text),
    );
    list.forEach((r, i) => {
      cleanBareCells++;
      const byColumn = cleanBareByColumn.get(column) ?? [0, 0];
      byColumn[0]++;
      if (bare[i] !== r.text) {
        cleanBareChanged++;
        byColumn[1]++;
      }
      cleanBareByColumn.set(column, byColumn);
      cleanTexts++;
      if (masked[i] !== r.text) {
        cleanChanged++;
        misses.push({
          id: r.id,
          kind: 'clean',
          where: 'clean',
          value: r.text,
          context: `${column}: ${r.text} → ${masked[i]}`,
        });
      }
    });
  }
  return { classes, cleanTexts, cleanChanged, cleanBareCells, cleanBareChanged, cleanBareByColumn, misses };
}

/** Reads a JSONL corpus file. */
export function loadCorpus(path: string | URL): EvalRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as EvalRecord);
}

/** Totals over classes: planted and masked in notes, and in cells under telling names and bare. */
export function totals(report: EvalReport): {
  notes: number;
  notesMasked: number;
  cells: number;
  cellsNamed: number;
  cellsBare: number;
} {
  const s = { notes: 0, notesMasked: 0, cells: 0, cellsNamed: 0, cellsBare: 0 };
  for (const t of report.classes.values()) {
    s.notes += t.notes;
    s.notesMasked += t.notesMasked;
    s.cells += t.cells;
    s.cellsNamed += t.cellsNamed;
    s.cellsBare += t.cellsBare;
  }
  return s;
}

/** Recall of class `kind` in notes (masked), or undefined when none was planted. */
export function noteRecall(report: EvalReport, kind: string): number | undefined {
  const t = report.classes.get(kind);
  return t && t.notes > 0 ? t.notesMasked / t.notes : undefined;
}

const pct = (n: number, d: number): string =>
  d === 0 ? '     –' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;

/** The report as a Markdown table and a list of misses (up to `missesPerClass` per class and place). */
export function formatReport(title: string, report: EvalReport, missesPerClass = 5): string {
  const lines = [
    `### ${title}`,
    '',
    '| class | in notes | recall (masked) | recall (typed) | precision | cells | named column | bare column |',
    '| ----- | -------: | --------------: | -------------: | --------: | ----: | -----------: | ----------: |',
  ];
  for (const [kind, t] of [...report.classes].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `| ${kind} | ${t.notes} | ${pct(t.notesMasked, t.notes)} | ${pct(t.notesTyped, t.notes)} | ${pct(t.detectionsCorrect, t.detections)} | ${t.cells} | ${pct(t.cellsNamed, t.cells)} | ${pct(t.cellsBare, t.cells)} |`,
    );
  }
  const s = totals(report);
  lines.push(
    `| **all** | ${s.notes} | ${pct(s.notesMasked, s.notes)} | | | ${s.cells} | ${pct(s.cellsNamed, s.cells)} | ${pct(s.cellsBare, s.cells)} |`,
    '',
    `overall recall (notes and named cells): ${pct(s.notesMasked + s.cellsNamed, s.notes + s.cells).trim()}; ` +
      `PHI-free texts changed: ${report.cleanChanged} of ${report.cleanTexts} (${pct(report.cleanChanged, report.cleanTexts).trim()})`,
    `PHI-free column cells changed under a name that says nothing (${BARE_COLUMN}): ${report.cleanBareChanged} of ${report.cleanBareCells} (${pct(report.cleanBareChanged, report.cleanBareCells).trim()})`,
  );
  if (report.cleanBareByColumn.size > 0)
    lines.push(
      `  by column: ${[...report.cleanBareByColumn]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, [n, k]]) => `${c} ${k}/${n}`)
        .join(', ')}`,
    );
  if (missesPerClass > 0) {
    const shown = new Map<string, number>();
    const out: string[] = [];
    for (const m of report.misses) {
      const key = `${m.where}:${m.kind}`;
      const n = shown.get(key) ?? 0;
      shown.set(key, n + 1);
      if (n < missesPerClass) out.push(`  ${m.where.padEnd(10)} ${m.kind.padEnd(12)} ${m.context}`);
    }
    const counts = [...shown].map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push('', `misses and false positives (${counts}):`, ...out.sort());
  }
  return lines.join('\n');
}

/** The corpora the harness runs when given none. */
export const DEFAULT_CORPORA = [
  'faker-tuning.jsonl',
  'real-world.jsonl',
  'faker-columns.jsonl',
  'faker-heldout.jsonl',
  'faker-heldout2.jsonl',
  'faker-heldout3.jsonl',
  'faker-heldout4.jsonl',
].map((f) => new URL(`./corpora/${f}`, import.meta.url));

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { misses: { type: 'string', default: '8' } },
  });
  const files = positionals.length > 0 ? positionals : DEFAULT_CORPORA.map((u) => u.pathname);
  for (const file of files) {
    const report = evaluate(loadCorpus(file));
    console.log(`${formatReport(file.replace(/^.*\//, ''), report, Number(values.misses))}\n`);
  }
}
