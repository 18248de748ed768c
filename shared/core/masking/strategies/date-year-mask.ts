// `date_year_mask`: BigQuery's "Date year mask" (dates to the year), with Safe Harbor's over-89 option.

import { z } from 'zod';
import { truncateToYear, yearOf } from '../dates.ts';
import { STRICTNESS, type Strategy } from '../strategy.ts';

/** The year mask, with dates in or before `asOfYear - 90` nulled when `over89` asks for it. */
export function yearMask(
  value: string,
  over89: 'keep' | 'nullify',
  asOfYear: number | undefined,
): string | null {
  const masked = truncateToYear(value);
  if (masked === undefined) return null;
  if (over89 === 'nullify') {
    if (asOfYear === undefined) return null;
    // The masked value's year is the (UTC) year of the input.
    const year = masked.charCodeAt(4) === 45 ? Number(masked.slice(0, 4)) : yearOf(value)!;
    if (year <= asOfYear - 90) return null;
  }
  return masked;
}

const schema = z
  .object({
    type: z.literal('date_year_mask'),
    /** `nullify`: dates in or before (current year − 90) become null, as Safe Harbor treats ages over 89. */
    over89: z.enum(['keep', 'nullify']).default('keep'),
  })
  .strict();

export const dateYearMaskStrategy = {
  schema,
  strictness: STRICTNESS.formatKeeping,
  needsKey: false,
  onComputed: 'nullify',
  masker: (options, column) => {
    const over89 = options.over89;
    return (v) => (typeof v === 'string' ? yearMask(v, over89, column.env.asOfYear) : null);
  },
} satisfies Strategy<'date_year_mask', z.output<typeof schema>>;
