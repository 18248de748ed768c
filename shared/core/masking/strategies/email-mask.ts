// `email_mask`: BigQuery's "Email mask": the local part hidden, the domain kept.

import { z } from 'zod';
import { cellText, STRICTNESS, type Strategy } from '../strategy.ts';

const EMAIL =
  /^[^@\s]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$/;

/** BigQuery's e-mail mask: `XXXXX@domain` for a syntactically valid address, otherwise the hash. */
export function emailMask(value: string, hmac: (s: string) => string): string {
  const m = EMAIL.exec(value);
  return m ? `XXXXX@${m[1]}` : hmac(value);
}

export const emailMaskStrategy = {
  schema: z.object({ type: z.literal('email_mask') }).strict(),
  strictness: STRICTNESS.formatKeeping,
  needsKey: true,
  onComputed: 'nullify',
  masker: (_, column) => (v) => emailMask(cellText(v), column.env.hmac),
} satisfies Strategy<'email_mask'>;
