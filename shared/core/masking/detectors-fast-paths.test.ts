// Tests for the digit pass's fast paths: each check that skips an expression ("139 mmol/L" cannot be a telephone
// or a split SSN; "Sodium" ends in no street type) must skip only what the expression would reject, so these
// texts sit on both sides of them.

import assert from 'node:assert/strict';
import { DetectorSet } from './detectors.ts';

const detectors = new DetectorSet();

/** The detections in `text` as `kind:matched text`. */
const found = (text: string): string[] =>
  detectors.detect(text).map((d) => `${d.kind}:${text.slice(d.start, d.end)}`);

const cases: { name: string; text: string; want: string[] }[] = [
  // Three digits open a NANP number only with a separator and a digit after them.
  {
    name: 'NANP numbers with dots and blanks',
    text: 'Callback 617.555.0134 or 617 555 0134',
    want: ['phone:617.555.0134', 'phone:617 555 0134'],
  },
  { name: 'lab values', text: 'Sodium 139 mmol/L; Potassium 4.1 mmol/L', want: [] },
  { name: 'a dose before words', text: 'Start Lisinopril 10 mg oral once daily.', want: [] },
  // A split SSN needs two digits after its first separator.
  {
    name: 'a split SSN, not its look-alike',
    text: 'SSN 219 09 9999 and 219 0 99999',
    want: ['ssn:219 09 9999'],
  },
  // International and parenthesised numbers, their digits counted in place.
  { name: 'an international number', text: 'Call +44 20 7946 0958 today', want: ['phone:+44 20 7946 0958'] },
  { name: 'an area code in parentheses', text: 'Call (982)728-61-00 now', want: ['phone:(982)728-61-00'] },
  // House numbers after the street: street-type endings are tried only on words ending in a pair one ends in.
  { name: 'a compound ending with a period', text: 'Dornierstr. 3', want: ['address:Dornierstr. 3'] },
  { name: 'a compound ending', text: 'Kerkstraat 12b', want: ['address:Kerkstraat 12b'] },
  { name: 'a Swedish compound', text: 'Storgatan 5', want: ['address:Storgatan 5'] },
  { name: 'a compound in capitals', text: 'HAUPTSTRASSE 12', want: ['address:HAUPTSTRASSE 12'] },
  { name: 'a street type beyond ASCII', text: 'Szilágyi út 55', want: ['address:Szilágyi út 55'] },
  { name: 'an abbreviated type two words back', text: 'ul. Polna 9/5', want: ['address:ul. Polna 9/5'] },
];

describe('the digit pass’s fast paths', () => {
  for (const c of cases) it(`finds the same in ${c.name}`, () => assert.deepEqual(found(c.text), c.want));
});
