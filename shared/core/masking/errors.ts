// The typed error masking throws: the executor withholds the whole response when it sees one (fail closed).

import { WardenError } from '../errors.ts';

/** Why masking failed; never carries a cell value. */
export type MaskingFailure =
  | 'unknown_profile'
  | 'invalid_profile'
  | 'missing_key'
  | 'missing_as_of'
  | 'invalid_input'
  | 'internal';

/**
 * Masking could not be completed, so no row may leave the executor. The message names the stage and column
 * at most, never a value; the original error is deliberately not attached, as its message may quote data.
 */
export class MaskingError extends WardenError {
  readonly reason: MaskingFailure;
  constructor(reason: MaskingFailure, message: string) {
    super(
      reason === 'unknown_profile' || reason === 'invalid_profile' ? 'failed_precondition' : 'internal',
      message,
    );
    this.reason = reason;
  }
}
