// Label phrases read backwards from a value ("MRN: 12345678" → mrn), matched by word hashes without allocating.

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
    .toLowerCase()
    .split(/[^a-z'’]+/)
    .map((w) => w.replace(/^['’]+|['’]+$/g, ''))
    .filter((w) => w.length > 0);
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
  // c | 32 is a small letter exactly when c is an ASCII letter.
  const last = text.charCodeAt(end - 1) | 32;
  if (last < 97 || last > 122) return NO_ENDING;
  const prev = end > 1 ? text.charCodeAt(end - 2) | 32 : 0;
  return (last - 97) * 27 + (prev >= 97 && prev <= 122 ? prev - 97 : 26);
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
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (!letter && !((c === 39 || c === 8217) && i < end && i > 1 && isAsciiLetter(text.charCodeAt(i - 2))))
      break;
    i--;
    if (end - i > 24) return -1;
  }
  return i === end ? -1 : i;
}

/** Hash of [s, e) of `text` lower-cased (’ read as '), the same as {@link hashWord} of the word. */
function hashRange(text: string, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = e - 1; k >= s; k--) {
    let c = text.charCodeAt(k);
    if (c >= 65 && c <= 90) c += 32;
    else if (c === 8217) c = 39;
    h = Math.imul(h ^ c, 16777619);
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
  const c = text.charCodeAt(s) | 32;
  return Math.min(e - s, 31) * 27 + (c >= 97 && c <= 122 ? c - 97 : 26);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * Skips blanks and label punctuation (`:`, `#`, `=`, `.`, `/`, `-`, `(`, `)`, `+`) backwards from `pos`: a label
 * in parentheses ("(work) 073-744-7818") is read as one before a colon is.
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
      c === 43
    )
      i--;
    else break;
    if (pos - i > 8) break;
  }
  return i;
}
