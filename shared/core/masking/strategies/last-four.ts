// `last_four`: BigQuery's "Last four characters" mask.

import { z } from 'zod';
import { cellText, STRICTNESS, type Strategy } from '../strategy.ts';

/** BigQuery's last-four mask: `XXXXX` and the last four characters; four or fewer characters are hashed. */
export function lastFour(value: string, hmac: (s: string) => string): string {
  return value.length > 4 ? `XXXXX${value.slice(-4)}` : hmac(value);
}

export const lastFourStrategy = {
  schema: z.object({ type: z.literal('last_four') }).strict(),
  strictness: STRICTNESS.formatKeeping,
  needsKey: true,
  onComputed: 'nullify',
  masker: (_, column) => (v) => lastFour(cellText(v), column.env.hmac),
} satisfies Strategy<'last_four'>;
