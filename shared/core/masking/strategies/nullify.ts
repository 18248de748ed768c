// `nullify`: the value becomes NULL (BigQuery data masking's "Nullify"); the strictest strategy.

import { z } from 'zod';
import { STRICTNESS, type Strategy } from '../strategy.ts';

export const nullifyStrategy = {
  schema: z.object({ type: z.literal('nullify') }).strict(),
  strictness: STRICTNESS.withheld,
  needsKey: false,
  onComputed: 'same',
  masker: () => () => null,
} satisfies Strategy<'nullify'>;
