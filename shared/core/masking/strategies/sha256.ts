// `sha256`: the value becomes HMAC-SHA256 under the masking key (BigQuery's "Hash (SHA-256)", keyed so a
// dictionary of known values cannot reverse it).

import { z } from 'zod';
import { cellText, STRICTNESS, type Strategy } from '../strategy.ts';

export const sha256Strategy = {
  schema: z.object({ type: z.literal('sha256') }).strict(),
  strictness: STRICTNESS.hashed,
  needsKey: true,
  onComputed: 'nullify',
  masker: (_, column) => (v) => column.env.hmac(cellText(v)),
} satisfies Strategy<'sha256'>;
