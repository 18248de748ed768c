// Tests for the content detectors: positives in many formats, negatives that checksums and context reject.

import assert from 'node:assert/strict';
import {
  contextKind,
  DEFAULT_HEALTH_PLAN,
  DetectorSet,
  detectIdentifiers,
  numericDateEnd,
} from './detectors.ts';
import { mayFollowSubject } from './names.ts';
import { isValidDate } from './validators.ts';

/** The detections in `text` as `kind:matched text`. */
function found(text: string, set = new DetectorSet(), context?: string): string[] {
  return set.detect(text, context).map((d) => `${d.kind}:${text.slice(d.start, d.end)}`);
}

interface Case {
  text: string;
  want: string[];
}

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(`${c.want.length === 0 ? 'finds nothing in' : 'finds'} ${JSON.stringify(c.text)}`, () =>
        assert.deepEqual(found(c.text), c.want));
    }
  });
}

table('SSN', [
  { text: 'SSN 123-45-6789 on file', want: ['ssn:123-45-6789'] },
  { text: 'ssn: 123 45 6789', want: ['ssn:123 45 6789'] },
  { text: 'Social Security number 123456789', want: ['ssn:123456789'] },
  { text: 'SS# 078-05-1121', want: ['ssn:078-05-1121'] },
  { text: 'alias column value 219-09-9998', want: ['ssn:219-09-9998'] },
  { text: 'area 000: 000-12-3456', want: [] },
  { text: 'area 666: 666-12-3456', want: [] },
  { text: 'area 9xx: 912-34-5678', want: [] },
  { text: 'group 00: 123-00-4567', want: [] },
  { text: 'serial 0000: 123-45-0000', want: [] },
  { text: 'SSN 000-12-3456', want: [] },
  { text: 'nine digits without context 123456789', want: [] },
  // Spaced groups read as the dashed form does: 3-2-4 digits with valid parts (an SSN written by hand).
  { text: 'spaced without context 123 45 6789', want: ['ssn:123 45 6789'] },
  { text: 'spaced phone-like 555 12 3456 x', want: ['ssn:555 12 3456'] },
  { text: 'part of a longer number 123-45-6789-0', want: [] },
]);

table('phone and fax', [
  { text: 'Call (617) 273-4213.', want: ['phone:(617) 273-4213'] },
  { text: 'Call 617-273-4213', want: ['phone:617-273-4213'] },
  { text: 'Call 617.273.4213', want: ['phone:617.273.4213'] },
  { text: 'Call +1 617 273 4213', want: ['phone:+1 617 273 4213'] },
  { text: 'Call 1-617-273-4213 ext. 204', want: ['phone:1-617-273-4213 ext. 204'] },
  { text: 'Phone: 6172734213', want: ['phone:6172734213'] },
  { text: 'cell 273-4213', want: ['phone:273-4213'] },
  { text: 'fax 212.555.0199', want: ['fax:212.555.0199'] },
  { text: 'Fax: (212) 555-0199', want: ['fax:(212) 555-0199'] },
  { text: 'Tel +44 20 7946 0958', want: ['phone:+44 20 7946 0958'] },
  { text: 'or +33 1 42 68 53 00.', want: ['phone:+33 1 42 68 53 00'] },
  { text: 'dose +2 mg', want: [] },
  { text: 'invalid area code 123-456-7890', want: [] },
  { text: 'N11 exchange 617-911-4213', want: [] },
  { text: 'bare ten digits 6172734213', want: [] },
  { text: 'ratio 617/273/4213', want: [] },
]);

table('dates', [
  { text: 'DOB 03/14/1952.', want: ['date:03/14/1952'] },
  { text: 'seen 3/14/52', want: ['date:3/14/52'] },
  { text: 'seen 14/03/1952', want: ['date:14/03/1952'] },
  { text: 'seen 1952-03-14', want: ['date:1952-03-14'] },
  { text: 'at 2019-03-14T14:18:41.000Z', want: ['date:2019-03-14T14:18:41.000Z'] },
  { text: 'at 2023-11-10 14:30 today', want: ['date:2023-11-10 14:30'] },
  { text: 'on March 14, 1952.', want: ['date:March 14, 1952'] },
  { text: 'on Mar. 14 1952', want: ['date:Mar. 14 1952'] },
  { text: 'on 14 Mar 1952', want: ['date:14 Mar 1952'] },
  { text: 'on 14-Mar-1952', want: ['date:14-Mar-1952'] },
  { text: 'on the 14th of March, 1952', want: ['date:14th of March, 1952'] },
  { text: 'in March 1952', want: ['date:March 1952'] },
  { text: 'follow up June 3rd', want: ['date:June 3rd'] },
  { text: 'DOB 19520314', want: ['date:19520314'] },
  { text: 'since 12/2020', want: ['date:12/2020'] },
  { text: 'not a month 13/2020', want: [] },
  { text: 'not a month: 13/45/2020', want: [] },
  { text: 'not a day: 2020-02-30', want: [] },
  { text: 'fraction 1/2 and ratio 120/80', want: [] },
  { text: 'units 10*3/uL and dose 5-325 mg', want: [] },
  { text: 'version 1.2.3 and 3.5 mg', want: [] },
  { text: 'year alone 1952', want: [] },
  { text: 'eight digits without label 19520314', want: [] },
  { text: 'you may go', want: [] },
]);

table('ages over 89', [
  { text: 'a 92-year-old man', want: ['age:92'] },
  { text: 'age 95', want: ['age:95'] },
  { text: 'Aged: 101', want: ['age:101'] },
  { text: '90 yo female', want: ['age:90'] },
  { text: 'a 45-year-old man', want: [] },
  { text: 'an 89 year old woman', want: [] },
  { text: 'a woman over 89 years of age', want: [] },
  { text: '95 mg', want: [] },
]);

table('e-mail and URLs', [
  { text: 'mail jane.doe+x@mail.example.com.', want: ['email:jane.doe+x@mail.example.com'] },
  { text: 'JOHN_SMITH52@EXAMPLE.ORG', want: ['email:JOHN_SMITH52@EXAMPLE.ORG'] },
  { text: 'log at https://example.org/~jdoe?x=1).', want: ['url:https://example.org/~jdoe?x=1'] },
  { text: 'see www.example.com/path, then', want: ['url:www.example.com/path'] },
  { text: 'http://social.example.net/u/a.b.42', want: ['url:http://social.example.net/u/a.b.42'] },
  { text: 'no @ here, user@localhost', want: [] },
  { text: 'ratio 3:1 and time 10:30', want: [] },
]);

table('IP and MAC addresses', [
  { text: 'from 24.56.78.201.', want: ['ip:24.56.78.201'] },
  { text: 'from 2001:db8::8a2e:370:7334', want: ['ip:2001:db8::8a2e:370:7334'] },
  { text: 'link fe80::1 up', want: ['ip:fe80::1'] },
  { text: 'MAC 00:1A:2B:3C:4D:5E', want: ['device:00:1A:2B:3C:4D:5E'] },
  { text: 'MAC 00-1A-2B-3C-4D-5E', want: ['device:00-1A-2B-3C-4D-5E'] },
  { text: 'octet 999.1.1.1', want: [] },
  { text: 'five parts 1.2.3.4.5', want: [] },
  { text: 'time 10:30:45', want: [] },
]);

table('record, plan, account, licence, plate, device and vehicle numbers', [
  { text: 'MRN: 95391962', want: ['mrn:95391962'] },
  { text: 'MR# 95391962', want: ['mrn:95391962'] },
  { text: 'Medical record number 34453309', want: ['mrn:34453309'] },
  { text: 'chart # AB123456', want: ['mrn:AB123456'] },
  { text: 'Insurance member ID UHC303477463 on file', want: ['health_plan:UHC303477463'] },
  { text: 'plan BCX482910384', want: ['health_plan:BCX482910384'] },
  { text: 'Medicare 1EG4-TE5-MK73', want: ['health_plan:1EG4-TE5-MK73'] },
  { text: 'MBI 1EG4TE5MK73', want: ['health_plan:1EG4TE5MK73'] },
  { text: 'Billing account #0012345678.', want: ['account:0012345678'] },
  { text: 'card 4111 1111 1111 1111', want: ['account:4111 1111 1111 1111'] },
  { text: "MI driver's license S12345678.", want: ['license:S12345678'] },
  { text: 'license plate 7ABC123', want: ['plate:7ABC123'] },
  { text: 'Uses insulin pump, serial no. PJN482913H.', want: ['device:PJN482913H'] },
  { text: 'S/N: MMT-1780-K93X2', want: ['device:MMT-1780-K93X2'] },
  { text: 'UDI (01)00884838000123(17)251231', want: ['device:(01)00884838000123(17)251231'] },
  { text: 'vehicle VIN 1HGCM82633A004352 recorded', want: ['vin:1HGCM82633A004352'] },
  { text: 'unlabelled 1M8GDM9AXKP042788', want: ['vin:1M8GDM9AXKP042788'] },
  // VINs outside North America carry no check digit: the shape (VIN letters, a numeric serial) decides.
  { text: 'bad check digit 1HGCM82643A004352', want: ['vin:1HGCM82643A004352'] },
  { text: 'seventeen digits 12345678901234567', want: [] },
  { text: 'card failing Luhn 4111 1111 1111 1112', want: [] },
  { text: 'plain numbers 95391962 and 0012345678', want: [] },
  { text: 'license expired', want: [] },
  { text: 'serial measurements 12', want: [] },
]);

table('street addresses and ZIP codes', [
  {
    text: 'Lives at 1002 Sunset Dr Apt 7C, Grand Rapids, MI 49503.',
    want: ['address:1002 Sunset Dr Apt 7C, Grand Rapids', 'zip:49503'],
  },
  {
    text: '77 Massachusetts Avenue, Cambridge, MA 02139',
    want: ['address:77 Massachusetts Avenue, Cambridge', 'zip:02139'],
  },
  { text: '12 N Main St.', want: ['address:12 N Main St.'] },
  { text: 'P.O. Box 1234', want: ['address:P.O. Box 1234'] },
  { text: 'from Boston, MA 02115-1234', want: ['address:Boston', 'zip:02115-1234'] },
  { text: 'Zip: 02139', want: ['zip:02139'] },
  { text: 'Austin, Texas 78701', want: ['address:Austin', 'zip:78701'] },
  { text: 'a ZIP-like count: 12345 units', want: [] },
  { text: 'lower-case state word: in 46202 cases', want: [] },
  { text: 'Take 2 Tablets By Mouth', want: [] },
]);

table('names', [
  { text: 'Patient: TORRES, ANGELA   MRN: 95391962', want: ['name:TORRES, ANGELA', 'mrn:95391962'] },
  { text: 'Patient: Torres, Angela', want: ['name:Torres, Angela'] },
  { text: 'Patient name: Angela Torres', want: ['name:Angela Torres'] },
  { text: "Patient: O'BRIEN, LINDA", want: ["name:O'BRIEN, LINDA"] },
  { text: 'Ms. Torres is a 75-year-old woman.', want: ['name:Torres'] },
  { text: 'Attending: Dr. Bernard Ingersoll', want: ['name:Bernard Ingersoll'] },
  { text: 'Seen by Dr Ana Lee.', want: ['name:Ana Lee'] },
  {
    text: 'Electronically signed by Hugo Underwood, MD on 2022-08-03.',
    want: ['name:Hugo Underwood', 'date:2022-08-03'],
  },
  { text: 'Signature: Maria Gonzalez, RN', want: ['name:Maria Gonzalez'] },
  { text: 'Accompanied by parent Maria Nelson, who provided the history.', want: ['name:Maria Nelson'] },
  { text: 'Her daughter, Ana, was present.', want: ['name:Ana'] },
  { text: 'Adam Nelson (DOB 08/18/1961) is well.', want: ['name:Adam Nelson', 'date:08/18/1961'] },
  {
    text: 'Angela Torres is a 77-year-old woman. Angela reports pain.',
    want: ['name:Angela Torres', 'name:Angela'],
  },
  { text: 'Jane Q. Public presented with fever.', want: ['name:Jane Q. Public'] },
  { text: 'Mr. Smith\u2019s wife called; Smith was calm.', want: ['name:Smith', 'name:Smith'] },
  { text: 'Type 2 Diabetes Mellitus without complications.', want: [] },
  { text: 'Essential (Primary) Hypertension. Start Lisinopril 10 mg.', want: [] },
  { text: 'Facility: Pinecrest Cardiology Group', want: [] },
  { text: 'Patient reports pain. She denies fever.', want: [] },
  { text: 'Sunset Dr Apt 7C', want: [] },
  { text: 'Assessment and Plan: Continue Metformin.', want: [] },
  { text: 'Discussed with Pharmacy. Seen by Cardiology. Spoke with Social Work.', want: [] },
  { text: 'Referred to Physical Therapy; follow up with Neurology in 2 weeks.', want: [] },
  { text: 'Hemoglobin A1c 7.9 %; Carbon dioxide, total 23 mmol/L.', want: [] },
  { text: 'Patient: Alert and oriented. Echo reports normal EF.', want: [] },
  { text: 'Lisinopril is an ACE inhibitor. Hypertension is well controlled.', want: [] },
]);

table('names: the phrase after a sentence-initial name', [
  { text: 'Angela Torres\tis a 45-year-old woman.', want: ['name:Angela Torres'] },
  { text: 'Angela Torres, a 45-year-old woman.', want: ['name:Angela Torres'] },
  { text: 'Angela Torres,a 45-year-old woman.', want: [] },
  {
    text: 'Angela Torres  (DOB 01/02/1960) was seen.',
    want: ['name:Angela Torres', 'date:01/02/1960'],
  },
  { text: 'Angela Torres was seen today.', want: ['name:Angela Torres'] },
  { text: 'Angela Torres has been admitted.', want: ['name:Angela Torres'] },
  { text: 'Angela Torres isolated the sample.', want: [] },
  { text: 'Angela Torres Presents today.', want: [] },
  { text: 'Angela Torres is', want: [] },
  { text: 'Angela Torres ', want: [] },
]);

table('names: every other mention of a name found', [
  {
    text: 'Angela Torres reports pain; Torres and ANGELA agree. Dr. Torres',
    want: ['name:Angela Torres', 'name:Torres', 'name:ANGELA', 'name:Torres'],
  },
]);

table('labels read backwards from a value', [
  { text: "Driver's license: S39209219", want: ['license:S39209219'] },
  { text: 'Member ID number is AET178039077', want: ['health_plan:AET178039077'] },
  { text: 'S/N: BDJ008053Z', want: ['device:BDJ008053Z'] },
  { text: 'A/C 123456789', want: ['account:123456789'] },
  { text: 'mrn 12345678', want: ['mrn:12345678'] },
  { text: 'MRN#: 12345678', want: ['mrn:12345678'] },
  { text: 'xmrn 12345678', want: [] },
  { text: 'DOB 19610818', want: ['date:19610818'] },
  { text: 'born on 1961-08-18', want: ['date:1961-08-18'] },
  { text: 'Phone:6172734213', want: ['phone:6172734213'] },
]);

describe('labels from the policy', () => {
  const set = new DetectorSet({ mrn: { labels: ['case ref', "o'k"] } });
  const cases: Case[] = [
    { text: 'Case ref 12345678', want: ['mrn:12345678'] },
    { text: 'case rep 12345678', want: [] },
    { text: "O'K: 12345678", want: ['mrn:12345678'] },
    { text: 'OK: 12345678', want: [] },
    { text: 'MRN 12345678', want: [] },
  ];
  for (const c of cases)
    it(`${c.want.length === 0 ? 'finds nothing in' : 'finds'} ${JSON.stringify(c.text)}`, () =>
      assert.deepEqual(found(c.text, set), c.want));
});

describe('flags', () => {
  it('flags biometric mentions and base64 images without masking them', () => {
    const text =
      'Fingerprint and retinal scan on file. Photo: data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==';
    assert.deepEqual(found(text), [
      'biometric:Fingerprint',
      'biometric:retinal scan',
      'image:data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==',
    ]);
    const stats = { counts: new Map<string, number>(), flags: new Set<string>() };
    assert.equal(new DetectorSet().redact(text, undefined, stats), text);
    assert.deepEqual([...stats.flags].sort(), ['biometric', 'image']);
    assert.equal(stats.counts.size, 0);
  });
  it('flags a value that is a base64 image by its magic number', () => {
    const jpeg = `/9j/${'A'.repeat(80)}`;
    assert.deepEqual(found(jpeg), [`image:${jpeg}`]);
    assert.deepEqual(found('A'.repeat(84)), []);
  });
});

describe('redact', () => {
  it('replaces each identifier with its tag and counts kinds, never keeping values', () => {
    const stats = { counts: new Map<string, number>(), flags: new Set<string>() };
    const out = new DetectorSet().redact(
      'Patient: Torres, Angela  SSN 071-34-1324, call 616-273-4213 or 616.273.4214.',
      undefined,
      stats,
    );
    assert.equal(out, 'Patient: [NAME]  SSN [SSN], call [PHONE] or [PHONE].');
    assert.deepEqual(Object.fromEntries(stats.counts), { name: 1, ssn: 1, phone: 2 });
  });
  it('returns the same string when nothing is found', () => {
    const text = 'Supportive care; monitor.';
    const stats = { counts: new Map<string, number>(), flags: new Set<string>() };
    assert.equal(new DetectorSet().redact(text, undefined, stats), text);
  });
  it('merges overlapping detections into one tag', () => {
    const stats = { counts: new Map<string, number>(), flags: new Set<string>() };
    assert.equal(new DetectorSet().redact('fax: (212) 555-0199', undefined, stats), 'fax: [FAX]');
  });
});

describe('column names as context', () => {
  const cases = [
    { name: 'ssn', kind: 'ssn' },
    { name: 'patient_ssn', kind: 'ssn' },
    { name: 'socialSecurityNumber', kind: 'ssn' },
    { name: 'mrn', kind: 'mrn' },
    { name: 'first_name', kind: 'name' },
    { name: 'lastName', kind: 'name' },
    { name: 'attending_physician', kind: 'name' },
    { name: 'home_phone', kind: 'phone' },
    { name: 'fax_number', kind: 'fax' },
    { name: 'zip', kind: 'zip' },
    { name: 'street_address', kind: 'address' },
    { name: 'city', kind: 'address' },
    { name: 'health_plan_id', kind: 'health_plan' },
    { name: 'license_plate', kind: 'plate' },
    { name: 'person.dob', kind: 'date' },
    { name: 'drug_name', kind: undefined },
    { name: 'facility_name', kind: undefined },
    { name: 'test_name', kind: undefined },
    { name: 'patient_id', kind: undefined },
    { name: 'description', kind: undefined },
  ];
  for (const c of cases)
    it(`reads ${c.name} as ${c.kind ?? 'nothing'}`, () => assert.equal(contextKind(c.name), c.kind));

  const values = [
    { context: 'mrn', value: '95391962', want: ['mrn:95391962'] },
    { context: 'first_name', value: 'Angela', want: ['name:Angela'] },
    { context: 'author', value: 'Bernard Ingersoll, DO', want: ['name:Bernard Ingersoll, DO'] },
    { context: 'zip', value: '49503', want: ['zip:49503'] },
    { context: 'ssn', value: '071341324', want: ['ssn:071341324'] },
    { context: 'phone', value: '6162734213', want: ['phone:6162734213'] },
    { context: 'phone', value: '06 12 34 56 78', want: ['phone:06 12 34 56 78'] },
    { context: 'phone', value: '12345', want: [] },
    { context: 'city', value: 'Grand Rapids', want: ['address:Grand Rapids'] },
    { context: 'drug_name', value: 'Lisinopril', want: [] },
    { context: 'first_name', value: 'unknown', want: [] },
    { context: 'ssn', value: '000-12-3456', want: [] },
    { context: 'mrn', value: 'pending', want: [] },
  ];
  for (const c of values) {
    it(`treats ${JSON.stringify(c.value)} under ${c.context} as ${c.want.length ? c.want[0]!.split(':')[0] : 'nothing'}`, () =>
      assert.deepEqual(found(c.value, new DetectorSet(), c.context), c.want));
  }
  it('finds nothing in bare values that need their column name', () => {
    assert.deepEqual(found('95391962'), []);
    assert.deepEqual(found('Angela'), []);
  });
});

describe('configuration', () => {
  it('runs only the kinds asked for', () => {
    const set = new DetectorSet({ kinds: ['ssn'] });
    assert.deepEqual(found('SSN 123-45-6789, call 617-273-4213, jane@example.com', set), ['ssn:123-45-6789']);
  });
  it('takes MRN labels, value format and standalone patterns from the profile', () => {
    const set = new DetectorSet({
      mrn: {
        labels: ['hospital no'],
        value: String.raw`H\d{6}(?!\d)`,
        patterns: [String.raw`\bMRN-\d{7}\b`],
      },
    });
    assert.deepEqual(found('Hospital no. H123456; MRN-1234567; MRN: 95391962', set), [
      'mrn:H123456',
      'mrn:MRN-1234567',
    ]);
  });
  it('adds custom detectors, masking the named group id when present', () => {
    const set = new DetectorSet({
      custom: [
        { kind: 'study_id', pattern: String.raw`\bSTUDY-\d{4}\b` },
        { kind: 'room', pattern: String.raw`room (?<id>\d{3})` },
      ],
    });
    assert.deepEqual(found('Enrolled in STUDY-0042, room 512.', set), ['study_id:STUDY-0042', 'room:512']);
  });
  it('detectIdentifiers caches one compiled set per options', () => {
    assert.deepEqual(
      detectIdentifiers('Zip 02139', { kinds: ['zip'] }).map((d) => d.kind),
      ['zip'],
    );
    assert.deepEqual(
      detectIdentifiers('49503', { context: 'zip' }).map((d) => [d.kind, d.start, d.end]),
      [['zip', 0, 5]],
    );
  });
});

describe('numeric dates read by hand', () => {
  // The expression and validity check numericDateEnd replaced, as the oracle.
  const NUMERIC_DATE =
    /(?:(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:[ \t]?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?|(\d{1,2})([/.-])(\d{1,2})\6(\d{4}|\d{2})|(\d{1,2})\/((?:19|20)\d{2}))(?![\w/]|[.-]\d)/y;
  function oracle(text: string, s: number): number {
    NUMERIC_DATE.lastIndex = s;
    const m = NUMERIC_DATE.exec(text);
    if (!m) return -1;
    let valid: boolean;
    if (m[1] !== undefined) valid = isValidDate(Number(m[1]), Number(m[3]), Number(m[4]));
    else if (m[9] !== undefined) valid = isValidDate(Number(m[10]), Number(m[9]), 1);
    else {
      const y = m[8]!;
      const year = y.length === 2 ? 2000 : Number(y);
      const a = Number(m[5]);
      const b = Number(m[7]);
      valid = !(y.length === 2 && m[6] !== '/') && (isValidDate(year, a, b) || isValidDate(year, b, a));
    }
    return valid ? NUMERIC_DATE.lastIndex : -1;
  }
  /** numericDateEnd at every digit run start of `text`, as the digit pass calls it. */
  function ends(text: string, read: (text: string, s: number, re: number) => number): number[] {
    const out: number[] = [];
    for (let s = 0; s < text.length; s++) {
      if (!/\d/.test(text.charAt(s)) || /\d/.test(text.charAt(s - 1))) continue;
      let re = s;
      while (/\d/.test(text.charAt(re))) re++;
      out.push(read(text, s, re));
    }
    return out;
  }
  const cases: [string, number[]][] = [
    ['1952-03-14', [10, -1, -1]],
    ['1952-3-4.', [8, -1, -1]],
    ['1952-02-30', [-1, -1, -1]],
    ['1952-03-14T10:30:15.123Z', [24, -1, -1, -1, -1, -1, -1]],
    ['2020-09-03 10:30 UTC', [20, -1, -1, -1, -1]],
    ['2020-09-03 10:30:15,1234567890', [19, -1, -1, -1, -1, -1, -1]],
    ['2020-09-03T', [-1, -1, -1]],
    ['2020-09-034', [-1, -1, -1]],
    ['2020-09/03', [-1, -1, -1]],
    ['3/14/1952', [9, -1, -1]],
    ['14.03.1952', [10, -1, -1]],
    ['3/14/52', [7, -1, -1]],
    ['3-14-52', [-1, -1, -1]],
    ['13/13/2020', [-1, -1, -1]],
    ['3/1952', [6, -1]],
    ['3/1852', [-1, -1]],
    ['3/19520', [-1, -1]],
    ['3/1/52', [6, -1, -1]],
    ['310-456-4322', [-1, -1, -1]],
    ['3/14/1952/', [-1, -1, -1]],
    ['3/14/1952-1', [-1, -1, -1, -1]],
    ['3/14/1952.', [9, -1, -1]],
    ['3/14/1952a', [-1, -1, -1]],
  ];
  for (const [text, want] of cases) {
    it(`reads ${JSON.stringify(text)} as the expression does`, () => {
      assert.deepEqual(ends(text, oracle), want);
      assert.deepEqual(ends(text, numericDateEnd), want);
    });
  }
  it('agrees with the expression on generated digit and separator strings', () => {
    const parts = [
      '0',
      '1',
      '3',
      '12',
      '19',
      '20',
      '31',
      '1952',
      '03',
      '52',
      '/',
      '-',
      '.',
      'T',
      ' ',
      ':',
      'Z',
      'a',
    ];
    let x = 1;
    for (let i = 0; i < 20000; i++) {
      let text = '';
      for (let k = 0; k < 8; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        text += parts[(x >>> 8) % parts.length];
      }
      assert.deepEqual(ends(text, numericDateEnd), ends(text, oracle), text);
    }
  });
});

describe('health plan ids found at digit runs', () => {
  // The same patterns written differently are scanned over the whole text, as the default ones were.
  const scanned = new DetectorSet({
    healthPlan: { patterns: DEFAULT_HEALTH_PLAN.patterns.map((p) => `(?:${p})`) },
  });
  const texts = [
    'MBI 1EG4-TE5-MK73 on file',
    '1EG4TE5MK73',
    'x1EG4TE5MK73',
    '-1EG4TE5MK73',
    'Member ID: 1EG4-TE5-MK73',
    'Medicare 1EG4-TE5-MK73, 2020-09-03 1EG4TE5MK73',
    'plan BCX482910384 and BCX4829103845',
    'ABCX482910384',
    '2020-09-03BCX482910384',
    'BC482910384',
    'DOB 1952-03-14 ZYX123456789',
  ];
  for (const text of texts) {
    it(`finds what a scan of ${JSON.stringify(text)} finds`, () =>
      assert.deepEqual(found(text), found(text, scanned)));
  }
  it('finds Medicare and payer-prefixed ids', () => {
    assert.deepEqual(found('MBI 1EG4-TE5-MK73; id BCX482910384'), [
      'health_plan:1EG4-TE5-MK73',
      'health_plan:BCX482910384',
    ]);
  });
});

describe('month dates and biometric words in one scan', () => {
  const cases: Case[] = [
    { text: 'Fingerprint taken March 14, 2020', want: ['biometric:Fingerprint', 'date:March 14, 2020'] },
    { text: 'SCAN: retina scan on 14 Mar 2020', want: ['biometric:retina scan', 'date:14 Mar 2020'] },
    { text: 'PrInTs of the THUMB PRINT, Sept. 2019', want: ['biometric:THUMB PRINT', 'date:Sept. 2019'] },
    { text: 'Smarch 14 voiceprint', want: ['biometric:voiceprint'] },
    { text: 'Scanned in MAY 2021', want: ['date:MAY 2021'] },
  ];
  for (const c of cases) {
    it(`finds ${JSON.stringify(c.text)} as the separate scans did`, () => {
      assert.deepEqual(found(c.text), c.want);
      const flags = new DetectorSet({ kinds: ['biometric'] });
      const dates = new DetectorSet({ kinds: ['date'] });
      assert.deepEqual(
        found(c.text),
        [...found(c.text, flags), ...found(c.text, dates)].sort(
          (a, b) => c.text.indexOf(a.slice(a.indexOf(':') + 1)) - c.text.indexOf(b.slice(b.indexOf(':') + 1)),
        ),
      );
    });
  }
});

describe('URLs found from the first place one can start', () => {
  const cases: Case[] = [
    { text: 'https://example.org/a', want: ['url:https://example.org/a'] },
    {
      text: 'see https://example.org and www.example.com',
      want: ['url:https://example.org', 'url:www.example.com'],
    },
    {
      text: 'WWW.EXAMPLE.COM then ftp://files.example.com',
      want: ['url:WWW.EXAMPLE.COM', 'url:ftp://files.example.com'],
    },
    {
      text: 'www.example.com before sftp://x.example.com',
      want: ['url:www.example.com', 'url:sftp://x.example.com'],
    },
    { text: 'file://host/share', want: ['url:file://host/share'] },
    // A domain name is a web address with or without a scheme or "www.".
    { text: 'a://b and xwww.example.com', want: ['url:xwww.example.com'] },
    { text: 'a://b and version 1.2.3 of it', want: [] },
  ];
  for (const c of cases) it(`finds ${JSON.stringify(c.text)}`, () => assert.deepEqual(found(c.text), c.want));
});

describe('subject phrase openings', () => {
  const cases: [string, boolean][] = [
    [' is a 45-year-old', true],
    ['  \twas seen', true],
    [' (DOB 1/2/1950)', true],
    [' (age 95)', true],
    [' presents with', true],
    [' verbalized understanding', true],
    [' and plan', false],
    [' signed by', false],
    [' number confirmed', false],
    [' Is a', false],
    [' i', false],
    [' ', false],
  ];
  for (const [text, want] of cases)
    it(`${want ? 'lets' : 'rejects'} ${JSON.stringify(text)} before the expression`, () =>
      assert.equal(mayFollowSubject(text, 0), want));
});

table('SSNs with their groups split by spaces or dots', [
  { text: 'SSN on file: 629 93 9536', want: ['ssn:629 93 9536'] },
  { text: 'call 629 93 9536 now', want: ['ssn:629 93 9536'] },
  { text: 'ssn 629.93.9536.', want: ['ssn:629.93.9536'] },
  { text: 'mixed separators 629.93 9536', want: [] },
  { text: 'a longer run 629 93 95367', want: [] },
  { text: 'an IP-like 629.93.9536.1', want: [] },
  { text: 'invalid area 000 93 9536', want: [] },
]);

table('identifiers written as they occur in real notes', [
  { text: 'Med Rec #31.669.513 reviewed', want: ['mrn:31.669.513'] },
  { text: 'med rec no. 4455 6677', want: ['mrn:4455 6677'] },
  { text: 'Born january 15, 2013 at term', want: ['date:january 15, 2013'] },
  { text: 'seen may 5 for a cough', want: [] },
  { text: 'VIN 1hgnyldkxmb295549 per report', want: ['vin:1hgnyldkxmb295549'] },
  { text: 'cell (948)774-7388x71577', want: ['phone:(948)774-7388x71577'] },
  { text: 'Tel. 030 12345678 (Berlin)', want: ['phone:030 12345678'] },
  { text: 'Alternate (982)728-61-00', want: ['phone:(982)728-61-00'] },
  { text: 'a ninety-nine-year-old woman', want: ['age:ninety-nine'] },
  { text: 'one hundred and two years old', want: ['age:one hundred and two'] },
  { text: 'ninety minutes of therapy', want: [] },
  { text: 'Seen 6/5 13:28 by triage', want: ['date:6/5 13:28'] },
  { text: 'strength 5/5 in all extremities', want: [] },
  { text: 'signed 05/04/2024 9:13 PM', want: ['date:05/04/2024 9:13 PM'] },
  { text: 'ZIP 237928448', want: ['zip:237928448'] },
  { text: 'SSN on file: 723088464', want: ['ssn:723088464'] },
  {
    text: 'at instagram.com/maureen.t and linkedin.com/in/jane-doe',
    want: ['url:instagram.com/maureen.t', 'url:linkedin.com/in/jane-doe'],
  },
  { text: 'Twitter @mtweneboa posted', want: ['url:@mtweneboa'] },
  { text: 'file handout.pdf given, e.g. at 0.5 mg/kg', want: [] },
  {
    text: 'pump 3f2504e0-4f89-11d3-9a0c-0305e82c3301 checked',
    want: ['device:3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
  },
  {
    text: 'to maureen dot tweneboa at gmail dot com please',
    want: ['email:maureen dot tweneboa at gmail dot com'],
  },
  { text: 'write to jdoe[at]yahoo[dot]com', want: ['email:jdoe[at]yahoo[dot]com'] },
  { text: 'sent to luiza63 (at) gmail (dot) com today', want: ['email:luiza63 (at) gmail (dot) com'] },
  { text: 'send to murl_klein at yahoo.com', want: ['email:murl_klein at yahoo.com'] },
  { text: 'seen at home. Plan reviewed', want: [] },
  { text: 'Account FR7630006000011234567890189', want: ['account:FR7630006000011234567890189'] },
  { text: 'IBAN DE89370400440532013000 on file', want: ['account:DE89370400440532013000'] },
  { text: '4410 Kuphal Forge, Apt 3', want: ['address:4410 Kuphal Forge, Apt 3'] },
  { text: 'Type 2 Diabetes Center referral', want: [] },
]);

table('names in any script and in context', [
  { text: 'Patient: Zoltán Kővári, 71 y/o', want: ['name:Zoltán Kővári'] },
  {
    text: 'Mrs. Şükran Öztürk reports dizziness. Öztürk denies pain.',
    want: ['name:Şükran Öztürk', 'name:Öztürk'],
  },
  { text: 'Accompanied by her daughter Małgorzata Wójcik.', want: ['name:Małgorzata Wójcik'] },
  { text: 'Dr. Nguyễn Thị Hương reviewed the echo.', want: ['name:Nguyễn Thị Hương'] },
  { text: 'Patient: Александр Петров was admitted.', want: ['name:Александр Петров'] },
  { text: 'Emergency contact: 王芳 (wife)', want: ['name:王芳'] },
  { text: 'Referred to 丁帅, NP for asthma', want: ['name:丁帅'] },
  { text: 'Herr Danner is ninety-six years old', want: ['name:Danner', 'age:ninety-six'] },
  { text: 'paní Matoušková lives alone', want: ['name:Matoušková'] },
  { text: 'Per daughter (Pulchérie Lefebvre), the patient fell', want: ['name:Pulchérie Lefebvre'] },
  { text: 'Lives with Jana Arens (wife) in town', want: ['name:Jana Arens'] },
  { text: 'The patient, Nayeli Little, states she is better', want: ['name:Nayeli Little'] },
  { text: 'Pt Dorcas Reynolds (DOB 5/21/94) admitted', want: ['name:Dorcas Reynolds', 'date:5/21/94'] },
  { text: 'Thiel, Kody — MRN 957-61677', want: ['name:Thiel, Kody', 'mrn:957-61677'] },
  {
    text: 'Signed by Irene Griego Espinosa de los Monteros, MD',
    want: ['name:Irene Griego Espinosa de los Monteros'],
  },
  { text: 'Fabien Caron is a ninety-five y/o woman', want: ['name:Fabien Caron', 'age:ninety-five'] },
  { text: 'Seen in Cardiology Clinic (follow-up) today', want: [] },
  { text: 'Bay Area resident, tolerating diet', want: [] },
]);

// Names cued by running text, not a label; a sex marker "M." before a sentence is no title.
table('names in context: requests, "named", subjects, relations, closings, particles, any script', [
  { text: 'Left a message for Tomasz Wójcik about the results.', want: ['name:Tomasz Wójcik'] },
  { text: 'A 40-year-old woman named Ingrid Bakke presents with cough.', want: ['name:Ingrid Bakke'] },
  { text: 'Oksana Kovalenko prefers morning visits.', want: ['name:Oksana Kovalenko'] },
  { text: 'Brought in by sister, Hana Novák, this morning.', want: ['name:Hana Novák'] },
  { text: 'Regards,\nPieter Jansen', want: ['name:Pieter Jansen'] },
  { text: 'Mr. de Vries arrived at noon.', want: ['name:de Vries'] },
  { text: 'Spoke to Κώστας Παπαδόπουλος about discharge.', want: ['name:Κώστας Παπαδόπουλος'] },
  { text: '45 M. Accompanied by his son.', want: [] },
  { text: 'Interpreter requested for the family.', want: [] },
]);

// Lower-case streets, house numbers after the street (other languages), cued places; quantities are no addresses.
table('street addresses in any case and order, and places after "born in", "from"', [
  { text: 'Resides at 14 birch lane with her son.', want: ['address:14 birch lane'] },
  { text: 'Home address: Kungsgatan 12, Uppsala.', want: ['address:Kungsgatan 12, Uppsala'] },
  { text: 'Lives at ul. Polna 9/5 with her mother.', want: ['address:ul. Polna 9/5'] },
  { text: 'Born 3/4/1950 in Fort Harlow.', want: ['date:3/4/1950', 'address:Fort Harlow'] },
  { text: 'Transferred from Mercy Hospital on 5/5/2020.', want: ['date:5/5/2020'] },
  { text: 'Had a 2 hour drive to clinic.', want: [] },
  { text: 'Walked 200 m in 6 min, HR 88.', want: [] },
]);

// Sixth round: addresses as notes in many countries write them (hand-written examples, none from a corpus).
table('street addresses: number after the street, street words, flats, PO boxes, postcodes, cues, scripts', [
  // The number after the street, with a comma or a house word between them.
  { text: 'Lives at Bergmannstr. 14 with her son.', want: ['address:Bergmannstr. 14'] },
  { text: 'Home: Calle Mayor, nº 27, 2º B.', want: ['address:Calle Mayor, nº 27, 2º B'] },
  { text: 'Pt lives at наб. Мойки, 48.', want: ['address:наб. Мойки, 48'] },
  {
    text: 'Address: Strada Florilor, Bloc 12, Sc. A, Ap. 7',
    want: ['address:Strada Florilor, Bloc 12, Sc. A, Ap. 7'],
  },
  { text: 'Resides at Storgatan 3 lgh 1201; lift.', want: ['address:Storgatan 3 lgh 1201'] },
  { text: 'Moved to ul. Lipowa 4 m. 12 in May.', want: ['address:ul. Lipowa 4 m. 12'] },
  { text: 'Resides at Dorpsweg 88 III; stairs.', want: ['address:Dorpsweg 88 III'] },
  // Street words of other languages, whole or as a word's end, in any case.
  { text: 'Lives at Brīvības gatve 21, Rīga.', want: ['address:Brīvības gatve 21, Rīga'] },
  { text: 'Jl. Sudirman 45, Jakarta.', want: ['address:Jl. Sudirman 45, Jakarta'] },
  { text: 'Visited at Hämeenkatu 9.', want: ['address:Hämeenkatu 9'] },
  { text: 'Sent to Παρ. Ερμού 6 by post.', want: ['address:Παρ. Ερμού 6'] },
  { text: 'home is nørrebrogade 20 now', want: ['address:nørrebrogade 20'] },
  { text: 'Lives at Parkveien 7 alone.', want: ['address:Parkveien 7'] },
  { text: 'Seen at Calle de la Paz 5 today.', want: ['address:Calle de la Paz 5'] },
  { text: 'Her address is Lipová 17.', want: ['address:Lipová 17'] },
  // Split over lines, lower case, capitals.
  { text: 'Address on file:\nNa Příkopě 22\nPraha', want: ['address:Na Příkopě 22'] },
  { text: 'Address:\n47 larkspur pass', want: ['address:47 larkspur pass'] },
  { text: 'lives at calle mayor, nº 5', want: ['address:calle mayor, nº 5'] },
  { text: 'HAUPTSTR. 5, 10115 BERLIN', want: ['address:HAUPTSTR. 5, 10115 BERLIN'] },
  { text: 'Plan:\nHR 88, Sodium 139', want: [] },
  // Postcode and city after the street, on the line or the next.
  { text: 'Lives at Lindenstraße 5, 80331 München.', want: ['address:Lindenstraße 5, 80331 München'] },
  { text: 'Address:\nMolenstraat 12\n2611 KB Delft', want: ['address:Molenstraat 12\n2611 KB Delft'] },
  { text: 'Rua das Flores 120, 4050-262 Porto', want: ['address:Rua das Flores 120, 4050-262 Porto'] },
  { text: 'Home: 4 Elm Grove, Leeds LS6 2AB', want: ['address:4 Elm Grove, Leeds LS6 2AB'] },
  { text: 'Lives at 12 King St, Toronto, ON M5V 2T6', want: ['address:12 King St, Toronto, ON M5V 2T6'] },
  { text: 'Lives at 8 rue Victor Hugo, 69002 Lyon', want: ['address:8 rue Victor Hugo, 69002 Lyon'] },
  { text: 'Zip code 60614, Chicago, IL.', want: ['zip:60614', 'address:Chicago'] },
  // A street with no type word after an address cue, other languages' labels and scripts.
  { text: 'Address on file: Lipová 17\nBrno', want: ['address:Lipová 17'] },
  { text: 'Address on file: 47 larkspur pass\nSpringfield', want: ['address:47 larkspur pass'] },
  { text: 'Anschrift: Am Hang 3', want: ['address:Am Hang 3'] },
  { text: 'Dirección: Reforma 222', want: ['address:Reforma 222'] },
  { text: '住所: 中山路 5', want: ['address:中山路 5'] },
  { text: 'Lives at Na Výsluní 12 with family.', want: ['address:Na Výsluní 12'] },
  { text: 'כתובת: רחוב הרצל 15', want: ['address:רחוב הרצל 15'] },
  { text: 'العنوان: شارع النيل 9', want: ['address:شارع النيل 9'] },
  { text: 'Address: 12 바다로', want: ['address:12 바다로'] },
  // A flat or a house name before the street.
  { text: 'Flat 2, Orchard House, 14 Mill Road', want: ['address:Flat 2, Orchard House, 14 Mill Road'] },
  { text: 'Lives at Ivy Cottage, Dorfstraße 9.', want: ['address:Ivy Cottage, Dorfstraße 9'] },
  // PO boxes in other languages.
  { text: 'Mail to Postfach 4410 only.', want: ['address:Postfach 4410'] },
  { text: 'Apartado 2231, Sevilla', want: ['address:Apartado 2231'] },
  { text: 'Caixa Postal 118', want: ['address:Caixa Postal 118'] },
  { text: 'POB 4411 or Postbus 1200', want: ['address:POB 4411', 'address:Postbus 1200'] },
  // Not addresses: vitals, lab values, rooms, beds, wards, times, scores, a state code before its ZIP.
  { text: 'Lives at home. Sodium 139, Plt 250.', want: [] },
  { text: 'Located in ICU HR 88, BP 120/80.', want: [] },
  { text: 'Room 4, Bed 12, Ward 7, Unit 3, Bay 2.', want: [] },
  { text: 'Pt located in Room 4, then staying in Bed 12; lives at Ward 7.', want: [] },
  { text: 'Located in Clinic 3 since Level 2 closed.', want: [] },
  { text: 'GCS 15 at 14:30; pain 3/10; Temp 37.2; Hgb 12.1 g/dL.', want: [] },
  { text: 'Metoprolol 25 mg, Gate 5, box 12 of the form, Gata', want: [] },
  { text: 'Montgomery, AL 36104', want: ['address:Montgomery', 'zip:36104'] },
]);

// After "at"/"on"/"(work)", national numbers with a leading 0, digits in pairs; dates and IPs keep their kind.
table('telephone numbers after words, with trunk prefixes, in pairs', [
  { text: 'Reach her at 0612 345 678 after 5 pm.', want: ['phone:0612 345 678'] },
  { text: '(work) 044-555-1212', want: ['phone:044-555-1212'] },
  { text: 'Call her daughter on 06 12 34 56 78.', want: ['phone:06 12 34 56 78'] },
  { text: 'Seen on 12/03/2020 at 192.168.0.1.', want: ['date:12/03/2020', 'ip:192.168.0.1'] },
]);

// "Record no.", "Hospital no", an id alone in a cell of a pipe-delimited row (small values are not).
table('record numbers after other labels and in table rows', [
  { text: 'Record no. 4471203 reviewed.', want: ['mrn:4471203'] },
  { text: 'Hospital no: 99812345', want: ['mrn:99812345'] },
  { text: 'Ross, Ada | 5512093 | 2/3/1961', want: ['name:Ross, Ada', 'mrn:5512093', 'date:2/3/1961'] },
  { text: '| Platelets | 250 |', want: [] },
]);

// Record numbers as EHRs and other health systems label them (HL7 v2 PID-3 identifier types: MR, PI, AN, VN, …),
// in other languages with their diacritics, on the line below their label, and with a check digit.
table('record numbers under the labels real records carry', [
  { text: 'PID: 1234567', want: ['mrn:1234567'] },
  { text: 'EMPI 12345678 merged', want: ['mrn:12345678'] },
  { text: 'Enterprise ID: E1234567', want: ['mrn:E1234567'] },
  { text: 'FIN: 12345678; CSN: 123456789', want: ['mrn:12345678', 'mrn:123456789'] },
  { text: 'Visit # 5566771', want: ['mrn:5566771'] },
  { text: 'Accession #: S21-12345', want: ['mrn:S21-12345'] },
  { text: 'Case #: SP-21-01234', want: ['mrn:SP-21-01234'] },
  { text: 'UR No. 123456 and URN 654321', want: ['mrn:123456', 'mrn:654321'] },
  { text: 'Unit No.: 123456', want: ['mrn:123456'] },
  { text: 'M.R.N. 1234567', want: ['mrn:1234567'] },
  { text: 'MRN: 123456/7', want: ['mrn:123456/7'] },
  { text: 'MRN\n12345678', want: ['mrn:12345678'] },
  { text: 'Pat.-Nr. 4456123', want: ['mrn:4456123'] },
  { text: 'N° dossier 4456123', want: ['mrn:4456123'] },
  { text: 'Prontuário nº 4456123', want: ['mrn:4456123'] },
  { text: 'historia clínica 4456123', want: ['mrn:4456123'] },
  { text: 'patiëntnummer 4456123', want: ['mrn:4456123'] },
  { text: 'Journal nr. 4456123', want: ['mrn:4456123'] },
  { text: 'Visit for BP check, 2 visits.', want: [] },
  { text: 'clinic at 9:30, 2 admissions this year', want: [] },
]);

table('a record label before a date or an address is not a record number', [
  { text: 'visit 12.03.2020 for review', want: ['date:12.03.2020'] },
  { text: 'admission 2020-03-12 via ED', want: ['date:2020-03-12'] },
  { text: 'clinic 10.1.20.30 portal', want: ['ip:10.1.20.30'] },
]);

table('record numbers listed, after a number sign, in exported rows and where they recur', [
  { text: 'MRNs 4471203, 5512093 and 6620114 merged', want: ['mrn:4471203', 'mrn:5512093', 'mrn:6620114'] },
  { text: 'MRN 4471203 / 5512093', want: ['mrn:4471203', 'mrn:5512093'] },
  { text: 'MRN 4471203, 2 visits', want: ['mrn:4471203'] },
  { text: 'Seen today (#4471203), stable', want: ['mrn:#4471203'] },
  { text: 'Rx #20931177 refilled', want: ['mrn:#20931177'] },
  { text: 'pain #3 of 10, ## 123456', want: [] },
  { text: 'seen\t5512093\t2/3/1961', want: ['mrn:5512093', 'date:2/3/1961'] },
  { text: 'Ross;Ada;5512093;02.03.1961', want: ['mrn:5512093', 'date:02.03.1961'] },
  { text: 'WBC\t12\tK/uL', want: [] },
  {
    text: 'MRN 4471203 on file; chart 4471203 reviewed; 4471203 merged',
    want: ['mrn:4471203', 'mrn:4471203', 'mrn:4471203'],
  },
  { text: 'ICN 1012345678V123456', want: ['mrn:1012345678V123456'] },
]);

table('an identifier alone in a table cell, in digit groups', [
  { text: 'Ross, Ada | 551 2093 | 2/3/1961', want: ['name:Ross, Ada', 'mrn:551 2093', 'date:2/3/1961'] },
  { text: 'Ross, Ada | 55.120.93 | 2/3/1961', want: ['name:Ross, Ada', 'mrn:55.120.93', 'date:2/3/1961'] },
  { text: '| Platelets | 250 000 |', want: [] },
  { text: '| Sodium | 1234.56 |', want: [] },
  { text: '| 2/3/1961 |', want: ['date:2/3/1961'] },
]);

table('a short id in thousands-like groups, in a row that names a person or with a leading zero', [
  {
    text: 'Okafor, Chidi | 442 771 | 11/30/1958',
    want: ['name:Okafor, Chidi', 'mrn:442 771', 'date:11/30/1958'],
  },
  {
    text: 'Okafor, Chidi | 44.271 | 11/30/1958',
    want: ['name:Okafor, Chidi', 'mrn:44.271', 'date:11/30/1958'],
  },
  {
    text: 'Okafor, Chidi; 442.771; 11/30/1958',
    want: ['name:Okafor, Chidi', 'mrn:442.771', 'date:11/30/1958'],
  },
  {
    text: 'ter Horst, Liesbeth | 61.804 | 3/2/1949',
    want: ['name:ter Horst, Liesbeth', 'mrn:61.804', 'date:3/2/1949'],
  },
  { text: '11/30/1958 | 904 317 | O’Neill, Mary Ann', want: ['date:11/30/1958', 'mrn:904 317'] },
  { text: '| 042 771 | seen |', want: ['mrn:042 771'] },
  { text: '| 04.271 | seen |', want: ['mrn:04.271'] },
  // Quantities stay: no person in the row, a decimal, an address, a one-digit count.
  { text: '| Platelets | 250 000 | 11/30/1958 |', want: ['date:11/30/1958'] },
  { text: '| Platelets | 250.000 |', want: [] },
  { text: '| Glucose, fasting | 12.345 |', want: [] },
  { text: '| Creatinine | 0.125 |', want: [] },
  { text: 'Okafor, Chidi | Sodium | 1234.56 |', want: ['name:Okafor, Chidi'] },
  { text: 'Okafor, Chidi | 10.0.0.12 |', want: ['name:Okafor, Chidi', 'ip:10.0.0.12'] },
]);

table('a record number in parentheses, fused to its label, or under other languages’ labels', [
  { text: 'OKAFOR, CHIDI (442771) seen today', want: ['name:OKAFOR, CHIDI', 'mrn:442771'] },
  { text: 'Letter re: Chidi Okafor (0442771).', want: ['mrn:0442771'] },
  { text: 'chart MRN (442771) reviewed', want: ['mrn:442771'] },
  { text: 'born (19580311) at home', want: ['date:19580311'] },
  { text: 'call (555) 123-4567', want: ['phone:(555) 123-4567'] },
  { text: 'export row MRN442771 merged', want: ['mrn:MRN442771'] },
  { text: 'see urn0042771 in the PAS', want: ['mrn:urn0042771'] },
  { text: 'Numer pacjenta 442771', want: ['mrn:442771'] },
  { text: 'Hasta no: 442771', want: ['mrn:442771'] },
  { text: 'beteg azonosító: 442771', want: ['mrn:442771'] },
  { text: 'Pat.-ID 442771', want: ['mrn:442771'] },
  // A count or a year in parentheses, a model number and "no" before a quantity are not record numbers.
  { text: 'platelets (2024) and (12345 total)', want: [] },
  { text: 'pump model XR442771 checked', want: [] },
  { text: 'no 442771 units given', want: [] },
]);

// Seventh round (issue 21): record numbers as health systems write them, fax labels of other countries, Japanese,
// Korean, Chinese and Indian addresses, names after list ids and dashes, in scripts joined by zero-width joiners.
table('health system numbers: NHS, provincial and national health cards, KVNR, NIR, BSN, Epic, encounters', [
  { text: 'NHS number 401 023 2137 checked', want: ['mrn:401 023 2137'] },
  { text: 'Ontario health card 2468-135-790 KT on file', want: ['health_plan:2468-135-790 KT'] },
  { text: 'OHIP: 9876-543-210-QA', want: ['health_plan:9876-543-210-QA'] },
  { text: 'Medicare card 3141 59265 3 (Australia)', want: ['health_plan:3141 59265 3'] },
  { text: 'Medicare no. 3141 59265 3/2', want: ['health_plan:3141 59265 3/2'] },
  { text: 'KVNR B987654321 laut Karte', want: ['health_plan:B987654321'] },
  { text: 'Versichertennummer: Z112233445', want: ['health_plan:Z112233445'] },
  { text: 'NIR 2 91 12 75 114 062 18', want: ['health_plan:2 91 12 75 114 062 18'] },
  { text: 'numéro de sécurité sociale 1 78 02 13 055 231 44', want: ['health_plan:1 78 02 13 055 231 44'] },
  { text: 'HIC 987654321B', want: ['health_plan:987654321B'] },
  { text: 'BSN 204060801 gecontroleerd', want: ['mrn:204060801'] },
  { text: 'Epic ID E7654321 in the banner', want: ['mrn:E7654321'] },
  { text: 'MRN-07-44-1290 on the band', want: ['mrn:MRN-07-44-1290'] },
  { text: 'Case #: 55103-C', want: ['mrn:55103-C'] },
  { text: 'Encounter ID: ENC-20240312-0417', want: ['mrn:ENC-20240312-0417'] },
  { text: '(mrn 6602214)', want: ['mrn:6602214'] },
]);

table('a record number after a name and a dash, or opening a list item with the name after it', [
  { text: 'Halina Zawada - 7301442 - seen today', want: ['mrn:7301442'] },
  { text: 'Zawada, Halina – 7301442', want: ['name:Zawada, Halina', 'mrn:7301442'] },
  {
    text: '1. 7301442 Zawada, Halina\n2. 8812044 Obi Nnamdi',
    want: ['mrn:7301442', 'name:Zawada, Halina', 'mrn:8812044', 'name:Obi Nnamdi'],
  },
  { text: '- 6120775 Quist, Efua', want: ['mrn:6120775', 'name:Quist, Efua'] },
  // A quantity opening a list item, a short count after a dash, a dose: no record number.
  { text: '1. 500000 units heparin', want: [] },
  { text: 'Dosing - 250 mg twice daily', want: [] },
]);

table('fax numbers after F:, Telefax and faxed to', [
  { text: 'T: 030 7654321 F: 030 7654322', want: ['phone:030 7654321', 'fax:030 7654322'] },
  { text: 'Telefax 040 98 76 54 32', want: ['fax:040 98 76 54 32'] },
  { text: 'Telefax: +49 (0)40 9876-5432', want: ['fax:+49 (0)40 9876-5432'] },
  { text: 'faxed to 03 9876 5432', want: ['fax:03 9876 5432'] },
  // After "F" (the sex) a date is a date.
  { text: 'Sex: F 04/05/1961', want: ['date:04/05/1961'] },
]);

table('addresses: Japanese blocks, Korean and Chinese streets, Indian house and plot numbers', [
  { text: '住所: 京都市左京区北白川5丁目3番12号', want: ['address:京都市左京区北白川5丁目3番12号'] },
  { text: '名古屋市中区栄4-2-7', want: ['address:名古屋市中区栄4-2-7'] },
  { text: '旭川市東3条西4丁目', want: ['address:旭川市東3条西4丁目'] },
  { text: '台中市西屯區台灣大道三段99號', want: ['address:台中市西屯區台灣大道三段99號'] },
  { text: 'Lives at 4-chōme 11-2, Higashi-Ikebukuro', want: ['address:4-chōme 11-2, Higashi-Ikebukuro'] },
  { text: 'Jong-ro 33, Jongno-gu, Seoul', want: ['address:Jong-ro 33, Jongno-gu, Seoul'] },
  { text: 'Address: Gangnam-daero 94-gil, Seocho-gu', want: ['address:Gangnam-daero 94-gil, Seocho-gu'] },
  {
    text: 'H.No. 8-2-293, Banjara Hills, Hyderabad',
    want: ['address:H.No. 8-2-293, Banjara Hills, Hyderabad'],
  },
  { text: 'D/No 11-4-7, Gandhi Road, Guntur', want: ['address:D/No 11-4-7, Gandhi Road, Guntur'] },
  { text: 'Flat 2A, Plot 61, Sector 9, Dwarka', want: ['address:Flat 2A, Plot 61, Sector 9, Dwarka'] },
  // Doses, dates and hospital places stay: no house number.
  { text: '服用2片，每日3次', want: [] },
  { text: '2020-01-05に入院', want: ['date:2020-01-05'] },
  { text: 'Moved to Theatre 3 for the repair.', want: [] },
  { text: 'Transferred to Ward 9 overnight.', want: [] },
]);

table('names: zero-width joiners, titles of more languages, particles at a line start and after a title', [
  { text: 'Patient: نسرین حسین‌زاده', want: ['name:نسرین حسین‌زاده'] },
  { text: 'Mr. ئاراس که‌ریم was seen.', want: ['name:ئاراس که‌ریم'] },
  { text: 's-ino Kalocsay reports pain', want: ['name:Kalocsay'] },
  { text: 'Nkk. Thandeka Mthembu was seen.', want: ['name:Thandeka Mthembu'] },
  { text: 'van der Linde, Joost | 1/2/1950', want: ['name:van der Linde, Joost', 'date:1/2/1950'] },
  { text: 'Ms. van Rijn feels better.', want: ['name:van Rijn'] },
  { text: 'Sem van den Broek prefers Dutch.', want: ['name:Sem van den Broek'] },
]);

table('precision kept this round: vital signs, capital-letter codes and hospital places', [
  { text: 'patient BP 120/80, HR 88', want: [] },
  { text: 'Seen in Room 4, Bed 12; lot 4471203 of the vaccine', want: [] },
  { text: 'Lot Number - 4471203 recorded', want: [] },
  { text: 'Batch Code – 5512093', want: [] },
]);

table('telephone numbers in national formats, with extensions in other languages', [
  { text: 'Tel: 020 7946 0958 ext. 12', want: ['phone:020 7946 0958 ext. 12'] },
  { text: 'Tel. +49 (0)30 1234-5678', want: ['phone:+49 (0)30 1234-5678'] },
  { text: 'Tel. 030 12345678 Durchwahl -12', want: ['phone:030 12345678 Durchwahl -12'] },
  { text: 'Tél. 01 23 45 67 89 poste 12', want: ['phone:01 23 45 67 89 poste 12'] },
  { text: 'Telefoon 020 123 4567 toestel 204', want: ['phone:020 123 4567 toestel 204'] },
  { text: 'Tel. (11) 3456-7890 ramal 21', want: ['phone:(11) 3456-7890 ramal 21'] },
  { text: 'Celular: (11) 91234-5678', want: ['phone:(11) 91234-5678'] },
  { text: 'Phone +233 24 123 4567', want: ['phone:+233 24 123 4567'] },
  { text: 'Mob 098765-43210', want: ['phone:098765-43210'] },
  { text: 'Móvil: 612 34 56 78', want: ['phone:612 34 56 78'] },
  { text: 'Handy: 0171/1234567', want: ['phone:0171/1234567'] },
  { text: 'Puhelin 040 123 4567', want: ['phone:040 123 4567'] },
  { text: 'Mobil 2x täglich 500 mg', want: [] },
  { text: 'Portable X-ray 2 views done', want: [] },
  { text: 'Poste de soins 3, lit 12', want: [] },
  { text: 'ramal 12 on the left', want: [] },
]);

table('telephone labels in Greek, Cyrillic, Arabic, Devanagari, Chinese, Japanese and Korean', [
  { text: 'Τηλ. 210 123 4567', want: ['phone:210 123 4567'] },
  { text: 'Тел.: 8 (495) 123-45-67', want: ['phone:8 (495) 123-45-67'] },
  { text: 'هاتف: 050 123 4567', want: ['phone:050 123 4567'] },
  { text: 'फ़ोन: 98765 43210', want: ['phone:98765 43210'] },
  { text: '手机 138 0013 8000', want: ['phone:138 0013 8000'] },
  { text: '患者手机：13800138000', want: ['phone:13800138000'] },
  { text: '電話 03-1234-5678 内線 12', want: ['phone:03-1234-5678 内線 12'] },
  { text: '전화번호: 010 1234 5678', want: ['phone:010 1234 5678'] },
  { text: 'Тел. 3 раза в день', want: [] },
  { text: '手机 充电 3 次', want: [] },
  { text: '血压 120/80 mmHg，心率 72 次/分', want: [] },
]);

table('telephone numbers in Arabic-Indic, Eastern Arabic and Devanagari digits', [
  { text: 'Tel: ٠٥٠١٢٣٤٥٦٧', want: ['phone:٠٥٠١٢٣٤٥٦٧'] },
  { text: 'موبايل: ۰۹۱۲ ۳۴۵ ۶۷۸۹', want: ['phone:۰۹۱۲ ۳۴۵ ۶۷۸۹'] },
  { text: 'फ़ोन: ९८७६५ ४३२१०', want: ['phone:९८७६५ ४३२१०'] },
  { text: 'الجرعة ٥٠٠ ملغ مرتين يوميا', want: [] },
]);

table('record numbers under labels of more languages and scripts', [
  { text: 'Aktenzeichen: AZ-2023-4471', want: ['mrn:AZ-2023-4471'] },
  { text: 'NIP 1234567', want: ['mrn:1234567'] },
  { text: 'HC 4471203', want: ['mrn:4471203'] },
  { text: 'Nº expediente: 4471203', want: ['mrn:4471203'] },
  { text: '病歷號: 4471203', want: ['mrn:4471203'] },
  { text: '病历号：4471203', want: ['mrn:4471203'] },
  { text: 'カルテ番号: 4471203', want: ['mrn:4471203'] },
  { text: '환자번호: 4471203', want: ['mrn:4471203'] },
  { text: 'номер карты: 4471203', want: ['mrn:4471203'] },
  { text: 'HC 24 mmol/L, NIP 12', want: [] },
  { text: 'カルテ 2 枚、患者番号 未定', want: [] },
  { text: 'Krankenblatt 3 Seiten, expediente 2 hojas', want: [] },
]);

table('further telephone numbers after a label, a number sign apart from its id, full-width numbers', [
  {
    text: 'Tel +91 98765 43210 / 98765 43211',
    want: ['phone:+91 98765 43210', 'phone:98765 43211'],
  },
  { text: 'Mobile 07700 900123 or 020 7946 0958', want: ['phone:07700 900123', 'phone:020 7946 0958'] },
  { text: 'Tel 020 7946 0958, 12/03/2024', want: ['phone:020 7946 0958', 'date:12/03/2024'] },
  { text: 'Tel 020 7946 0958, 2 tablets', want: ['phone:020 7946 0958'] },
  { text: 'Ross, Ada # 4471203', want: ['mrn:# 4471203'] },
  { text: 'Item # 2 of 3; ## 123456 heading; # 12345 units', want: [] },
  { text: '電話：０３－１２３４－５６７８', want: ['phone:０３－１２３４－５６７８'] },
  { text: '体温 ３６．５ 度、脈拍 ７２', want: [] },
]);
