// A caller's reason for access: untrusted text that goes into the audit trail, the approval request and the
// approvers' notifications, so it is normalised and has its identifiers masked before anything records it.

import { visibleText } from '../identity/normalize.ts';
import { maskFreeText } from '../masking/free-text.ts';

/** The longest reason kept (the tool schema and the elicitation form say the same). */
export const MAX_REASON_LENGTH = 2000;

/**
 * The reason as decided on and recorded: NFKC with invisible characters removed (what a reader sees), cut to
 * {@link MAX_REASON_LENGTH}, and every identifier the detectors find replaced by its tag (`[SSN]`, `[NAME]`):
 * a reason such as "follow-up for John Smith, MRN 4471923" must not put PHI into a record outside the query.
 */
export function recordableReason(given: string): string {
  let visible = visibleText(given).slice(0, MAX_REASON_LENGTH);
  if (/[\uD800-\uDBFF]$/.test(visible)) visible = visible.slice(0, -1); // no half of a pair cut off
  return maskFreeText(visible);
}
