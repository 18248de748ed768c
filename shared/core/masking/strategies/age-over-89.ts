// `age_over_89`: Safe Harbor's age rule (45 CFR 164.514(b)(2)(i)(C)): ages over 89 aggregated as `90+`.

import { z } from 'zod';
import type { Cell } from '../../../ports/warehouse.ts';
import { STRICTNESS, type Strategy } from '../strategy.ts';

const NUMBER = /^\s*-?\d+(?:\.\d+)?\s*$/;

/** Safe Harbor ages: above 89 becomes `90+`; other ages are kept; undefined when not a number. */
export function ageOver89(value: Cell): Cell | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value > 89 ? '90+' : value) : undefined;
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value) > 89 ? '90+' : value;
  return undefined;
}

export const ageOver89Strategy = {
  schema: z.object({ type: z.literal('age_over_89') }).strict(),
  strictness: STRICTNESS.formatKeeping,
  needsKey: false,
  onComputed: 'nullify',
  masker: () => (v) => ageOver89(v) ?? null,
} satisfies Strategy<'age_over_89'>;
