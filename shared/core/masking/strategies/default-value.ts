// `default_value`: BigQuery data masking's "Default masking value" for the column's type.

import { z } from 'zod';
import type { Cell } from '../../../ports/warehouse.ts';
import { canonicalType, STRICTNESS, type Strategy } from '../strategy.ts';

/**
 * BigQuery's default masking value for a type, as a result cell: '' for STRING and BYTES, '0' for INT64 and
 * NUMERIC (decimal strings), 0 for FLOAT64, false, 1970-01-01 dates, midnight, POINT(0 0); JSON gets null.
 */
export function defaultValue(type: string): Cell {
  switch (canonicalType(type)) {
    case 'STRING':
    case 'BYTES':
      return '';
    case 'INT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return '0';
    case 'FLOAT64':
      return 0;
    case 'BOOL':
      return false;
    case 'DATE':
      return '1970-01-01';
    case 'DATETIME':
      return '1970-01-01T00:00:00';
    case 'TIMESTAMP':
      return '1970-01-01T00:00:00.000000Z';
    case 'TIME':
      return '00:00:00';
    case 'GEOGRAPHY':
      return 'POINT(0 0)';
    default:
      return null;
  }
}

export const defaultValueStrategy = {
  schema: z.object({ type: z.literal('default_value') }).strict(),
  strictness: STRICTNESS.defaulted,
  needsKey: false,
  onComputed: 'same',
  masker: (_, column) => {
    const d = defaultValue(column.type);
    return () => d;
  },
} satisfies Strategy<'default_value'>;
