// `date_shift`: every date of a patient moved by the same keyed, non-zero number of days (intervals kept).

import { z } from 'zod';
import { shiftDate } from '../dates.ts';
import { type CellMasker, cellText, STRICTNESS, type Strategy } from '../strategy.ts';
import { yearMask } from './date-year-mask.ts';

/**
 * The date shift, in days, for one patient key: derived from HMAC(key, "warden-date-shift", maxDays, patient),
 * uniform over [-maxDays, -1] ∪ [1, maxDays], so every date of a patient moves by the same non-zero amount.
 */
export function dateShiftDays(hmac: (s: string) => string, maxDays: number, patientKey: string): number {
  const digest = hmac(`warden-date-shift\u0000${maxDays}\u0000${patientKey}`);
  const n = Number.parseInt(digest.slice(0, 12), 16) % (2 * maxDays);
  return n < maxDays ? n - maxDays : n - maxDays + 1;
}

const schema = z
  .object({
    type: z.literal('date_shift'),
    /** Shifts are drawn from ±maxDays (never 0). */
    maxDays: z.number().int().min(1).max(3650).default(30),
    /** The result column (output name or source column) holding the patient key. */
    patientKey: z.string().min(1).default('patient_id'),
    /** What dates of rows without a patient key become. */
    withoutKey: z.enum(['nullify', 'date_year_mask']).default('nullify'),
  })
  .strict();

export const dateShiftStrategy = {
  schema,
  strictness: STRICTNESS.formatKeeping,
  needsKey: true,
  onComputed: 'nullify',
  masker: (options, column) => {
    const { maxDays, withoutKey } = options;
    const env = column.env;
    const keyColumn = column.resultColumn(options.patientKey);
    const shifts = new Map<string, number>();
    const fallback: CellMasker =
      withoutKey === 'date_year_mask'
        ? (v) => (typeof v === 'string' ? yearMask(v, 'keep', env.asOfYear) : null)
        : () => null;
    if (keyColumn === undefined) return fallback;
    return (v, row) => {
      const key = row[keyColumn];
      if (key === null || key === undefined || typeof v !== 'string') return fallback(v, row);
      const k = cellText(key);
      let days = shifts.get(k);
      if (days === undefined) {
        days = dateShiftDays(env.hmac, maxDays, k);
        shifts.set(k, days);
      }
      return shiftDate(v, days) ?? null;
    };
  },
} satisfies Strategy<'date_shift', z.output<typeof schema>>;
