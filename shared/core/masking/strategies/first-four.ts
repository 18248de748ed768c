// `first_four`: BigQuery's "First four characters" mask.

import { z } from 'zod';
import { cellText, STRICTNESS, type Strategy } from '../strategy.ts';

/** BigQuery's first-four mask: the first four characters and `XXXXX`; four or fewer characters are hashed. */
export function firstFour(value: string, hmac: (s: string) => string): string {
  return value.length > 4 ? `${value.slice(0, 4)}XXXXX` : hmac(value);
}

export const firstFourStrategy = {
  schema: z.object({ type: z.literal('first_four') }).strict(),
  strictness: STRICTNESS.formatKeeping,
  needsKey: true,
  onComputed: 'nullify',
  masker: (_, column) => (v) => firstFour(cellText(v), column.env.hmac),
} satisfies Strategy<'first_four'>;
