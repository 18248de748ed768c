// Generators, validators and spellings of HIPAA identifiers: SSNs, VINs, phone numbers, MRNs, plan and account
// numbers, licences, device serials, e-mail, URLs and IP addresses.

import type { Rng } from './prng.ts';
import { EMAIL_DOMAINS } from './word-lists.ts';

/** The kinds of identifier the generator plants, after the HIPAA Safe Harbor list. */
export const IDENTIFIER_KINDS = [
  'name',
  'birth_date',
  'date',
  'ssn',
  'mrn',
  'street_address',
  'zip',
  'phone',
  'fax',
  'email',
  'health_plan_id',
  'account_number',
  'license_number',
  'vin',
  'device_id',
  'url',
  'ip_address',
] as const;

/** One of {@link IDENTIFIER_KINDS}. */
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** A valid SSN as `AAA-GG-SSSS`: area 001–899 except 666, group 01–99, serial 0001–9999. */
export function generateSsn(rng: Rng): string {
  let area = rng.int(1, 898);
  if (area >= 666) area += 1;
  const group = rng.int(1, 99);
  const serial = rng.int(1, 9999);
  return `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
}

/** True when nine SSN digits (separators ignored) satisfy the SSA's assignment rules. */
export function isValidSsn(ssn: string): boolean {
  const digits = ssn.replace(/[\s-]/g, '');
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/** The ways an SSN is written in free text. */
export const SSN_STYLES = ['dashed', 'spaced', 'bare'] as const;

/** An `AAA-GG-SSSS` SSN written as `123-45-6789`, `123 45 6789` or `123456789`. */
export function formatSsn(ssn: string, style: (typeof SSN_STYLES)[number]): string {
  if (style === 'dashed') return ssn;
  return ssn.replaceAll('-', style === 'spaced' ? ' ' : '');
}

const VIN_ALPHABET = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const VIN_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_WMIS = [
  '1HG',
  '1FA',
  '1FT',
  '1G1',
  '1GC',
  '2T1',
  '2HG',
  '3VW',
  '4T1',
  '5YJ',
  'JHM',
  'JTD',
  'KMH',
  'WBA',
  'WAU',
];

// Letter values for the check-digit sum (49 CFR 565.15 table); I, O and Q never occur.
const VIN_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const VIN_LETTER_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9];

function vinValue(ch: string): number {
  if (ch.length !== 1) throw new RangeError('a VIN has 17 characters');
  if (ch >= '0' && ch <= '9') return Number(ch);
  const value = VIN_LETTER_VALUES[VIN_LETTERS.indexOf(ch)];
  if (value === undefined) throw new RangeError(`not a VIN character: ${ch}`);
  return value;
}

/** The check digit (position 9) a 17-character VIN must carry, per 49 CFR 565.15: `0`–`9` or `X`. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += vinValue(vin.charAt(i)) * VIN_WEIGHTS[i]!;
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** True for a 17-character VIN without I, O or Q whose check digit is right. */
export function isValidVin(vin: string): boolean {
  return /^[A-HJ-NPR-Z0-9]{17}$/.test(vin) && vin.charAt(8) === vinCheckDigit(vin);
}

/** A VIN with a real-looking manufacturer prefix, model-year code and a correct check digit. */
export function generateVin(rng: Rng): string {
  let vds = '';
  for (let i = 0; i < 5; i++) vds += VIN_ALPHABET.charAt(rng.int(0, VIN_ALPHABET.length - 1));
  const year = VIN_YEAR_CODES.charAt(rng.int(0, VIN_YEAR_CODES.length - 1));
  const plant = VIN_ALPHABET.charAt(rng.int(0, 22));
  const draft = `${rng.pick(VIN_WMIS)}${vds}0${year}${plant}${rng.digits(6)}`;
  return draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
}

/** Ten NANP digits: the given area code, an exchange 200–999 that is not N11 or 555, and a line number. */
export function generatePhoneDigits(rng: Rng, areaCode: string): string {
  let exchange = rng.int(200, 999);
  while (exchange % 100 === 11 || exchange === 555) exchange = rng.int(200, 999);
  return `${areaCode}${exchange}${rng.digits(4)}`;
}

/** The ways a phone or fax number is written. */
export const PHONE_STYLES = ['parenthesized', 'dashed', 'international', 'dotted'] as const;

/** Ten phone digits written as `(555) 123-4567`, `555-123-4567`, `+1 555 123 4567` or `555.123.4567`. */
export function formatPhone(digits: string, style: (typeof PHONE_STYLES)[number]): string {
  const a = digits.slice(0, 3);
  const e = digits.slice(3, 6);
  const l = digits.slice(6);
  switch (style) {
    case 'parenthesized':
      return `(${a}) ${e}-${l}`;
    case 'dashed':
      return `${a}-${e}-${l}`;
    case 'international':
      return `+1 ${a} ${e} ${l}`;
    case 'dotted':
      return `${a}.${e}.${l}`;
  }
}

/** A medical record number: eight digits, not starting with 0. */
export function generateMrn(rng: Rng): string {
  return String(rng.int(1, 9)) + rng.digits(7);
}

const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';
const MBI_ALNUM = `${MBI_LETTERS}0123456789`;

/**
 * A health plan member id: a Medicare Beneficiary Identifier (11 characters in the CMS pattern) for
 * Medicare patients, otherwise a payer prefix and nine digits such as `BCX482910384`.
 */
export function generateHealthPlanId(rng: Rng, medicare: boolean): string {
  if (!medicare) return rng.pick(['BCX', 'UHC', 'AET', 'CGN', 'HUM', 'KPX', 'MOL']) + rng.digits(9);
  const letter = (): string => MBI_LETTERS.charAt(rng.int(0, MBI_LETTERS.length - 1));
  const alnum = (): string => MBI_ALNUM.charAt(rng.int(0, MBI_ALNUM.length - 1));
  return `${rng.int(1, 9)}${letter()}${alnum()}${rng.digits(1)}${letter()}${alnum()}${rng.digits(1)}${letter()}${letter()}${rng.digits(2)}`;
}

/** A driver's licence number in one of several state styles, e.g. `S12345678`, `D1234567`, `123456789`. */
export function generateLicenseNumber(rng: Rng): string {
  const letter = (): string => String.fromCharCode(65 + rng.int(0, 25));
  switch (rng.int(0, 2)) {
    case 0:
      return letter() + rng.digits(8);
    case 1:
      return letter() + rng.digits(7);
    default:
      return String(rng.int(1, 9)) + rng.digits(8);
  }
}

/** A hospital billing account number: ten digits, often zero-padded. */
export function generateAccountNumber(rng: Rng): string {
  return `00${rng.int(1, 9)}${rng.digits(7)}`;
}

/** An implanted or home device serial number, e.g. `PJN482913H` or `MMT-1780-K93X2`. */
export function generateDeviceSerial(rng: Rng): string {
  const letter = (): string => String.fromCharCode(65 + rng.int(0, 25));
  if (rng.chance(0.5)) return `${letter()}${letter()}${letter()}${rng.digits(6)}${letter()}`;
  return `${letter()}${letter()}${letter()}-${rng.digits(4)}-${letter()}${rng.digits(2)}${letter()}${rng.digits(1)}`;
}

const PUBLIC_FIRST_OCTETS = [24, 47, 50, 66, 68, 71, 73, 76, 98, 99, 104, 108, 174, 184, 208];

/** A public-looking IPv4 address (no private, loopback or link-local ranges). */
export function generateIpAddress(rng: Rng): string {
  return `${rng.pick(PUBLIC_FIRST_OCTETS)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** Lower-case letters only, for e-mail local parts and URL paths (`O'Brien` → `obrien`). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z]/g, '');
}

/** An e-mail address built from a person's name, e.g. `jane.smith52@example.com`. */
export function generateEmail(rng: Rng, first: string, last: string, birthYear: number): string {
  const f = slug(first);
  const l = slug(last);
  const yy = String(birthYear % 100).padStart(2, '0');
  const local = rng.pick([
    `${f}.${l}`,
    `${f.charAt(0)}${l}`,
    `${f}${l}${yy}`,
    `${f}.${l}${rng.int(1, 999)}`,
    `${l}.${f}`,
  ]);
  return `${local}@${rng.pick(EMAIL_DOMAINS)}`;
}

/** A personal web address built from a person's name, e.g. `https://www.example.org/~jsmith`. */
export function generatePersonalUrl(rng: Rng, first: string, last: string, birthYear: number): string {
  const f = slug(first);
  const l = slug(last);
  switch (rng.int(0, 2)) {
    case 0:
      return `https://www.${rng.pick(EMAIL_DOMAINS)}/~${f.charAt(0)}${l}`;
    case 1:
      return `https://${f}${l}${birthYear % 100}.blog.example.com/`;
    default:
      return `http://social.example.net/u/${f}.${l}.${rng.int(10, 9999)}`;
  }
}
