// Person-name detection by context (titles, labels, signatures, relations, credentials, subject phrases).

// Name words in any script (expressions with the `u` flag): a capitalised word (Angela, O'Brien, McDonald,
// Smith-Jones, José, Łukasz, Şükrü, Đoàn, Александр, Παναγιώτα), or a word of a script without case (王芳, 김민준).
const UP = '\\p{Lu}\\p{Lt}';
const LO = '\\p{Ll}\\p{M}';
const CASELESS = '\\p{Lo}[\\p{Lo}\\p{M}\\u200c\\u200d]*';
const CAP = `(?:[${UP}](?:[${LO}]+(?:[${UP}][${LO}]+)?|['’][${UP}][${LO}]+)(?:-[${UP}][${LO}]+)?|${CASELESS})`;
// An upper-case name word: TORRES, O'BRIEN, ÖZTÜRK.
const UPPER = `[${UP}](?:['’]?[${UP}\\p{M}])+(?:-[${UP}]+)*`;
const INITIAL = `[${UP}](?:\\.|(?![\\p{L}\\p{M}'’]))`;
const SP = '[ \\t]+';
/** Name particles written in lower case inside a name: "de la", "van der", "dos", "bin". */
const PARTICLE = '(?:de|del|della|di|da|das|dos|do|du|la|las|los|le|van|von|der|den|ten|ter|y|bin|ibn|al|el)';

/** Words that end or reject a name candidate (lower case). */
const STOP_WORDS = new Set(
  (
    'patient pt pts name names the a an he she they his her hers their them him it its this that these those we our ' +
    'i you your my me us mr mrs ms miss mx dr prof md do rn np pa pa-c phd dds dmd mrn dob ssn id unknown none n/a na ' +
    'male female man woman boy girl infant child adult baby date admission admitted discharge discharged attending ' +
    'facility hospital clinic center centre medical medicine department emergency unit room bed floor type stage ' +
    'grade class level chronic acute start stop continue follow return call labs lab assessment plan history hx ' +
    'impression diagnosis dx diagnoses medications medication meds allergies allergy exam examination vitals vital ' +
    'review note notes summary progress visit service signed by on at in of for with and or to from not no yes as ' +
    'reports states denies presents presented returns complains is was has had will would should could can ' +
    'monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow ' +
    'mother father parent parents son daughter wife husband spouse partner sister brother guardian family care ' +
    'primary team nurse nursing physician provider doctor surgeon resident fellow staff apt apartment suite ste st ' +
    'ave rd blvd ln ct way pl ter street avenue road drive court boulevard phone fax ' +
    'email e-mail address zip city state county country insurance member account license licence serial device vin ' +
    'ip url negative positive normal abnormal left right bilateral general internal group associates memorial ' +
    'regional community university health pediatrics cardiology surgery oncology radiology pharmacy neurology ' +
    'nephrology psychiatry psychology dermatology endocrinology gastroenterology pulmonology urology orthopedics ' +
    'rheumatology hematology obstetrics gynecology anesthesia infectious palliative hospice therapy nutrition ' +
    'dietitian social work case management rehab rehabilitation lab laboratory pathology imaging triage ' +
    'alert oriented stable pleasant awake afebrile ambulatory elderly obese unable refused declined comfortable ' +
    'calm agitated confused cooperative appearing ill toxic distress new established returning known deceased ' +
    'echo echocardiogram biopsy culture cultures urinalysis ultrasound x-ray xray scan chest abdomen head neck ' +
    'er ed icu or pacu cc hpi ros pmh psh fh rx tx sx bp hr rr temp cbc bmp cmp ekg ecg ct mri xr ' +
    'please see also per ok okay thanks thank dear re subject cc bcc sincerely regards signature ' +
    'electronically cosigned dictated transcribed reviewed verified mellitus diabetes disease syndrome disorder ' +
    'cancer carcinoma failure infection fracture pain hypertension insulin vitamin tablet capsule injection ' +
    'interpreter translator chaplain pharmacist therapist technician tech coordinator manager worker aide ' +
    'assistant volunteer security transport consultant consult referral order orders request requests ' +
    'number lot batch'
  ).split(' '),
);

/** Credentials that mark the words before them as a clinician's name. */
const CREDENTIALS =
  'M\\.?D\\.?|D\\.?O\\.?|RN|NP|PA-C|PA|Ph\\.?D\\.?|DDS|DMD|DPM|DNP|APRN|CRNA|LPN|LVN|CNA|LCSW|MSW|PharmD|MBBS|FNP(?:-BC)?|FACP|FACS|CNM|OD|DC';

const TITLE_ABBR = '(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Sra|Srta|Rev|Hon)\\.?';
/**
 * Honorifics of other languages, which cue a name as "Mr." does: German, French, Spanish, Portuguese, Italian,
 * Dutch, Scandinavian, Polish, Czech and Slovak, Romanian, Turkish, Vietnamese, Greek, Russian.
 */
const FOREIGN_TITLES =
  'herr frau fru frk mme mlle m monsieur madame mademoiselle señor señora señorita senhor senhora sig sig.ra ' +
  'signor signora dhr mevr mevrouw meneer pan pani paní pán dl dna domnul doamna bayan sayın ông bà anh chị ' +
  'κ κα κος κυρία κύριος г-н г-жа господин госпожа doña dott dott.ssa ing ' +
  // Esperanto (sinjoro, sinjorino, doktoro), Zulu (Mnumzane, Nkosikazi), Hindi and Nepali (Shri, Shrimati).
  's-ro s-ino d-ro mnu nkk shri smt श्री';
/** Number words that open a written age ("a ninety-two-year-old"). */
const NUMBER_WORD =
  '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|' +
  'seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]';
const TITLE = `${TITLE_ABBR}|Miss|Mister|Doctor|Madam`;
const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'sr',
  'sra',
  'srta',
  'rev',
  'hon',
  'miss',
  'mister',
  'doctor',
  'madam',
  ...FOREIGN_TITLES.split(' '),
]);
/** Honorifics written in lower case in running text ("paní Nováková", "bà Trịnh"). */
const LOWER_TITLES = new Set('pan pani paní pán ông bà herr frau mme s-ro s-ino d-ro'.split(' '));

/** Last words of labels after which (and a colon) a name follows: "Patient:", "Patient name:", "Emergency contact:". */
const LABEL_WORDS = new Set(
  (
    'patient pt name guardian parent mother father spouse husband wife partner contact kin nok caregiver attending ' +
    'physician provider pcp care referring surgeon resident author signed signature cosigner clinician nurse son ' +
    'daughter brother sister to from attn by'
  ).split(' '),
);

/** Verbs of "<verb> by <name>". */
const BY_VERBS = new Set(
  (
    'signed cosigned co-signed dictated transcribed reviewed seen examined evaluated referred accompanied attended ' +
    'authored prepared verified interpreted read approved performed'
  ).split(' '),
);

/** Verbs of "<verb> with <name>": "spoke with", "met with", "lives with". */
const WITH_VERBS = [
  'discussed',
  'spoke',
  'met',
  'talked',
  'spoken',
  'speaking',
  'lives',
  'living',
  'staying',
];

/** Words of "<word> for <name>": "Left voicemail for", "Interpreter requested for", "message for". */
const FOR_WORDS = ['voicemail', 'vm', 'message', 'msg', 'requested', 'letter'];

/** Verbs of "<verb> to <name>": "spoke to", "talked to", "letter sent to", "married to". */
const TO_VERBS = [
  'spoke',
  'talked',
  'spoken',
  'speaking',
  'sent',
  'explained',
  'introduced',
  'married',
  'engaged',
];

/** Words right before a name: "a man named", "née", "also known as", "aka". */
const NAMED_WORDS = ['named', 'nee', 'née', 'aka', 'alias', 'surnamed', 'called'];

/** Closings of a letter or message, after which (and a comma) the writer's name follows. */
const SIGNOFFS = ['regards', 'sincerely', 'thanks', 'cheers', 'respectfully', 'cordially', 'best', 'yours'];

/**
 * Prepositions and the verbs or words before them that put a place after them: "born in", "lives in",
 * "transferred from", "moved to", "native of". The capitalised words after such a phrase are a city or town
 * (a geographic subdivision smaller than a state, 45 CFR 164.514(b)(2)(i)(B)).
 */
const PLACE_PREPOSITIONS = ['in', 'from', 'to', 'near', 'of'];
const PLACE_VERBS = (
  'born lives lived living resides resided residing moved relocated transferred travelled traveled visiting ' +
  'native originally hometown grew raised emigrated immigrated arrived returned returning flew drove'
).split(' ');

/** English titles, left out of a name's span; other languages' honorifics stay in it, as many are names too. */
const ENGLISH_TITLES = 'mr mrs ms mx dr prof rev hon miss mister doctor madam'.split(' ');

/**
 * Stop words that are name words when capitalised inside a name ("Tăng Uyên My", "Lê Anh Do"): only as the
 * second or later word of a candidate.
 */
const NAME_PART_STOPS = ['my', 'an', 'do', 'ha', 'so'];

/** Relations after which a capitalised word is a name: "parent Maria Nelson", "daughter, Jane". */
const RELATIONS = new Set(
  (
    'parent mother father mom dad son daughter wife husband spouse partner sister brother guardian grandmother ' +
    'grandfather grandson granddaughter aunt uncle niece nephew cousin caregiver fiance fiancee fiancé fiancée friend ' +
    'neighbor neighbour roommate boyfriend girlfriend sibling'
  ).split(' '),
);

// Name shapes at a cue: "LAST, FIRST M", "Last, First M.", "First M. Last" (or one word), "FIRST LAST".
const AT_UPPER_COMMA = new RegExp(
  `${UPPER},[ \\t]*${UPPER}(?:${SP}${UPPER}|${SP}${INITIAL})?(?![${LO}])`,
  'uy',
);
const AT_COMMA = new RegExp(
  `${CAP},${SP}${CAP}(?:${SP}${INITIAL}(?![${LO}])|${SP}(?:${PARTICLE}${SP}){0,2}${CAP})?`,
  'uy',
);
const AT_WORDS = new RegExp(
  `(?:${TITLE_ABBR}${SP})?${CAP}(?:${SP}(?:${PARTICLE}${SP}){0,2}(?:${INITIAL}|${CAP})){0,4}`,
  'uy',
);
const AT_UPPER = new RegExp(`${UPPER}(?:${SP}(?:${UPPER}|${INITIAL})){0,2}(?![${LO}])`, 'uy');

/** After a sentence-initial name: "is a 77-year-old", "(DOB …", "reports …". */
const SUBJECT_FOLLOW = new RegExp(
  `${SP}\\((?:DOB|D\\.O\\.B|MRN|MR#|age|born)|${SP}is${SP}an?${SP}(?:\\d|${NUMBER_WORD}|infant|newborn|neonate|pleasant|well|healthy|previously|known|woman|man|girl|boy|female|male|child|toddler|teen|teenage|adolescent|patient|resident|veteran)|,${SP}an?${SP}\\d{1,3}[- ]year|${SP}(?:was|is|has[ \\t]+been)${SP}(?:seen|admitted|brought|transferred|evaluated|discharged|referred)|${SP}(?:presents|presented|reports|reported|returns|returned|comes|came|arrives|arrived|denies|denied|states|stated|complains|complained|endorses|endorsed|notes|noted|feels|felt|tolerated|understands|agrees|verbalized|prefers|preferred|speaks|lives|resides|wishes|wants|requests|requested|asks|asked|refuses|refused|consents|consented)\\b`,
  'y',
);

/** The first two characters, after the blanks, of every {@link SUBJECT_FOLLOW} phrase that opens with a blank. */
const SUBJECT_OPENINGS = '(D (M (a (b is wa ha pr re co ca ar de st en no fe to un ag ve sp li wi as'.split(
  ' ',
);
const SUBJECT_PAIRS = new Uint8Array(128 * 128);
for (const o of SUBJECT_OPENINGS) SUBJECT_PAIRS[o.charCodeAt(0) * 128 + o.charCodeAt(1)] = 1;

/**
 * False when no {@link SUBJECT_FOLLOW} phrase that opens with blanks can start at `pos` (a blank): the two
 * characters after the blanks open none of them. Most sentence-initial words are passed without the expression.
 */
export function mayFollowSubject(text: string, pos: number): boolean {
  let i = pos;
  while (isSpace(text.charCodeAt(i))) i++;
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return a < 128 && b < 128 && SUBJECT_PAIRS[a * 128 + b] === 1;
}

/** A credential (MD, RN, …) at a token start; ", MD" after a name marks it a clinician's. */
const CREDENTIAL_AT = new RegExp(`(?:${CREDENTIALS})(?![A-Za-z])`, 'y');

/** First letters of the credentials (each alternative of {@link CREDENTIALS} starts with a literal capital). */
const CREDENTIAL_FIRST = new Uint8Array(128);
for (const alt of CREDENTIALS.split('|')) CREDENTIAL_FIRST[alt.charCodeAt(0)] = 1;

/**
 * A capital after a character that cannot be part of a token: where a capitalised token begins. Latin-1 text
 * (most notes) is scanned with {@link TOKEN_START_LATIN1}; text with other letters with {@link TOKEN_START_ANY}.
 */
const TOKEN_START_LATIN1 = /[^A-Za-zÀ-ÖØ-öø-ÿ'’-][A-ZÀ-ÖØ-Þ]/g;
const TOKEN_START_ANY = /[^\p{L}\p{M}'’\u200c-\u200d-][\p{Lu}\p{Lt}\p{Lo}]/gu;
/** A character beyond Latin-1 (other than ’ and typographic punctuation, which are no letters). */
const BEYOND_LATIN1 = /[\u0100-\u2018\u2020-\uffff]/;

// Character classes of the Basic Multilingual Plane, by code: 1 letter (or combining mark), 2 a letter that
// can start a name (upper case, or a letter of a script without case), 4 token character (letter, mark, ' ’ -),
// 8 a letter without case (CJK, Hangul, Arabic, Hebrew, Thai …).
const CLASS = new Uint8Array(65536);
/** The lower case of each code unit (itself when it has none, or when it lowers to more than one unit). */
const LOWER = new Uint16Array(65536);
{
  // One pass of each property expression over every code unit of the plane (surrogates left out).
  let plane = '';
  for (let c = 0; c < 0xd800; c++) plane += String.fromCharCode(c);
  for (let c = 0xe000; c < 0x10000; c++) plane += String.fromCharCode(c);
  const code = (i: number): number => (i < 0xd800 ? i : i + 0x800);
  for (const m of plane.matchAll(/[\p{L}\p{M}]/gu)) CLASS[code(m.index)] = 5;
  for (const m of plane.matchAll(/\p{Lo}/gu)) CLASS[code(m.index)] = 15;
  for (const m of plane.matchAll(/[\p{Lu}\p{Lt}]/gu)) {
    const c = code(m.index);
    CLASS[c] = 7;
    const l = m[0].toLowerCase();
    if (l.length === 1) LOWER[c] = l.charCodeAt(0);
  }
  for (let c = 0; c < 65536; c++) if (LOWER[c] === 0 && c !== 0) LOWER[c] = c;
}
CLASS[39] = 4;
CLASS[45] = 4;
CLASS[8217] = 4;
// The zero-width non-joiner and joiner inside words of Persian, Kurdish, Urdu and the Indic scripts ("علی‌زاده"):
// characters of the word, not breaks between words.
CLASS[0x200c] = 4;
CLASS[0x200d] = 4;

const isSpace = (c: number): boolean => c === 32 || c === 9;
const isLetter = (c: number): boolean => (CLASS[c]! & 1) !== 0;
/** A cased capital (not a letter of a caseless script). */
const isUpper = (c: number): boolean => (CLASS[c]! & 10) === 2;
const lowerCode = (c: number): number => LOWER[c]!;

// Roles of cue words, looked up by a hash of the word read backwards (no allocation per token).
const LABEL = 1;
const TITLE_ROLE = 2;
const RELATION = 4;
const BY = 8;
const WITH = 16;
const BY_VERB = 32;
const WITH_VERB = 64;
const DR = 128;
const STOP = 256;
const PERSON = 512;
const LOWER_TITLE = 1024;
const FOR = 2048;
const FOR_WORD = 4096;
const TO = 8192;
const TO_VERB = 16384;
const NAMED = 32768;
const SIGNOFF = 65536;
const PLACE_PREPOSITION = 131072;
const PLACE_VERB = 262144;
const ENGLISH_TITLE = 524288;
const NAME_PART = 1048576;
const PARTICLE_ROLE = 2097152;
/** Nouns for the patient that a name may follow in apposition ("the patient, Jane Doe, states"). */
const PERSON_NOUNS = ['patient', 'pt', 'client'];

function hashWord(word: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = word.length - 1; i >= 0; i--) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  // Kept within small-integer range and non-negative (the role table marks free slots with -1).
  return h & 0x3fffffff;
}

// An open-addressed table of word hash → roles (a typed-array probe is cheaper than a Map lookup per word).
const ROLE_SLOTS = 4096;
const ROLE_KEYS = new Int32Array(ROLE_SLOTS).fill(-1);
const ROLE_VALUES = new Uint32Array(ROLE_SLOTS);

/** The roles of the word with hash `h` (0 when it has none). Hashes are non-negative, so -1 marks a free slot. */
function roleOfHash(h: number): number {
  for (let i = (h ^ (h >>> 12)) & (ROLE_SLOTS - 1); ; i = (i + 1) & (ROLE_SLOTS - 1)) {
    const key = ROLE_KEYS[i]!;
    if (key === h) return ROLE_VALUES[i]!;
    if (key === -1) return 0;
  }
}

const addRole = (words: Iterable<string>, role: number): void => {
  for (const w of words) {
    const h = hashWord(w);
    let i = (h ^ (h >>> 12)) & (ROLE_SLOTS - 1);
    while (ROLE_KEYS[i] !== -1 && ROLE_KEYS[i] !== h) i = (i + 1) & (ROLE_SLOTS - 1);
    ROLE_KEYS[i] = h;
    ROLE_VALUES[i]! |= role;
  }
};
addRole(LABEL_WORDS, LABEL);
addRole(TITLES, TITLE_ROLE);
addRole(RELATIONS, RELATION);
addRole(BY_VERBS, BY_VERB);
addRole(WITH_VERBS, WITH_VERB);
addRole(['for'], FOR);
addRole(FOR_WORDS, FOR_WORD);
addRole(['to'], TO);
addRole(TO_VERBS, TO_VERB);
addRole(NAMED_WORDS, NAMED);
addRole(SIGNOFFS, SIGNOFF);
addRole(PLACE_PREPOSITIONS, PLACE_PREPOSITION);
addRole(PLACE_VERBS, PLACE_VERB);
addRole(ENGLISH_TITLES, ENGLISH_TITLE);
addRole(NAME_PART_STOPS, NAME_PART);
addRole(PARTICLE.slice(3, -1).split('|'), PARTICLE_ROLE);
addRole(['by'], BY);
addRole(['with'], WITH);
addRole(['dr'], DR);
addRole(PERSON_NOUNS, PERSON);
addRole(STOP_WORDS, STOP);
addRole(LOWER_TITLES, LOWER_TITLE);

/** Lower-cased first letter as 0–25 (26 for anything else). */
function letterIndex(c: number): number {
  const l = lowerCode(c);
  return l >= 97 && l <= 122 ? l - 97 : 26;
}

/** (length, first letter) of every cue word: other words are rejected without hashing. */
const CUE_SHAPES = new Uint8Array(32 * 27);
for (const w of [
  ...LABEL_WORDS,
  ...TITLES,
  ...RELATIONS,
  ...BY_VERBS,
  ...PERSON_NOUNS,
  ...WITH_VERBS,
  ...FOR_WORDS,
  ...TO_VERBS,
  ...NAMED_WORDS,
  ...SIGNOFFS,
  ...PLACE_PREPOSITIONS,
  ...PLACE_VERBS,
  'by',
  'with',
  'for',
])
  CUE_SHAPES[Math.min(w.length, 31) * 27 + letterIndex(w.charCodeAt(0))] = 1;

/** The cue role of [s, e) of `text`, read forwards (same hash as {@link roleBefore}). */
function roleOf(text: string, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = e - 1; i >= s; i--) h = Math.imul(h ^ lowerCode(text.charCodeAt(i)), 16777619);
  return roleOfHash(h & 0x3fffffff);
}

let wordStart = 0;
/** The cue role of the word ending at `end` (0 when none); sets `wordStart`. */
function roleBefore(text: string, end: number): number {
  let i = end;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (!isLetter(c) && c !== 45) break;
    i--;
    if (end - i > 16) return 0;
  }
  wordStart = i;
  if (i === end || CUE_SHAPES[Math.min(end - i, 31) * 27 + letterIndex(text.charCodeAt(i))] !== 1) return 0;
  let h = 0x811c9dc5 | 0;
  for (let k = end - 1; k >= i; k--) h = Math.imul(h ^ lowerCode(text.charCodeAt(k)), 16777619);
  return roleOfHash(h & 0x3fffffff);
}

/** Index of the last non-blank character before `pos`, or -1. */
function skipBlanksBack(text: string, pos: number): number {
  let j = pos - 1;
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  return j;
}

/**
 * True when a cue (title, label, "signed by", relation, /s/) announces a name starting at `s`; `j` is
 * `skipBlanksBack(text, s)`.
 */
function cueBefore(text: string, s: number, j: number): boolean {
  if (j < 0) return false;
  const c = text.charCodeAt(j);
  if (c === 58) return (roleBefore(text, skipBlanksBack(text, j) + 1) & LABEL) !== 0;
  if (c === 46) {
    if ((roleBefore(text, j) & TITLE_ROLE) === 0 || !isUpper(text.charCodeAt(wordStart))) return false;
    // "M." after an age or a number is the patient's sex, and a sentence follows ("92 M. Accompanied by …").
    return j - wordStart !== 1 || !sexMarker(text, wordStart, s);
  }
  // A closing on the line before: "Regards,\nJane Doe".
  if (c === 10 || c === 13) {
    let k = j - 1;
    while (k >= 0 && (isSpace(text.charCodeAt(k)) || text.charCodeAt(k) === 13)) k--;
    return (
      k > 0 && text.charCodeAt(k) === 44 && (roleBefore(text, skipBlanksBack(text, k) + 1) & SIGNOFF) !== 0
    );
  }
  // "Per daughter (Jane Doe)", "emergency contact (Jane Doe)".
  if (c === 40) return (roleBefore(text, skipBlanksBack(text, j) + 1) & (RELATION | LABEL)) !== 0;
  if (isLetter(c)) {
    if (j === s - 1) return false;
    const role = roleBefore(text, j + 1);
    if (role === 0) return false;
    const ws = wordStart;
    if ((role & LOWER_TITLE) !== 0) return true;
    if ((role & TITLE_ROLE) !== 0 && isUpper(text.charCodeAt(ws))) {
      if ((role & DR) === 0) return true;
      // "Dr" without a period after a capitalised word is a street suffix ("Sunset Dr Apt 7C").
      const k = skipBlanksBack(text, ws);
      if (k < 0 || !isLetter(text.charCodeAt(k))) return true;
      roleBefore(text, k + 1);
      return !isUpper(text.charCodeAt(wordStart));
    }
    if ((role & (RELATION | NAMED)) !== 0) return true;
    if ((role & (BY | WITH | FOR | TO)) !== 0) {
      const verb = roleBefore(text, skipBlanksBack(text, ws) + 1);
      return (
        ((role & BY) !== 0 && (verb & BY_VERB) !== 0) ||
        ((role & WITH) !== 0 && (verb & WITH_VERB) !== 0) ||
        ((role & FOR) !== 0 && (verb & FOR_WORD) !== 0) ||
        ((role & TO) !== 0 && (verb & TO_VERB) !== 0)
      );
    }
    return false;
  }
  if (c === 44) return (roleBefore(text, skipBlanksBack(text, j) + 1) & (RELATION | PERSON | SIGNOFF)) !== 0;
  if (c === 47) return j >= 2 && text.startsWith('/s/', j - 2);
  return false;
}

/**
 * True when the one-letter title "M" at `m` is a sex marker: after a number or an age ("92 M.", "92yo M"), or
 * before a word no name ends like ("M. Accompanied", "M. Presenting").
 */
const AGE_BEFORE = /(?:\d|(?<![A-Za-z])(?:yo|y\/o|old))[ \t-]*$/i;

function sexMarker(text: string, m: number, s: number): boolean {
  if (AGE_BEFORE.test(text.slice(Math.max(0, m - 8), m))) return true;
  let e = s;
  while (e < text.length && isLetter(text.charCodeAt(e))) e++;
  return /(?:ed|ing|ly)$/.test(text.slice(s, e));
}

/** True when a word for the patient ("Pt", "patient") comes right before `s`, without a colon; `j` is `skipBlanksBack(text, s)`. */
function labelWordBefore(text: string, s: number, j: number): boolean {
  // Every such word ends in "t": most words are passed on their last letter.
  if (j < 0 || j === s - 1 || (text.charCodeAt(j) | 32) !== 116) return false;
  return (roleBefore(text, j + 1) & PERSON) !== 0;
}

/** After a listed "Last, First": a separator or an identifier label ("— MRN", "| 1234", "(DOB", ", DOB"). */
const LISTED_FOLLOW = /[ \t]*(?:[—–|;]|-[ \t]|\(|,?[ \t]*(?:MRN|MR#|DOB|D\.O\.B|born|age\b))/y;

/**
 * A "Last, First" (or "LAST, FIRST") at the start of a line or sentence, followed by a list separator or label.
 * After a list item's id (`afterId`: "1. 4471203 Ross, Ada", "2. 5512093 Ada Ross") either shape is a name with
 * nothing after it.
 */
function listedAt(text: string, k: number, afterId = false): [number, number] | undefined {
  const s = starts[k]!;
  // Every name word is one token, so the comma follows the first token.
  if (text.charCodeAt(ends[k]!) !== 44) {
    if (!afterId || k + 1 >= count || !adjacent(text, k)) return undefined;
    AT_WORDS.lastIndex = s;
    return AT_WORDS.test(text) ? trimCandidate(text, s, AT_WORDS.lastIndex) : undefined;
  }
  for (const re of [AT_COMMA, AT_UPPER_COMMA]) {
    re.lastIndex = s;
    if (!re.test(text)) continue;
    const end = re.lastIndex;
    LISTED_FOLLOW.lastIndex = end;
    if (afterId || LISTED_FOLLOW.test(text)) return trimCandidate(text, s, end);
  }
  return undefined;
}

/**
 * Where one or two lower-case name particles ending at `j` ("de", "van der") start, or -1. They must follow a
 * blank, so the cue before them can be read.
 */
function particlesBefore(text: string, j: number): number {
  let start = -1;
  let end = j + 1;
  for (let n = 0; n < 2; n++) {
    let i = end;
    while (i > 0 && end - i <= 4 && text.charCodeAt(i - 1) >= 97 && text.charCodeAt(i - 1) <= 122) i--;
    if (i === end || end - i > 4) break;
    // At a line's start the particles open the name ("van den Berg, Kevin"); the caller tells.
    const lineStart = i === 0 || text.charCodeAt(i - 1) === 10 || text.charCodeAt(i - 1) === 13;
    if (!lineStart && !isSpace(text.charCodeAt(i - 1))) break;
    if ((roleOf(text, i, end) & PARTICLE_ROLE) === 0) break;
    start = i;
    if (lineStart) break;
    end = skipBlanksBack(text, i) + 1;
  }
  return start;
}

/**
 * True when a place preposition ("in", "from", "to", "near", "of") ends at `j` and a verb or word that puts a
 * place after it comes before, in the same sentence and within six words ("Born 3/4/1950 in", "Transferred
 * from", "originally from", "moved to").
 */
function placeCueBefore(text: string, j: number): boolean {
  if (j < 1 || j > text.length) return false;
  const last = text.charCodeAt(j);
  // in, from, to, near, of: every one ends in n, m, o, r or f.
  if (last !== 110 && last !== 109 && last !== 111 && last !== 114 && last !== 102) return false;
  if ((roleBefore(text, j + 1) & PLACE_PREPOSITION) === 0) return false;
  let p = wordStart;
  for (let words = 0; words < 6; words++) {
    let q = p;
    while (q > 0) {
      const c = text.charCodeAt(q - 1);
      // A sentence ends at a period after a word and before a blank (not inside a date such as "17.03.2001").
      if (c === 46 && q > 1 && isSpace(text.charCodeAt(q)) && isLetter(text.charCodeAt(q - 2))) return false;
      if (c === 10 || c === 13 || c === 59 || c === 33 || c === 63) return false;
      if (isLetter(c)) break;
      q--;
    }
    if (q === 0) return false;
    if ((roleBefore(text, q) & PLACE_VERB) !== 0) return true;
    if (wordStart === q) return false;
    p = wordStart;
  }
  return false;
}

/**
 * A place name of one to three adjacent capitalised words starting at token `k` ("Fort Claudia", "Lake
 * Tannerburgh", "O'Reillyton"), none of them a stop word ("from ICU", "in Cardiology Clinic" are no places).
 */
function placeAt(text: string, k: number): [number, number] | undefined {
  // "Moved to Theatre 2", "transferred to Ward 7": a place in a hospital, not a town.
  if (HOSPITAL_PLACE_SET.has(text.slice(starts[k]!, ends[k]!).toLowerCase())) return undefined;
  let last = k;
  while (last < count - 1 && last < k + 2 && adjacent(text, last)) last++;
  for (let t = k; t <= last; t++) {
    if (ends[t]! - starts[t]! < 2) return undefined;
    // "New" (a stop word: "new onset") opens place names: "New Delfina".
    if ((roleOfHash(hashOf(text, t)) & STOP) !== 0 && !(t === k && t < last && isNewWord(text, t)))
      return undefined;
  }
  return [starts[k]!, ends[last]!];
}

/**
 * Places inside a hospital or a building, numbered as houses are or named: never a town after a place cue ("moved
 * to Theatre 2"), never the street before a house number ("Room 4", "Bed 12").
 */
export const HOSPITAL_PLACE_WORDS =
  'room rm bed ward bay cot pod clinic theatre theater level floor station wing lab icu er or ed office unit recovery'.split(
    ' ',
  );
const HOSPITAL_PLACE_SET = new Set(HOSPITAL_PLACE_WORDS);

function isNewWord(text: string, t: number): boolean {
  return ends[t]! - starts[t]! === 3 && text.startsWith('New', starts[t]!);
}

/**
 * True when an id of six to twelve digits before `s` opens a list item at a line's start ("1. 4471203 Ross, Ada",
 * "- 5512093 Ada Ross"); `j` is `skipBlanksBack(text, s)`. The name after it is listed as at a line's start.
 */
function listItemIdBefore(text: string, s: number, j: number): boolean {
  const c = text.charCodeAt(j);
  return c >= 48 && c <= 57 && LIST_ID_BACK.test(text.slice(Math.max(0, s - 24), s));
}
/** A list item's marker at a line's start ("1.", "2)", "-", "*", "•"), an id of six to twelve digits, a blank. */
export const LIST_ID_BACK = /(?:^|[\n\r])[ \t]*(?:\d{1,2}[.)]|[-*•])[ \t]+\d{6,12}[ \t]+$/;

/** True when `s` starts a sentence or line; `j` is `skipBlanksBack(text, s)`. */
function sentenceStart(text: string, s: number, j: number): boolean {
  if (j < 0) return true;
  const c = text.charCodeAt(j);
  return c === 10 || c === 13 || ((c === 46 || c === 33 || c === 63 || c === 59) && j < s - 1);
}

// Capitalised tokens of the current text: offsets, reused across calls.
let starts = new Int32Array(256);
let ends = new Int32Array(256);
let hashes = new Int32Array(256);
/** 1 for a token inside a name found by the current call (set by {@link spanWords}). */
let named = new Uint8Array(256);
let count = 0;

function collectTokens(text: string): void {
  count = 0;
  const len = text.length;
  // Token starts are found by one native scan for "not a token character, then a capital" (no look-behind,
  // which would be tried at every position); the text's first character is checked by hand.
  let s = len > 0 && (CLASS[text.charCodeAt(0)]! & 2) !== 0 ? 0 : -1;
  const TOKEN_START = BEYOND_LATIN1.test(text) ? TOKEN_START_ANY : TOKEN_START_LATIN1;
  TOKEN_START.lastIndex = 0;
  for (;;) {
    if (s < 0) {
      if (!TOKEN_START.test(text)) break;
      s = TOKEN_START.lastIndex - 1;
    }
    let e = s + 1;
    while (e < len && (CLASS[text.charCodeAt(e)]! & 4) !== 0) e++;
    TOKEN_START.lastIndex = e;
    // Without a possessive or trailing dash/apostrophe: "Torres's" → "Torres".
    if (
      e - s > 3 &&
      text.charCodeAt(e - 1) === 115 &&
      (text.charCodeAt(e - 2) === 39 || text.charCodeAt(e - 2) === 8217)
    )
      e -= 2;
    while (e > s + 1 && !isLetter(text.charCodeAt(e - 1))) e--;
    if (count === starts.length) {
      const s2 = new Int32Array(count * 2);
      const e2 = new Int32Array(count * 2);
      const h2 = new Int32Array(count * 2);
      s2.set(starts);
      e2.set(ends);
      h2.set(hashes);
      starts = s2;
      ends = e2;
      hashes = h2;
      named = new Uint8Array(count * 2);
    }
    starts[count] = s;
    ends[count] = e;
    hashes[count] = -1;
    named[count] = 0;
    count++;
    s = -1;
  }
}

/** The hash of token k (computed on first use; most tokens never need one). */
function hashOf(text: string, k: number): number {
  let h = hashes[k]!;
  if (h < 0) {
    h = 0x811c9dc5 | 0;
    for (let i = ends[k]! - 1; i >= starts[k]!; i--)
      h = Math.imul(h ^ lowerCode(text.charCodeAt(i)), 16777619);
    h &= 0x3fffffff;
    hashes[k] = h;
  }
  return h;
}

/** First token index with start >= pos. */
function tokenAt(pos: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Trims a candidate to its name words: leading titles are skipped, and the candidate ends before the first
 * stop word. Returns [start, end] within text, or undefined when nothing name-like is left.
 */
function trimCandidate(text: string, start: number, end: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let k = tokenAt(start); k < count && starts[k]! < end; k++) {
    const s = starts[k]!;
    const e = Math.min(ends[k]!, end);
    const role = e === ends[k] ? roleOfHash(hashOf(text, k)) : roleOf(text, s, e);
    // English titles are left out; other languages' honorifics are often names too ("Anh", "Bà").
    if (first < 0 && (role & TITLE_ROLE) !== 0 && ((role & ENGLISH_TITLE) !== 0 || e - s === 1)) continue;
    if ((role & STOP) !== 0 && !(first >= 0 && (role & NAME_PART) !== 0 && isUpper(text.charCodeAt(s))))
      break;
    if (first < 0) first = s;
    last = e;
  }
  // "Ms. de Groot": the particles after a title left out belong to the name.
  if (first > start) {
    const p = particlesBefore(text, skipBlanksBack(text, first));
    if (p > start) first = p;
  }
  return first >= 0 ? [first, last] : undefined;
}
// The shapes worth trying at a cue, by the second character: upper-case shapes need a capital there, mixed-case
// ones a small letter; after an apostrophe ("O'Brien", "O'BRIEN") all are tried.
const AT_ANY = [AT_UPPER_COMMA, AT_COMMA, AT_WORDS, AT_UPPER];
const AT_MIXED = [AT_COMMA, AT_WORDS];
const AT_CAPS = [AT_UPPER_COMMA, AT_UPPER];

function nameAt(text: string, pos: number): [number, number] | undefined {
  const c = text.charCodeAt(pos + 1);
  const shapes =
    (CLASS[text.charCodeAt(pos)]! & 8) !== 0 || (CLASS[c]! & 3) === 1
      ? AT_MIXED
      : isUpper(c)
        ? AT_CAPS
        : AT_ANY;
  for (const re of shapes) {
    re.lastIndex = pos;
    if (re.test(text)) {
      const span = trimCandidate(text, pos, re.lastIndex);
      if (span) return span;
    }
  }
  return undefined;
}

/** True when the gap between tokens k and k+1 is blanks (after an initial, ". " too). */
function adjacent(text: string, k: number): boolean {
  let i = ends[k]!;
  const next = starts[k + 1]!;
  if (i >= next) return false;
  if (text.charCodeAt(i) === 46 && i - starts[k]! === 1) i++;
  if (i === next) return false;
  for (; i < next; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return next - ends[k]! <= 4;
}

const PARTICLE_GAP = new RegExp(`[ \\t]+(?:${PARTICLE}[ \\t]+){1,2}$`);

/** True when tokens k and k+1 are separated by blanks and one or two name particles ("María del Carmen"). */
function particleBetween(text: string, k: number): boolean {
  const gap = starts[k + 1]! - ends[k]!;
  return gap > 2 && gap <= 10 && PARTICLE_GAP.test(text.slice(ends[k]!, starts[k + 1]!));
}

/** A sentence-initial run of one to four name tokens followed by a subject phrase. */
function subjectAt(text: string, k: number): [number, number] | undefined {
  for (let last = k; last < count && last < k + 4; last++) {
    // "Anton van Dijk prefers …": name particles may stand between the name's tokens.
    if (last > k && !adjacent(text, last - 1) && !particleBetween(text, last - 1)) break;
    // The first token must look like a name word (Capitalised), not an upper-case heading.
    if (last === k && (ends[k]! - starts[k]! < 2 || isUpper(text.charCodeAt(starts[k]! + 1))))
      return undefined;
    // Every subject phrase opens with a blank or a comma: other tokens are passed without the expression.
    const next = text.charCodeAt(ends[last]!);
    if (next !== 32 && next !== 9 && next !== 44) continue;
    if (next !== 44 && !mayFollowSubject(text, ends[last]!)) continue;
    SUBJECT_FOLLOW.lastIndex = ends[last]!;
    if (SUBJECT_FOLLOW.test(text)) return trimCandidate(text, starts[k]!, ends[last]!);
  }
  return undefined;
}

/**
 * Name words of [start, end) (no titles, initials or stop words), added to `into` as hash, length and first
 * letter (the last two let most tokens be rejected without hashing them). Tokens wholly inside the span are
 * marked {@link named}.
 */
function spanWords(text: string, start: number, end: number, into: NameWords): void {
  for (let k = tokenAt(start); k < count && starts[k]! < end; k++) {
    if (ends[k]! <= end) named[k] = 1;
    const len = ends[k]! - starts[k]!;
    if (len < 2) continue;
    const h = hashOf(text, k);
    if ((roleOfHash(h) & (STOP | TITLE_ROLE)) !== 0 || into.hashes.includes(h)) continue;
    into.hashes.push(h);
    into.shapes.push(len * 32 + (lowerCode(text.charCodeAt(starts[k]!)) & 31));
  }
}

/** Name words to spread: hashes, and length·32 + first letter of each. */
interface NameWords {
  hashes: number[];
  shapes: number[];
}

/** A name found: offsets, and the merge rank the caller asked for. */
export interface NameSpan {
  kind: string;
  start: number;
  end: number;
  rank: number;
}

/**
 * Appends name detections in `text` to `out`: names after titles ("Ms.", "Dr."), labels ("Patient:", "Name:"),
 * signature and relationship phrases ("signed by", "parent"), before credentials (", MD"), and as the subject
 * of clinical sentences ("X Y is a 45-year-old"), then every other capitalised mention of a word of a name
 * found. One pass collects capitalised tokens and cues are checked around them, so the cost stays linear.
 * `seeds` are lower-cased name words known from elsewhere (the row's name columns), spread the same way.
 */
export function detectNames(
  text: string,
  out: NameSpan[],
  rank: number,
  seeds?: ReadonlySet<string>,
  placeRank?: number,
): void {
  collectTokens(text);
  const n = count;
  if (n === 0) return;
  const first = out.length;
  let coveredTo = -1;
  for (let k = 0; k < n; k++) {
    // "Jane Doe (daughter)": a blank and a parenthesis after the token.
    if (text.charCodeAt(ends[k]!) === 32 && text.charCodeAt(ends[k]! + 1) === 40)
      relationAt(text, k, out, rank);
    const s = starts[k]!;
    if (s < coveredTo) continue;
    // Inside a run of capitalised words ("Pinecrest Cardiology Group") only a title can cue a name.
    if (
      k > 0 &&
      s - ends[k - 1]! === 1 &&
      isSpace(text.charCodeAt(s - 1)) &&
      ends[k - 1]! - starts[k - 1]! > 6
    )
      continue;
    let span: [number, number] | undefined;
    // The last non-blank character before the token, which both kinds of cue look back from.
    const j = skipBlanksBack(text, s);
    if (cueBefore(text, s, j)) span = nameAt(text, s);
    else if (sentenceStart(text, s, j)) span = listedAt(text, k) ?? subjectAt(text, k);
    else if (listItemIdBefore(text, s, j)) span = listedAt(text, k, true);
    else if (labelWordBefore(text, s, j)) span = subjectAt(text, k);
    else {
      // "Mr. de Vries", "Dr. van der Berg": name particles between the cue and the capitalised word.
      const p = particlesBefore(text, j);
      if (p >= 0 && cueBefore(text, p, skipBlanksBack(text, p))) {
        span = nameAt(text, s);
        if (span) span[0] = p;
      } else if (p >= 0 && sentenceStart(text, p, skipBlanksBack(text, p))) {
        // "van den Berg, Kevin | …", "van Dijk prefers …": a family name's particles opening the line.
        span = listedAt(text, k) ?? subjectAt(text, k);
        if (span) span[0] = p;
      } else if (placeRank !== undefined && placeCueBefore(text, j)) {
        const place = placeAt(text, k);
        if (place) {
          out.push({ kind: 'address', start: place[0], end: place[1], rank: placeRank });
          coveredTo = place[1];
          continue;
        }
      }
    }
    if (span) {
      out.push({ kind: 'name', start: span[0], end: span[1], rank });
      coveredTo = span[1];
    }
  }
  // ", MD" after a name. Every credential starts with a capital, so it starts a token: the commas are visited
  // (few, found by a native search) and the token right after each, rather than every token or the whole text.
  let k = 0;
  let t = 0;
  for (let comma = text.indexOf(','); comma >= 0 && t < n; comma = text.indexOf(',', comma + 1)) {
    // A name token ends right at the comma, so a letter precedes it.
    if (comma === 0 || !isLetter(text.charCodeAt(comma - 1))) continue;
    let p = comma + 1;
    while (p < text.length && isSpace(text.charCodeAt(p))) p++;
    while (t < n && starts[t]! < p) t++;
    if (t === n || starts[t] !== p || CREDENTIAL_FIRST[text.charCodeAt(p)] !== 1) continue;
    CREDENTIAL_AT.lastIndex = p;
    if (!CREDENTIAL_AT.test(text)) continue;
    // Two to four adjacent capitalised tokens right before the comma (name particles between them: "María del
    // Carmen López"), or one word of a script without case (王芳).
    while (k < n && ends[k]! <= comma) k++;
    const j = k - 1;
    if (j < 0 || ends[j] !== comma) continue;
    let from = j;
    while (from > j - 3 && from > 0 && (adjacent(text, from - 1) || particleBetween(text, from - 1))) from--;
    if (from === j && (CLASS[text.charCodeAt(starts[j]!)]! & 8) === 0) continue;
    const span = trimCandidate(text, starts[from]!, comma);
    if (span) out.push({ kind: 'name', start: span[0], end: span[1], rank });
  }
  if (out.length === first && (seeds === undefined || seeds.size === 0)) return;
  // Every other capitalised mention of a name word found (or seeded) is a name too.
  const words: NameWords = { hashes: [], shapes: [] };
  if (seeds) {
    for (const w of seeds) {
      words.hashes.push(hashWord(w));
      words.shapes.push(w.length * 32 + (w.charCodeAt(0) & 31));
    }
  }
  for (let d = first; d < out.length; d++) spanWords(text, out[d]!.start, out[d]!.end, words);
  if (words.hashes.length === 0) return;
  // Most tokens are rejected by one bit test of their (length, first letter) before the exact checks. A token
  // inside a name already found is passed: its span would merge into that name's and change nothing.
  for (const shape of words.shapes) SPREAD_LETTERS[Math.min(shape >> 5, 63)]! |= 1 << (shape & 31);
  for (let k = 0; k < n; k++) {
    if (named[k] === 1) continue;
    const len = ends[k]! - starts[k]!;
    const letter = lowerCode(text.charCodeAt(starts[k]!)) & 31;
    if (((SPREAD_LETTERS[Math.min(len, 63)]! >>> letter) & 1) === 0) continue;
    if (!words.shapes.includes(len * 32 + letter)) continue;
    if (words.hashes.includes(hashOf(text, k)))
      out.push({ kind: 'name', start: starts[k]!, end: ends[k]!, rank });
  }
  for (const shape of words.shapes) SPREAD_LETTERS[Math.min(shape >> 5, 63)] = 0;
}

/** A name of one to three tokens ending with token `k`, followed by a relation in parentheses: "Jane Doe (daughter)", "王芳 (wife)". */
function relationAt(text: string, k: number, out: NameSpan[], rank: number): void {
  const open = ends[k]! + 1;
  // "(daughter)": a small letter after the parenthesis, and a closing one within a relation word's length.
  const first = text.charCodeAt(open + 1);
  if (first < 97 || first > 122) return;
  let close = open + 2;
  while (close < text.length && close - open <= 14 && isLetter(text.charCodeAt(close))) close++;
  if (text.charCodeAt(close) !== 41 || (roleOf(text, open + 1, close) & RELATION) === 0) return;
  let from = k;
  while (from > k - 2 && from > 0 && adjacent(text, from - 1)) from--;
  const span = trimCandidate(text, starts[from]!, ends[k]!);
  if (span) out.push({ kind: 'name', start: span[0], end: span[1], rank });
}

/** Per token length (63: longer), a bit per first letter of the name words being spread; zero between calls. */
const SPREAD_LETTERS = new Uint32Array(64);

const WORD = new RegExp(`(?:[${UP}]|\\p{Lo})[\\p{L}\\p{M}'’-]*`, 'gu');

/** Adds the lower-cased words of a name value (no titles, initials or stop words) to `into`. */
export function nameWords(value: string, into: Set<string>): void {
  WORD.lastIndex = 0;
  for (let m = WORD.exec(value); m !== null; m = WORD.exec(value)) {
    let w = lowerWord(m[0]);
    if (w.endsWith("'s") || w.endsWith('’s')) w = w.slice(0, -2);
    w = w.replace(/[-'’]+$/, '');
    if (w.length < 2 || STOP_WORDS.has(w) || TITLES.has(w)) continue;
    into.add(w);
  }
}

/** True when a whole value looks like a person's name: one to five name words, optionally with a credential. */
export function looksLikeName(value: string): boolean {
  return WHOLE_NAME.test(value);
}

const WHOLE_NAME = new RegExp(
  `^[ \\t]*(?:(?:${TITLE})[ \\t]+)?(?:${PARTICLE}[ \\t]+){0,2}(?:${CAP}|${UPPER})(?:,?[ \\t]+(?:${PARTICLE}[ \\t]+){0,2}(?:${CAP}|${UPPER}|${INITIAL})){0,4}(?:,[ \\t]*(?:${CREDENTIALS}))?[ \\t]*$`,
  'u',
);

const NAME_VALUE = new RegExp(
  `^(?:(?:${TITLE})[ \\t]+)?(?:${CAP}|${UPPER})(?:,?[ \\t]+(?:(?:${PARTICLE})[ \\t]+){0,2}(?:${CAP}|${UPPER}|${INITIAL})){0,4}$`,
  'u',
);

/**
 * True when a whole (trimmed) value reads as a person's name for a column profile: one to five name words in
 * any script (name particles such as "van der" between them), none of them a stop word ("Final", "Left").
 */
export function isNameValue(value: string): boolean {
  if (!NAME_VALUE.test(value)) return false;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(value); m !== null; m = WORD.exec(value)) {
    const w = lowerWord(m[0]).replace(/[-'’.]+$/, '');
    if (STOP_WORDS.has(w) && !TITLES.has(w)) return false;
  }
  return true;
}

/** A word lower-cased code unit by code unit, as the token hashes read it. */
function lowerWord(w: string): string {
  let out = '';
  for (let i = 0; i < w.length; i++) out += String.fromCharCode(LOWER[w.charCodeAt(i)]!);
  return out;
}
