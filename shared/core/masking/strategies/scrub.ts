// `scrub`: free text kept, with every identifier the content detectors find replaced (even when the profile's
// detectors are off).

import { z } from 'zod';
import { STRICTNESS, type Strategy } from '../strategy.ts';

export const scrubStrategy = {
  schema: z.object({ type: z.literal('scrub') }).strict(),
  strictness: STRICTNESS.scrubbed,
  needsKey: false,
  // The detectors vouch for text as written; text a function rewrote (REVERSE, TRANSLATE, SPLIT) is replaced.
  onComputed: 'replace',
  masker: () => undefined,
} satisfies Strategy<'scrub'>;
