// Label phrases read backwards from a value ("MRN: 12345678" → mrn), matched by word hashes without allocating.
//
// Words are read in Latin letters with their diacritics folded ("Prontuário", "patiëntnummer" read as
// "prontuario", "patientnummer"), so labels of other languages written in Latin script match as typed.

/** A label dictionary: phrases (lower-case words) → the kind of value they announce. */
export class LabelTrie {
  private readonly root = new Map<number, LabelNode>();
  /** (length, first letter) of every phrase's last word: words of other shapes are rejected without hashing. */
  private readonly shapes = new Uint8Array(SHAPES);
  /**
   * The last two characters of every phrase's last word and of every filler: most words are rejected by these,
   * before being read back to their start.
   */
  private readonly endings = FILLER_ENDINGS.slice();

  /** Adds `phrase` (e.g. "medical record number", "s/n", "driver's license") for `kind`. */
  add(phrase: string, kind: number): void {
    const words = labelWords(phrase);
    if (words.length === 0) return;
    this.shapes[shapeOf(words.at(-1)!, 0, words.at(-1)!.length)] = 1;
    this.endings[endingOf(words.at(-1)!, words.at(-1)!.length)] = 1;
    let map = this.root;
    let node: LabelNode | undefined;
    for (let i = words.length - 1; i >= 0; i--) {
      const h = hashWord(words[i]!);
      node = map.get(h);
      if (!node) {
        node = { kind: -1, next: new Map() };
        map.set(h, node);
      }
      map = node.next;
    }
    node!.kind = kind;
  }

  /**
   * The kind of the label ending at `end` (exclusive; separators such as `:`, `#`, `.` and blanks before `end`
   * are skipped), or -1. Filler words (number, no, is, …) may sit between label and value.
   */
  kindBefore(text: string, end: number): number {
    let pos = end;
    for (let fillers = 0; fillers <= 2; fillers++) {
      pos = skipSeparatorsBack(text, pos);
      if (this.endings[endingOf(text, pos)] !== 1) return -1;
      const start = wordStartBack(text, pos);
      if (start < 0) return -1;
      const shape = shapeOf(text, start, pos);
      const filler = FILLER_SHAPES[shape] === 1;
      if (this.shapes[shape] !== 1 && !filler) return -1;
      const h = hashRange(text, start, pos);
      if (this.shapes[shape] === 1) {
        const node = this.root.get(h);
        if (node) {
          const kind = this.match(text, node, start);
          if (kind >= 0) return kind;
        }
      }
      // Not a label: if it is a filler word ("number", "no", "is"), look past it.
      if (fillers === 2 || !filler || !FILLERS.has(h)) return -1;
      pos = start;
    }
    return -1;
  }

  /** Longest phrase whose last word (already read, starting at `start`) is `node`. */
  private match(text: string, node: LabelNode, start: number): number {
    let best = node.kind;
    if (best >= 0) labelStart = start;
    let cur = node;
    let p = skipSeparatorsBack(text, start);
    for (let depth = 1; depth < 5 && cur.next.size > 0; depth++) {
      const h = readWordBack(text, p);
      if (h === 0) break;
      const next = cur.next.get(h);
      if (!next) break;
      if (next.kind >= 0) {
        best = next.kind;
        labelStart = wordStart;
      }
      cur = next;
      p = skipSeparatorsBack(text, wordStart);
    }
    return best;
  }
}

interface LabelNode {
  kind: number;
  next: Map<number, LabelNode>;
}

/** Splits a phrase into lower-case words as {@link readWordBack} reads them (letters and apostrophes). */
function labelWords(phrase: string): string[] {
  return phrase
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^a-z'’]+/)
    .map((w) => w.replace(/^['’]+|['’]+$/g, ''))
    .filter((w) => w.length > 0);
}

/**
 * Lower-case ASCII letter of each code below {@link FOLD_LIMIT} (Basic Latin, Latin-1 and Latin Extended-A, with
 * diacritics removed: "á" → "a", "Ë" → "e"), or 0 for anything that is not such a letter.
 */
const FOLD_LIMIT = 0x180;
const FOLD = new Uint8Array(FOLD_LIMIT);
for (let c = 0; c < FOLD_LIMIT; c++) {
  const base = String.fromCharCode(c).normalize('NFD').charCodeAt(0) | 32;
  if (base >= 97 && base <= 122 && (c < 128 ? (c | 32) === base : c >= 0xc0 && c !== 0xd7 && c !== 0xf7))
    FOLD[c] = base;
}

/** The folded lower-case ASCII letter of code `c` (see {@link FOLD}), or 0. */
function letterOf(c: number): number {
  return c < FOLD_LIMIT ? FOLD[c]! : 0;
}

function hashWord(word: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = word.length - 1; i >= 0; i--) {
    const c = word.charCodeAt(i);
    h = Math.imul(h ^ (c === 8217 ? 39 : c), 16777619);
  }
  return h & 0x3fffffff;
}

const FILLER_WORDS = [
  'number',
  'num',
  'nbr',
  'no',
  'is',
  'was',
  'of',
  'confirmed',
  'as',
  'file',
  'records',
  'to',
  'at',
  'on',
  // Other languages' "number" (Nr., nº, numéro, numero, número, nummer).
  'nr',
  'n',
  'nro',
  'numero',
  'nummer',
];
const FILLERS = new Set(FILLER_WORDS.map(hashWord));
const SHAPES = 32 * 27;
const FILLER_SHAPES = new Uint8Array(SHAPES);
for (const w of FILLER_WORDS) FILLER_SHAPES[shapeOf(w, 0, w.length)] = 1;

/** Slots of {@link endingOf}: 26 last letters × (26 letters before it, or anything else), and one for no letter. */
const ENDINGS = 26 * 27 + 1;
const NO_ENDING = ENDINGS - 1;
const FILLER_ENDINGS = new Uint8Array(ENDINGS);
for (const w of FILLER_WORDS) FILLER_ENDINGS[endingOf(w, w.length)] = 1;

/**
 * The last two characters before `end`, lower-cased, as an index into an endings table: the last must be an
 * ASCII letter (or no word ends at `end`: {@link NO_ENDING}, never set); the one before counts only as a letter.
 */
function endingOf(text: string, end: number): number {
  if (end === 0) return NO_ENDING;
  const last = letterOf(text.charCodeAt(end - 1));
  if (last === 0) return NO_ENDING;
  const prev = end > 1 ? letterOf(text.charCodeAt(end - 2)) : 0;
  return (last - 97) * 27 + (prev !== 0 ? prev - 97 : 26);
}

/** Start of the word last read by {@link readWordBack}. */
let wordStart = 0;
/** Start of the label last matched by {@link LabelTrie.kindBefore}. */
let labelStart = 0;

/** Where the label found by the last successful {@link LabelTrie.kindBefore} starts. */
export function lastLabelStart(): number {
  return labelStart;
}

/** Start of the word (letters, inner apostrophes) ending at `end`, or -1 when there is none (or it is too long). */
function wordStartBack(text: string, end: number): number {
  let i = end;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (
      letterOf(c) === 0 &&
      !((c === 39 || c === 8217) && i < end && i > 1 && letterOf(text.charCodeAt(i - 2)) !== 0)
    )
      break;
    i--;
    if (end - i > 24) return -1;
  }
  return i === end ? -1 : i;
}

/** Hash of [s, e) of `text` lower-cased and folded (’ read as '), the same as {@link hashWord} of the word. */
function hashRange(text: string, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = e - 1; k >= s; k--) {
    const c = text.charCodeAt(k);
    const l = letterOf(c);
    h = Math.imul(h ^ (l !== 0 ? l : c === 8217 ? 39 : c), 16777619);
  }
  return h & 0x3fffffff;
}

/** Hash of the lower-cased word ending at `end` (setting {@link wordStart}); 0 when there is none. */
function readWordBack(text: string, end: number): number {
  const i = wordStartBack(text, end);
  if (i < 0) return 0;
  wordStart = i;
  return hashRange(text, i, end);
}

/** Length (up to 31) and lower-cased first letter of a word, as an index into a shape table. */
function shapeOf(text: string, s: number, e: number): number {
  const c = letterOf(text.charCodeAt(s));
  return Math.min(e - s, 31) * 27 + (c !== 0 ? c - 97 : 26);
}

/**
 * Skips blanks, one line break and label punctuation (`:`, `#`, `=`, `.`, `/`, `-`, `(`, `)`, `+`, and the
 * number signs `°`, `º`, `№` of "N° dossier", "nº") backwards from `pos`: a label in parentheses ("(work)
 * 073-744-7818") is read as one before a colon is, and a form's label above its value ("MRN\n12345678") too.
 */
function skipSeparatorsBack(text: string, pos: number): number {
  let i = pos;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (
      c === 32 ||
      c === 9 ||
      c === 58 ||
      c === 35 ||
      c === 61 ||
      c === 46 ||
      c === 47 ||
      c === 45 ||
      c === 40 ||
      c === 41 ||
      c === 43 ||
      c === 176 ||
      c === 186 ||
      c === 8470 ||
      ((c === 10 || c === 13) && pos - i < 3)
    )
      i--;
    else break;
    if (pos - i > 8) break;
  }
  return i;
}
