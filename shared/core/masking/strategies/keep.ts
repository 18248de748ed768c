// `keep`: the value stays as it is; only the profile's content detectors may change it.

import { z } from 'zod';
import { STRICTNESS, type Strategy } from '../strategy.ts';

export const keepStrategy = {
  schema: z.object({ type: z.literal('keep') }).strict(),
  strictness: STRICTNESS.kept,
  needsKey: false,
  onComputed: 'same',
  masker: () => undefined,
} satisfies Strategy<'keep'>;
