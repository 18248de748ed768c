// The identifier kinds content detectors report, their replacement tags, and which kinds only raise a flag.

/**
 * Kinds the built-in detectors report, after the Safe Harbor list (45 CFR 164.514(b)(2)(i)). `biometric` and
 * `image` are flags: they are reported in the summary but the text is left as it is.
 */
export const DETECTOR_KINDS = [
  'name',
  'address',
  'zip',
  'date',
  'age',
  'phone',
  'fax',
  'email',
  'ssn',
  'mrn',
  'health_plan',
  'account',
  'license',
  'vin',
  'plate',
  'device',
  'url',
  'ip',
  'biometric',
  'image',
] as const;

/** One of {@link DETECTOR_KINDS}. */
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

/** Kinds that flag a value for review instead of masking it. */
export const FLAG_KINDS: ReadonlySet<string> = new Set<DetectorKind>(['biometric', 'image']);

/** The replacement text for a detected kind: its upper-cased name in brackets, e.g. `[SSN]`. */
export function tagFor(kind: string): string {
  let tag = TAGS.get(kind);
  if (tag === undefined) {
    tag = `[${kind.toUpperCase()}]`;
    TAGS.set(kind, tag);
  }
  return tag;
}

const TAGS = new Map<string, string>();

/** PHI classes of the classification (policy tag names) and the tag a `replace` strategy writes for them. */
const CLASS_TAGS: Readonly<Record<string, string>> = {
  ssn: '[SSN]',
  name: '[NAME]',
  date: '[DATE]',
  contact: '[CONTACT]',
  address: '[ADDRESS]',
  mrn: '[MRN]',
  account: '[ACCOUNT]',
  free_text: '[REDACTED]',
  phi: '[REDACTED]',
};

/** The replacement tag for a PHI class; unknown classes get their upper-cased name, no class `[REDACTED]`. */
export function tagForClass(phiClass: string | undefined): string {
  if (phiClass === undefined) return '[REDACTED]';
  return CLASS_TAGS[phiClass] ?? tagFor(phiClass.replace(/[^A-Za-z0-9_]+/g, '_'));
}
