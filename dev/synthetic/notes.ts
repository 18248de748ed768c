// Free-text clinical notes that mention a patient's identifiers in varied spellings, recording each one planted.

import { ageOn, DATE_STYLES, formatDate } from './calendar.ts';
import type { Medication } from './clinical-catalog.ts';
import {
  formatPhone,
  formatSsn,
  generateAccountNumber,
  generateDeviceSerial,
  generateIpAddress,
  generateLicenseNumber,
  generatePersonalUrl,
  generatePhoneDigits,
  generateVin,
  type IdentifierKind,
  PHONE_STYLES,
  SSN_STYLES,
} from './identifiers.ts';
import type { Rng } from './prng.ts';
import { FEMALE_FIRST_NAMES, MALE_FIRST_NAMES } from './word-lists.ts';

/** An identifier value written into a note, verbatim. */
export interface PlantedSpan {
  kind: IdentifierKind;
  value: string;
}

/** A note's text and every identifier planted in it (each kind/value pair once). */
export interface ComposedNote {
  text: string;
  planted: PlantedSpan[];
}

/** What a note may say about the patient. */
export interface NoteSubject {
  firstName: string;
  lastName: string;
  sex: 'F' | 'M';
  birthDay: number;
  mrn: string;
  ssn: string;
  phoneDigits: string;
  areaCode: string;
  email: string | null;
  streetAddress: string;
  city: string;
  state: string;
  zip: string;
  healthPlanId: string | null;
  /** Descriptions of standing conditions, for the history sentence. */
  history: readonly string[];
}

/** What a note may say about the encounter it documents. */
export interface NoteVisit {
  title: string;
  encounterType: string;
  facility: string;
  admitDay: number;
  dischargeDay: number | null;
  noteDay: number;
  attending: string;
  author: string;
  diagnoses: readonly { code: string; description: string }[];
  /** Medication started for each diagnosis, by index, if any. */
  medications: readonly (Medication | null)[];
  labs: readonly { name: string; value: number; unit: string }[];
}

type Piece = string | PlantedSpan;

const span = (kind: IdentifierKind, value: string): PlantedSpan => ({ kind, value });

/** Collects planted spans while formatting text. */
class NoteWriter {
  readonly planted: PlantedSpan[] = [];

  /** Tagged template: interpolated spans are written verbatim and recorded as planted. */
  fmt = (strings: TemplateStringsArray, ...pieces: Piece[]): string => {
    let out = strings[0]!;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (typeof piece === 'string') {
        out += piece;
      } else {
        out += piece.value;
        this.record(piece);
      }
      out += strings[i + 1]!;
    }
    return out;
  };

  private record(piece: PlantedSpan): void {
    for (const p of this.planted) if (p.kind === piece.kind && p.value === piece.value) return;
    this.planted.push(piece);
  }
}

/** `a` or `an` before a spoken number or word. */
export function article(next: string): string {
  return /^(8|11\b|18\b|[aeiou])/i.test(next) ? 'an' : 'a';
}

/** A Safe Harbor–compatible age phrase: exact below 90, aggregated as "over 89" from 90 on. */
export function agePhrase(age: number, sex: 'F' | 'M'): string {
  const noun = age < 18 ? (sex === 'F' ? 'girl' : 'boy') : sex === 'F' ? 'woman' : 'man';
  if (age < 1) return `an infant ${noun}`;
  if (age > 89) return `a ${noun} over 89 years of age`;
  return `${article(String(age))} ${age}-year-old ${noun}`;
}

const PRESENTATION: Readonly<Record<string, string>> = {
  outpatient: 'is seen in clinic',
  emergency: 'presented to the emergency department',
  inpatient: 'was admitted',
  telehealth: 'was seen by video visit',
  observation: 'was placed in observation',
};

const lower = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

const shortLabNames = new Map<string, string>();

/** `Glucose [Mass/volume] in Serum or Plasma` → `Glucose`; memoised, as notes repeat the same few tests. */
function shortLabName(name: string): string {
  let short = shortLabNames.get(name);
  if (short === undefined) {
    short = name.replace(/ \[.*$/, '').replace(/ in (Serum or Plasma|Blood|Platelet poor plasma)\b.*$/, '');
    shortLabNames.set(name, short);
  }
  return short;
}

function nameHeader(w: NoteWriter, rng: Rng, s: NoteSubject): string {
  switch (rng.int(0, 2)) {
    case 0:
      return w.fmt`Patient: ${span('name', `${s.lastName.toUpperCase()}, ${s.firstName.toUpperCase()}`)}`;
    case 1:
      return w.fmt`Patient: ${span('name', `${s.lastName}, ${s.firstName}`)}`;
    default:
      return w.fmt`Patient name: ${span('name', `${s.firstName} ${s.lastName}`)}`;
  }
}

function nameReference(w: NoteWriter, rng: Rng, s: NoteSubject, age: number): string {
  const choice = rng.int(0, 2);
  if (choice === 0 || age < 18) return w.fmt`${span('name', s.firstName)} ${span('name', s.lastName)}`;
  if (choice === 1) return w.fmt`${s.sex === 'F' ? 'Ms.' : 'Mr.'} ${span('name', s.lastName)}`;
  return w.fmt`${span('name', `${s.firstName} ${s.lastName}`)}`;
}

function mrnPhrase(w: NoteWriter, rng: Rng, mrn: string): string {
  const label = rng.pick(['MRN:', 'MRN', 'MR#', 'Medical record number']);
  return w.fmt`${label} ${span('mrn', mrn)}`;
}

function datePhrase(w: NoteWriter, rng: Rng, kind: IdentifierKind, day: number): string {
  return w.fmt`${span(kind, formatDate(day, rng.pick(DATE_STYLES)))}`;
}

function header(w: NoteWriter, rng: Rng, s: NoteSubject, v: NoteVisit): string[] {
  const lines = [
    `${v.title}`,
    `Facility: ${v.facility}`,
    `${nameHeader(w, rng, s)}   ${mrnPhrase(w, rng, s.mrn)}   DOB: ${datePhrase(w, rng, 'birth_date', s.birthDay)}`,
  ];
  if (v.encounterType === 'inpatient' || v.encounterType === 'observation') {
    const discharged = v.dischargeDay === null ? 'pending' : datePhrase(w, rng, 'date', v.dischargeDay);
    lines.push(`Admission date: ${datePhrase(w, rng, 'date', v.admitDay)}   Discharge date: ${discharged}`);
  } else {
    lines.push(`Date of service: ${datePhrase(w, rng, 'date', v.admitDay)}`);
  }
  lines.push(`Attending: Dr. ${v.attending}`, '');
  return lines;
}

function history(s: NoteSubject): string {
  const items = s.history.slice(0, 2).map(lower);
  if (items.length === 0) return '';
  return ` with a history of ${items.join(' and ')}`;
}

function presentingParagraph(
  w: NoteWriter,
  rng: Rng,
  s: NoteSubject,
  v: NoteVisit,
  withHeader: boolean,
): string {
  const age = ageOn(s.birthDay, v.admitDay);
  const who = nameReference(w, rng, s, age);
  const primary = v.diagnoses[0];
  const complaint = primary ? lower(primary.description.replace(/^Encounter for /, '')) : 'follow-up';
  const when = rng.chance(0.5) ? ` on ${datePhrase(w, rng, 'date', v.admitDay)}` : '';
  const dob = withHeader
    ? ''
    : ` (DOB ${datePhrase(w, rng, 'birth_date', s.birthDay)}; ${mrnPhrase(w, rng, s.mrn)})`;
  const presentation = PRESENTATION[v.encounterType] ?? 'was seen';
  let text = `${who}${dob} is ${agePhrase(age, s.sex)}${history(s)} who ${presentation}${when} for ${complaint}.`;
  if (age < 18 && rng.chance(0.6)) {
    const parent = rng.pick(rng.chance(0.7) ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
    text += w.fmt` Accompanied by parent ${span('name', `${parent} ${s.lastName}`)}, who provided the history.`;
  } else if (rng.chance(0.3)) {
    text += w.fmt` ${span('name', s.firstName)} reports symptoms began several days ago.`;
  }
  return text;
}

function planLines(v: NoteVisit): string[] {
  const lines = ['Assessment and plan:'];
  v.diagnoses.forEach((d, i) => {
    const m = v.medications[i];
    const plan = m ? `Start ${m.drug} ${m.dose} ${m.route} ${m.frequency}.` : 'Supportive care; monitor.';
    lines.push(`${i + 1}. ${d.description} (${d.code}). ${plan}`);
  });
  if (v.labs.length > 0) {
    lines.push(`Labs: ${v.labs.map((l) => `${shortLabName(l.name)} ${l.value} ${l.unit}`).join('; ')}.`);
  }
  return lines;
}

/** Optional sentences, each planting one or two identifiers, with the chance each appears. */
function contactSentences(w: NoteWriter, rng: Rng, s: NoteSubject, v: NoteVisit): string[] {
  const out: string[] = [];
  const birthYear = Number(formatDate(s.birthDay, 'iso').slice(0, 4));
  const phone = (): PlantedSpan => span('phone', formatPhone(s.phoneDigits, rng.pick(PHONE_STYLES)));
  if (rng.chance(0.45)) {
    out.push(
      rng.chance(0.5)
        ? w.fmt`Patient can be reached at ${phone()}.`
        : w.fmt`Callback number confirmed as ${phone()}; OK to leave a message.`,
    );
  }
  if (rng.chance(0.25)) {
    out.push(
      w.fmt`Lives at ${span('street_address', s.streetAddress)}, ${s.city}, ${s.state} ${span('zip', s.zip)}.`,
    );
  }
  if (s.email !== null && rng.chance(0.2))
    out.push(w.fmt`Prefers portal messages at ${span('email', s.email)}.`);
  if (rng.chance(0.12))
    out.push(w.fmt`SSN ${span('ssn', formatSsn(s.ssn, rng.pick(SSN_STYLES)))} verified at registration.`);
  if (s.healthPlanId !== null && rng.chance(0.15)) {
    out.push(w.fmt`Insurance member ID ${span('health_plan_id', s.healthPlanId)} on file.`);
  }
  if (rng.chance(0.08))
    out.push(w.fmt`Billing account #${span('account_number', generateAccountNumber(rng))}.`);
  if (rng.chance(0.08)) {
    const fax = formatPhone(generatePhoneDigits(rng, s.areaCode), rng.pick(PHONE_STYLES));
    out.push(w.fmt`Records faxed at patient's request to outside cardiologist, fax ${span('fax', fax)}.`);
  }
  if (rng.chance(0.06)) {
    out.push(
      w.fmt`Identity confirmed with ${s.state} driver's license ${span('license_number', generateLicenseNumber(rng))}.`,
    );
  }
  if (rng.chance(v.encounterType === 'emergency' ? 0.15 : 0.03)) {
    out.push(
      w.fmt`Restrained driver in a motor vehicle collision; vehicle VIN ${span('vin', generateVin(rng))} recorded for the insurance claim.`,
    );
  }
  if (rng.chance(0.06)) {
    const device = rng.pick([
      'implanted cardiac device',
      'insulin pump',
      'home CPAP unit',
      'continuous glucose monitor',
    ]);
    out.push(w.fmt`Uses ${device}, serial no. ${span('device_id', generateDeviceSerial(rng))}.`);
  }
  if (rng.chance(0.04)) {
    const url = generatePersonalUrl(rng, s.firstName, s.lastName, birthYear);
    out.push(w.fmt`Patient shared a home blood-pressure log at ${span('url', url)}.`);
  }
  if (rng.chance(v.encounterType === 'telehealth' ? 0.5 : 0.03)) {
    out.push(w.fmt`Video session connected from IP address ${span('ip_address', generateIpAddress(rng))}.`);
  }
  if (rng.chance(0.3))
    out.push(w.fmt`Follow up on ${datePhrase(w, rng, 'date', v.noteDay + rng.int(14, 90))}.`);
  return out;
}

/** Writes a clinical note for one encounter and lists every identifier it mentions. */
export function composeNote(rng: Rng, subject: NoteSubject, visit: NoteVisit): ComposedNote {
  const w = new NoteWriter();
  const withHeader = rng.chance(0.7);
  const lines = withHeader ? header(w, rng, subject, visit) : [visit.title, ''];
  lines.push(presentingParagraph(w, rng, subject, visit, withHeader), '', ...planLines(visit));
  const contact = contactSentences(w, rng, subject, visit);
  if (contact.length > 0) lines.push('', contact.join(' '));
  lines.push(
    '',
    w.fmt`Electronically signed by ${visit.author} on ${datePhrase(w, rng, 'date', visit.noteDay)}.`,
  );
  return { text: lines.join('\n'), planted: w.planted };
}
