// Regression check of detector recall and false positives on a slice of the independent evaluation corpora.

import assert from 'node:assert/strict';
import {
  type EvalRecord,
  type EvalReport,
  evaluate,
  loadCorpus,
  noteRecall,
  totals,
} from './detector-eval.ts';

const corpus = (name: string): EvalRecord[] => loadCorpus(new URL(`./corpora/${name}`, import.meta.url));

/** Every fourth record of the faker tuning corpus, and the whole hand-written file of real-world formats. */
const SLICE: readonly EvalRecord[] = [
  ...corpus('faker-tuning.jsonl').filter((_, i) => i % 4 === 0),
  ...corpus('real-world.jsonl'),
];

interface Floor {
  kind: string;
  /** Recall in notes (every letter and digit of the identifier inside a detection) must not fall below this. */
  recall: number;
}

/** Floors a little under what the detectors measure on this slice, so a real regression fails the check. */
const FLOORS: readonly Floor[] = [
  { kind: 'ssn', recall: 0.95 },
  { kind: 'phone', recall: 0.9 },
  { kind: 'email', recall: 0.85 },
  { kind: 'mrn', recall: 0.95 },
  { kind: 'ip', recall: 0.97 },
  { kind: 'url', recall: 0.95 },
  { kind: 'date', recall: 0.97 },
  { kind: 'age', recall: 0.9 },
  { kind: 'vin', recall: 0.9 },
  { kind: 'device', recall: 0.9 },
  { kind: 'name', recall: 0.9 },
];

describe('detector evaluation harness on a slice of the independent corpora', function () {
  this.timeout(10_000);
  let report: EvalReport;
  before(() => {
    report = evaluate(SLICE);
  });

  for (const { kind, recall } of FLOORS)
    it(`finds at least ${recall * 100}% of the ${kind} identifiers planted in notes`, () => {
      const r = noteRecall(report, kind);
      assert.ok(r !== undefined, `no ${kind} planted in the slice`);
      assert.ok(r >= recall, `${kind} recall ${r.toFixed(3)} < ${recall}`);
    });

  it('finds at least 90% of all identifiers in notes and 98% of cells under telling column names', () => {
    const s = totals(report);
    assert.ok(s.notesMasked / s.notes >= 0.9, `notes recall ${(s.notesMasked / s.notes).toFixed(3)}`);
    assert.ok(s.cellsNamed / s.cells >= 0.98, `named-cell recall ${(s.cellsNamed / s.cells).toFixed(3)}`);
  });

  it('changes at most 1% of the PHI-free texts', () => {
    assert.ok(report.cleanTexts > 100);
    assert.ok(
      report.cleanChanged / report.cleanTexts <= 0.01,
      `${report.cleanChanged} of ${report.cleanTexts} PHI-free texts changed`,
    );
  });

  it('masks at most 1% of the PHI-free capitalised-word columns under a name that says nothing', () => {
    // Products, departments, drugs, elements, materials, specialties: name-shaped values, not people.
    const columns = evaluate(corpus('faker-columns.jsonl'));
    assert.ok(columns.cleanBareCells >= 600);
    assert.ok(
      columns.cleanBareChanged / columns.cleanBareCells <= 0.01,
      `${columns.cleanBareChanged} of ${columns.cleanBareCells} cells masked: ${[...columns.cleanBareByColumn]}`,
    );
  });

  it('still masks every bare column of names in the slice', () => {
    const t = report.classes.get('name');
    assert.ok(t !== undefined && t.cells > 0);
    assert.equal(t.cellsBare, t.cells);
  });

  it('reports a miss for an identifier no detector finds, and a false positive for PHI-free text flagged', () => {
    const r = evaluate([
      {
        id: 'x',
        source: 'test',
        type: 'note',
        text: 'code word bluebird',
        phi: [{ kind: 'name', value: 'bluebird' }],
      },
      { id: 'y', source: 'test', type: 'clean', text: 'SSN 123-45-6789', phi: [] },
    ]);
    assert.equal(noteRecall(r, 'name'), 0);
    assert.deepEqual(
      r.misses.map((m) => [m.id, m.where]),
      [
        ['x', 'note'],
        ['y', 'clean'],
      ],
    );
    assert.equal(r.cleanChanged, 1);
  });
});
