// Column profiles: the PHI class of a column whose name says nothing, read from its values as a whole.
//
// A value alone often cannot be told apart: "48213" may be a ZIP or a count, "Maria" a name or a word. A column
// of them can: when most values of a column named `field_7` are shaped like ZIPs, record numbers or names, the
// column is treated as one of that class (45 CFR 164.514(b)(2)(i)), and every value in it is masked (fail
// closed: the few values of other shapes are masked with the rest).

import { parseDateCell } from './dates.ts';
import { isNameValue } from './names.ts';
import { isValidSsnParts } from './validators.ts';

/**
 * Name parts that say nothing about what a column holds: placeholders (`field_7`, `col3`, BigQuery's `f0_`),
 * and words for "some value" (`value`, `data`, `text`, `attr`).
 */
const GENERIC_PARTS = new Set(
  (
    'field fld col column c f v val value values data datum attr attribute attrib prop property text txt str ' +
    'string var variable item items misc info other others extra custom unnamed untitled unknown tmp temp x y z ' +
    'a b raw input output out expr alias anon generic entry element_value cell content contents detail details ' +
    'col_name fieldname'
  ).split(' '),
);

const genericCache = new Map<string, boolean>();

/**
 * True when a column name says nothing about its values: every part (split at underscores, digits, dots and
 * case changes) is a placeholder such as `field`, `col`, `value`, or there is no part at all (`_1`, `f0_`).
 */
export function isGenericColumnName(name: string): boolean {
  const hit = genericCache.get(name);
  if (hit !== undefined) return hit;
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const parts = leaf
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((p) => p !== '');
  const generic = parts.every((p) => GENERIC_PARTS.has(p));
  if (genericCache.size > 10_000) genericCache.clear();
  genericCache.set(name, generic);
  return generic;
}

/** The PHI classes a column profile can find (classification classes, so the profile's rules apply). */
export type ProfiledClass = 'ssn' | 'contact' | 'address' | 'mrn' | 'name';

const SSN_VALUE = /^(\d{3})([- .]?)(\d{2})\2(\d{4})$/;
const EMAIL_VALUE = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
/** A telephone number in any country's grouping: an optional +, area code in parentheses, groups, extension. */
const PHONE_VALUE = /^(?:\+|00)?[\d(][\d ()./-]{5,22}\d(?:[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?$/i;
const ZIP_VALUE = /^\d{5}(?:-?\d{4})?$/;
/** An identifier: letters, digits and separators, starting with a letter or digit (digit counts checked apart). */
const ID_VALUE = /^[A-Za-z0-9][A-Za-z0-9 .:/#_-]{3,39}$/;
/** A decimal or small number, which is a measurement, not an identifier. */
const MEASURE = /^[+-]?\d{1,4}(?:[.,]\d+)?$|^[+-]?\d+[.,]\d{1,3}$/;
/** A house number and street words in any language: "576 waelchi forks", "42 Rue de la Paix", "9-11 Main St". */
const NUMBER_FIRST_ADDRESS =
  /^\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?,?[ \t]+\p{L}[\p{L}\p{M}\p{N} .,'’#/-]*$/u;
/** Street words and then the house number: "Szilágyi út 55", "Dornierstr. 3", "Via Roma 12/B, 2". */
const NUMBER_LAST_ADDRESS =
  /^\p{L}[\p{L}\p{M} .'’-]*[ \t.]\d{1,5}[A-Za-z]?(?:[ \t]*[,/-][ \t]*[\p{L}\p{M}\p{N} .'’-]*)?$/u;

/** The class of one value as the column profile reads it, or undefined when it is shaped like none. */
export function profileValue(value: string): ProfiledClass | undefined {
  const v = value.trim();
  if (v.length < 2 || v.length > 120) return undefined;
  const c = v.charCodeAt(0);
  const digitFirst = c >= 48 && c <= 57;
  if (digitFirst || c === 43 || c === 40) {
    const ssn = SSN_VALUE.exec(v);
    if (ssn && isValidSsnParts(Number(ssn[1]), Number(ssn[3]), Number(ssn[4]))) return 'ssn';
    if (ZIP_VALUE.test(v)) return 'address';
    if (PHONE_VALUE.test(v) && isPhoneShaped(v)) return 'contact';
  }
  if (v.includes('@')) return EMAIL_VALUE.test(v) ? 'contact' : undefined;
  if (MEASURE.test(v) || parseDateCell(v) !== undefined) return undefined;
  if (digitFirst ? NUMBER_FIRST_ADDRESS.test(v) : NUMBER_LAST_ADDRESS.test(v))
    return hasLetters(v, 2) ? 'address' : undefined;
  if (ID_VALUE.test(v) && isIdShaped(v)) return 'mrn';
  if (isNameValue(v)) return 'name';
  return undefined;
}

/** 7–15 digits (ITU E.164), in groups, after a plus, around an area code in parentheses, or ten or more whole. */
function isPhoneShaped(v: string): boolean {
  const body = v.replace(/(?:x|ext\.?|extension|#).*$/i, '');
  const digits = body.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  if (/^(?:\+|00)|\(/.test(body)) return true;
  const groups = body.split(/[ ./-]+/).filter((g) => g !== '').length;
  return groups >= 2 || digits >= 10;
}

/** An identifier: four or more digits, or six or more characters mixing letters and at least two digits. */
function isIdShaped(v: string): boolean {
  let digits = 0;
  let letters = 0;
  let blanks = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c === 32) blanks++;
  }
  // A phrase with a number in it ("Room 4 East") is no identifier: blanks only between digit groups.
  if (blanks > 0 && letters > 3) return false;
  return digits >= 4 || (digits >= 2 && letters >= 1 && v.length >= 6);
}

function hasLetters(v: string, n: number): boolean {
  let k = 0;
  for (const ch of v) if (/\p{L}/u.test(ch) && ++k >= n) return true;
  return false;
}

/**
 * Words of things, not people: what PHI-free columns of capitalised words are made of (products, materials,
 * departments, specialties, drugs, elements, units). Words that are also given or family names (Bacon, Ball,
 * Fish, Gold, Silver, Lead, Mercury, Steel, Cotton, Rose, Brown) are left out, so a list of people is not read as
 * one of things. Lower case, matched on whole words.
 */
const THING_WORDS = new Set(
  // Retail departments and product nouns.
  (
    'automotive baby beauty books clothing computers electronics games garden grocery health home industrial ' +
    'jewelry jewelery kids movies music outdoors shoes sports tools toys bike car chair cheese chicken ' +
    'chips computer gloves hat keyboard mouse pants pizza salad sausages shirt soap table towels tuna ' +
    'bag bottle box cap coat cup desk dress jacket lamp laptop phone sofa watch wallet ' +
    // Materials and product adjectives.
    'bamboo bronze ceramic concrete fresh frozen granite metal plastic rubber silk soft wooden ' +
    'aluminum aluminium leather glass marble wool awesome bespoke electronic elegant ergonomic fantastic generic ' +
    'gorgeous handcrafted handmade incredible intelligent licensed luxurious modern oriental practical recycled ' +
    'refined rustic sleek small tasty unbranded sturdy durable premium deluxe portable organic natural ' +
    // Hospital departments, services and settings.
    'department unit ward clinic service services surgery medicine therapy care center centre laboratory lab ' +
    'pharmacy radiology imaging emergency intensive outpatient inpatient general internal family physical ' +
    'occupational respiratory nursing administration billing admissions records nutrition rehabilitation ' +
    // Chemistry and measurement.
    'hydrogen oxygen nitrogen carbon sulfur sulphur iron copper zinc tin sodium ' +
    'potassium calcium magnesium chlorine fluorine iodine neon argon helium boron silicon phosphorus ' +
    'tablet tablets capsule capsules solution injection cream ointment syrup suspension'
  ).split(' '),
);
/**
 * Endings of words for things, fields of study and substances (English derivation, USAN drug stems): "Cardiology",
 * "Pediatrics", "Nutrition", "Lithium", "Atorvastatin", "Lisinopril", "Omeprazole", "Adalimumab".
 */
const THING_ENDINGS =
  /(?:ology|ologie|iatry|iatrics|ics|tion|sion|ment|ness|ity|ism|ium|ware|ery|ous|able|ible|statin|pril|olol|sartan|prazole|azole|cillin|mycin|floxacin|dipine|tidine|formin|mab|tinib|vir|afil|triptan|lukast|gliptin|parin|oxetine|azepam|profen|olone|sone|amine|idine)$/;

/** Whether a name-shaped value holds a word of things (see {@link THING_WORDS}, {@link THING_ENDINGS}). */
function hasThingWord(value: string): boolean {
  for (const w of value.toLowerCase().split(/[^\p{L}\p{M}]+/u)) {
    if (w.length < 2) continue;
    if (THING_WORDS.has(w) || (w.length >= 6 && THING_ENDINGS.test(w))) return true;
  }
  return false;
}

/**
 * Share of a column's name-shaped values that may hold a word of things while the column is still read as names:
 * above it, the column is products, departments or drugs, not people.
 */
export const THING_SHARE = 0.15;

/** Share of a column's values that must be of PHI shapes for the column to be taken as PHI. */
export const PROFILE_THRESHOLD = 0.6;
/** Values read per column: enough to tell a column's class, bounded so a large result costs little more. */
export const PROFILE_SAMPLE = 1000;

/**
 * The PHI class of a column from its values: when at least {@link PROFILE_THRESHOLD} of the non-empty string
 * values (of the first {@link PROFILE_SAMPLE}) have a PHI shape, the most common shape's class; otherwise
 * undefined. Names need variety: a column of few distinct capitalised words repeated ("Final", "Active") is a
 * category, not people; and few words of things: a column of product, department, drug or element names
 * ("Recycled Concrete Keyboard", "Cardiology", "Atorvastatin", "Lithium") is not people either.
 */
export function profileColumn(values: Iterable<unknown>): ProfiledClass | undefined {
  const counts: Record<ProfiledClass, number> = { ssn: 0, contact: 0, address: 0, mrn: 0, name: 0 };
  const names = new Set<string>();
  let things = 0;
  let n = 0;
  for (const value of values) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    n++;
    const cls = profileValue(value);
    if (cls !== undefined) {
      counts[cls]++;
      if (cls === 'name') {
        names.add(value.trim().toLowerCase());
        if (hasThingWord(value)) things++;
      }
    }
    if (n >= PROFILE_SAMPLE) break;
  }
  if (n === 0) return undefined;
  if (counts.name > 0 && n >= 20 && names.size < n / 5) counts.name = 0;
  // Name evidence: a column of people's names holds few words of things; one of products or drugs, many.
  if (counts.name > 0 && things > THING_SHARE * counts.name) counts.name = 0;
  let best: ProfiledClass | undefined;
  let total = 0;
  for (const cls of Object.keys(counts) as ProfiledClass[]) {
    total += counts[cls];
    if (best === undefined || counts[cls] > counts[best]) best = cls;
  }
  return best !== undefined && counts[best] > 0 && total >= PROFILE_THRESHOLD * n ? best : undefined;
}
