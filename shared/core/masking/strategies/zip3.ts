// `zip3`: Safe Harbor's ZIP rule (45 CFR 164.514(b)(2)(i)(B)): the first three digits, 000 where few live.

import { z } from 'zod';
import { cellText, STRICTNESS, type Strategy } from '../strategy.ts';

/** Three-digit ZIP prefixes Safe Harbor requires to be written as 000 (20,000 people or fewer, 2000 Census). */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set([
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
]);

const ZIP = /^\s*(\d{3})(?:\d{2}(?:-?\d{4})?)?\s*$/;

/** Safe Harbor ZIP3: the first three digits, or 000 for restricted prefixes; undefined when not a ZIP. */
export function zip3(value: string): string | undefined {
  const m = ZIP.exec(value);
  if (!m) return undefined;
  return RESTRICTED_ZIP3.has(m[1]!) ? '000' : m[1]!;
}

export const zip3Strategy = {
  schema: z.object({ type: z.literal('zip3') }).strict(),
  strictness: STRICTNESS.formatKeeping,
  needsKey: false,
  onComputed: 'nullify',
  masker: () => (v) => zip3(cellText(v)) ?? null,
} satisfies Strategy<'zip3'>;
