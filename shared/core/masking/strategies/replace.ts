// `replace`: the value becomes a tag, by default that of the column's kind or PHI class (`[SSN]`, `[NAME]`).

import { z } from 'zod';
import { STRICTNESS, type Strategy } from '../strategy.ts';

const schema = z
  .object({
    type: z.literal('replace'),
    /** Replacement text; default: the tag of the column's kind or PHI class, e.g. `[SSN]`. */
    tag: z.string().min(1).max(64).optional(),
  })
  .strict();

export const replaceStrategy = {
  schema,
  strictness: STRICTNESS.replaced,
  needsKey: false,
  onComputed: 'same',
  masker: (options, column) => () => options.tag ?? column.tag,
} satisfies Strategy<'replace', z.output<typeof schema>>;
