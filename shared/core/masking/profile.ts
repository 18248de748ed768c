// Masking profiles: the zod schema the policy's `maskingProfiles:` section is validated with, and the built-ins.

import { z } from 'zod';
import { DETECTOR_KINDS } from './kinds.ts';
import { MaskingStrategySchema } from './strategies.ts';

export {
  type MaskingStrategy,
  MaskingStrategySchema,
  STRATEGY_TYPES,
  type StrategyType,
} from './strategies.ts';

const patterns = z.array(z.string().min(1)).min(1);

const RuleMatch = z
  .object({
    /** Globs over `project.dataset.table.column` (the column's source, when lineage is known). */
    columns: patterns.optional(),
    /** Regular expression (case-insensitive) over the column's output name, leaf name or source column. */
    namePattern: z.string().min(1).optional(),
    /** PHI classes from the classification (`ssn`, `name`, `date`, …). */
    phiClasses: patterns.optional(),
    /** Globs over full BigQuery policy tag names. */
    policyTags: patterns.optional(),
    /** BigQuery types (`DATE`, `TIMESTAMP`, `GEOGRAPHY`, …). */
    types: patterns.optional(),
  })
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), 'name at least one condition');

const Rule = z
  .object({
    match: RuleMatch,
    strategy: MaskingStrategySchema,
  })
  .strict();

const IdentifierFormat = z
  .object({
    /** Label phrases (case-insensitive) after which a value is of this kind, e.g. "MRN", "chart number". */
    labels: z.array(z.string().min(1)).optional(),
    /** Regular expression a labelled value must match (anchored at the value's start). */
    value: z.string().min(1).optional(),
    /** Regular expressions found anywhere, label or not; a named group `id` is the part masked. */
    patterns: z.array(z.string().min(1)).optional(),
  })
  .strict();

const Detectors = z
  .object({
    /** false: no content detection (except in `scrub` columns). */
    enabled: z.boolean().default(true),
    /** Built-in kinds to run; default all. */
    kinds: z.array(z.enum(DETECTOR_KINDS)).min(1).optional(),
    /** Built-in kinds not to run. */
    exclude: z.array(z.enum(DETECTOR_KINDS)).default([]),
    /** Medical record numbers: labels, the value after them, standalone patterns (defaults: `DEFAULT_MRN`). */
    mrn: IdentifierFormat.optional(),
    /** Health plan beneficiary / member numbers (defaults: `DEFAULT_HEALTH_PLAN`). */
    healthPlan: IdentifierFormat.optional(),
    /** Account numbers (defaults: `DEFAULT_ACCOUNT`). */
    account: IdentifierFormat.optional(),
    /** Extra detectors: kind (lower-case) and regular expression. */
    custom: z
      .array(
        z
          .object({
            kind: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and underscores'),
            pattern: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    /** Names from the row's name columns are searched for in its free text too. */
    seedNamesFromRow: z.boolean().default(true),
  })
  .strict();

const Profile = z
  .object({
    description: z.string().optional(),
    /** Column rules, first match wins. */
    rules: z.array(Rule).default([]),
    /** Strategy for PHI columns (by class or policy tag) no rule matches. */
    phiDefault: MaskingStrategySchema.prefault('replace'),
    /** Strategy for other columns. */
    default: MaskingStrategySchema.prefault('keep'),
    /** Content detectors, run over every string value of columns kept (`keep`) or scrubbed (`scrub`). */
    detectors: Detectors.prefault({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const check = (source: string, path: (string | number)[], flags: string): void => {
      try {
        new RegExp(source, flags);
      } catch {
        ctx.addIssue({ code: 'custom', path, message: 'not a valid regular expression' });
      }
    };
    p.rules.forEach((r, i) => {
      if (r.match.namePattern !== undefined)
        check(r.match.namePattern, ['rules', i, 'match', 'namePattern'], 'i');
    });
    for (const key of ['mrn', 'healthPlan', 'account'] as const) {
      const f = p.detectors[key];
      if (f?.value !== undefined) check(f.value, ['detectors', key, 'value'], 'y');
      f?.patterns?.forEach((src, i) => {
        check(src, ['detectors', key, 'patterns', i], 'gd');
      });
    }
    p.detectors.custom.forEach((c, i) => {
      check(c.pattern, ['detectors', 'custom', i, 'pattern'], 'gd');
    });
  });

/** The schema of one masking profile. */
export const MaskingProfileSchema = Profile;

/** A validated masking profile, defaults filled in. */
export type MaskingProfile = z.output<typeof Profile>;

/** A masking profile as written in the policy. */
export type MaskingProfileInput = z.input<typeof Profile>;

/** Names of the profiles every policy has; policies may not redefine them. */
export const BUILTIN_PROFILE_NAMES = ['safe-harbor', 'none'] as const;

/** The policy's `maskingProfiles:` section: profile name → profile. */
export const MaskingProfilesSchema = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'), Profile)
  .superRefine((profiles, ctx) => {
    for (const name of BUILTIN_PROFILE_NAMES) {
      if (Object.hasOwn(profiles, name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is built in and cannot be redefined`,
        });
    }
  });

/** The policy's masking profiles, validated. */
export type MaskingProfiles = z.output<typeof MaskingProfilesSchema>;

const SAFE_HARBOR: MaskingProfileInput = {
  description:
    'HIPAA Safe Harbor (45 CFR 164.514(b)(2)): every PHI class masked, ZIPs to ZIP3, dates to the year, ages over 89 aggregated, and every content detector on.',
  rules: [
    { match: { namePattern: '(^|_)(zip|zipcode|zip_code|postal_code|postcode)($|_)' }, strategy: 'zip3' },
    { match: { namePattern: '(^|_)age($|_)' }, strategy: 'age_over_89' },
    { match: { phiClasses: ['date'] }, strategy: { type: 'date_year_mask', over89: 'nullify' } },
    { match: { phiClasses: ['free_text'] }, strategy: 'scrub' },
    { match: { phiClasses: ['ssn', 'name', 'contact', 'address', 'mrn', 'account'] }, strategy: 'replace' },
    { match: { types: ['GEOGRAPHY'] }, strategy: 'nullify' },
  ],
  phiDefault: 'replace',
  default: 'keep',
  detectors: { enabled: true },
};

const NONE: MaskingProfileInput = {
  description: 'No masking: every value is returned as it is and no detector runs.',
  rules: [],
  phiDefault: 'keep',
  default: 'keep',
  detectors: { enabled: false },
};

/** The built-in profiles: `safe-harbor` and `none`. */
export const BUILTIN_PROFILES: Readonly<Record<string, MaskingProfile>> = {
  'safe-harbor': Profile.parse(SAFE_HARBOR),
  none: Profile.parse(NONE),
};
