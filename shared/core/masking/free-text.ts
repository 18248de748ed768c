// Free text Warden did not write (a reason, a BigQuery error message) masked before it is recorded or released.

import { compileDetectors } from './detectors.ts';

/** `text` with every identifier the default detectors find replaced by its tag (`[SSN]`, `[NAME]`). */
export function maskFreeText(text: string): string {
  return compileDetectors().redact(text, undefined, { counts: new Map(), flags: new Set() });
}
