// Column masking strategies, one module each in strategies/ (BigQuery dynamic data masking parity plus Safe
// Harbor generalisations), collected in STRATEGIES: a record the compiler checks holds every strategy.

import { hash } from 'node:crypto';
import { z } from 'zod';
import { ageOver89Strategy } from './strategies/age-over-89.ts';
import { dateShiftStrategy } from './strategies/date-shift.ts';
import { dateYearMaskStrategy } from './strategies/date-year-mask.ts';
import { defaultValueStrategy } from './strategies/default-value.ts';
import { emailMaskStrategy } from './strategies/email-mask.ts';
import { firstFourStrategy } from './strategies/first-four.ts';
import { keepStrategy } from './strategies/keep.ts';
import { lastFourStrategy } from './strategies/last-four.ts';
import { nullifyStrategy } from './strategies/nullify.ts';
import { replaceStrategy } from './strategies/replace.ts';
import { scrubStrategy } from './strategies/scrub.ts';
import { sha256Strategy } from './strategies/sha256.ts';
import { zip3Strategy } from './strategies/zip3.ts';
import {
  type CellMasker,
  canonicalType,
  STRATEGY_TYPES,
  type Strategy,
  type StrategyEnv,
  type StrategyType,
} from './strategy.ts';

export { ageOver89 } from './strategies/age-over-89.ts';
export { dateShiftDays } from './strategies/date-shift.ts';
export { yearMask } from './strategies/date-year-mask.ts';
export { defaultValue } from './strategies/default-value.ts';
export { emailMask } from './strategies/email-mask.ts';
export { firstFour } from './strategies/first-four.ts';
export { lastFour } from './strategies/last-four.ts';
export { RESTRICTED_ZIP3, zip3 } from './strategies/zip3.ts';
export {
  type CellMasker,
  canonicalType,
  STRATEGY_TYPES,
  STRICTNESS,
  type Strategy,
  type StrategyEnv,
  type StrategyType,
} from './strategy.ts';

/** Every strategy by name: a strategy missing here (or named here but not in STRATEGY_TYPES) fails the build. */
export type StrategyRecord = { readonly [T in StrategyType]: Strategy<T> };

/** The strategies, by the name a column rule uses. */
export const STRATEGIES = {
  nullify: nullifyStrategy,
  default_value: defaultValueStrategy,
  sha256: sha256Strategy,
  last_four: lastFourStrategy,
  first_four: firstFourStrategy,
  email_mask: emailMaskStrategy,
  date_year_mask: dateYearMaskStrategy,
  replace: replaceStrategy,
  zip3: zip3Strategy,
  age_over_89: ageOver89Strategy,
  date_shift: dateShiftStrategy,
  keep: keepStrategy,
  scrub: scrubStrategy,
} satisfies StrategyRecord;

/** A strategy with every option filled in: one of the strategies' config objects. */
export type MaskingStrategy = {
  [T in StrategyType]: z.output<(typeof STRATEGIES)[T]['schema']>;
}[StrategyType];

/** A strategy's config object as written in the policy (options may be left out). */
type StrategyInput = { [T in StrategyType]: z.input<(typeof STRATEGIES)[T]['schema']> }[StrategyType];

// Every strategy's object schema, discriminated by `type`, in STRATEGY_TYPES order. zod cannot infer a union
// from a mapped array, so its type is asserted: the union of the record's schemas, as MaskingStrategy says.
const StrategyObject = z.discriminatedUnion(
  'type',
  STRATEGY_TYPES.map((t) => STRATEGIES[t].schema) as unknown as Parameters<typeof z.discriminatedUnion>[1],
) as unknown as z.ZodType<MaskingStrategy, StrategyInput>;

/** A strategy: its name (`last_four`) or an object with options (`{type: date_shift, maxDays: 60}`). */
export const MaskingStrategySchema = z.union([
  z.enum(STRATEGY_TYPES).transform((type) => StrategyObject.parse({ type })),
  StrategyObject,
]);

/** The strategy a strategy's options belong to. */
function strategyOf(options: MaskingStrategy): Strategy<StrategyType, MaskingStrategy> {
  return STRATEGIES[options.type] as Strategy<StrategyType, MaskingStrategy>;
}

/** How a date shift finds the patient key in a row: the output column holding it, if the result has one. */
export interface ShiftKey {
  column: string | undefined;
}

/**
 * The masker for one scalar column of `type` under `strategy`, or undefined for `keep` and `scrub` (the value
 * stays, and only the content detectors may change it). `tag` is the replacement for `replace`.
 */
export function cellMasker(
  strategy: MaskingStrategy,
  type: string,
  tag: string,
  env: StrategyEnv,
  shiftKey: ShiftKey,
): CellMasker | undefined {
  return columnMasker(strategy, type, tag, env, () => shiftKey.column);
}

/** {@link cellMasker} with the result's column lookup (output name or source column → output column). */
export function columnMasker(
  strategy: MaskingStrategy,
  type: string,
  tag: string,
  env: StrategyEnv,
  resultColumn: (name: string) => string | undefined,
): CellMasker | undefined {
  return strategyOf(strategy).masker(strategy, { type: canonicalType(type), tag, env, resultColumn });
}

/** True for strategies that need the masking key. */
export function needsKey(strategy: MaskingStrategy): boolean {
  return STRATEGIES[strategy.type].needsKey;
}

/** How strict a strategy is (see STRICTNESS): lower is stricter. */
export function strictnessOf(strategy: MaskingStrategy): number {
  return STRATEGIES[strategy.type].strictness;
}

/** What a computed value gets for a source's `strategy` (see Strategy.onComputed). */
export function computedStrategy(strategy: MaskingStrategy): MaskingStrategy {
  switch (STRATEGIES[strategy.type].onComputed) {
    case 'same':
      return strategy;
    case 'replace':
      return { type: 'replace' };
    case 'nullify':
      return { type: 'nullify' };
  }
}

/**
 * HMAC-SHA256 (RFC 2104) of strings under `key`, lower-case hex, with a per-call cache (result sets repeat
 * values). The padded key blocks are computed once and the one-shot hash is used on reused buffers: several
 * times faster than `createHmac` per value.
 */
export function hmacHex(key: Uint8Array): (text: string) => string {
  const block = Buffer.alloc(64);
  if (key.length > 64) Buffer.from(hash('sha256', key, 'buffer')).copy(block);
  else block.set(key);
  let inner = Buffer.alloc(64 + 256);
  const outer = Buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  const cache = new Map<string, string>();
  return (value) => {
    let h = cache.get(value);
    if (h === undefined) {
      const need = 64 + Buffer.byteLength(value, 'utf8');
      if (need > inner.length) {
        const bigger = Buffer.alloc(need * 2);
        inner.copy(bigger, 0, 0, 64);
        inner = bigger;
      }
      const len = 64 + inner.write(value, 64, 'utf8');
      outer.set(hash('sha256', inner.subarray(0, len), 'buffer'), 64);
      h = hash('sha256', outer, 'hex');
      if (cache.size >= 65_536) cache.clear();
      cache.set(value, h);
    }
    return h;
  };
}
