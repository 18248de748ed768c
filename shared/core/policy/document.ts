// The policy document: YAML validated with zod, errors naming field path and line; its SHA-256 is the
// policy version stamped on every decision and audit record.

import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  type ClassificationConfig,
  ClassificationSchema,
  DEFAULT_CLASSIFICATION,
} from '../classification/config.ts';
import { WardenError } from '../errors.ts';
import type { GroupMapping } from '../identity/principal.ts';
import { BUILTIN_PROFILE_NAMES, type MaskingProfiles, MaskingProfilesSchema } from '../masking/profile.ts';

const stringList = z.array(z.string().min(1)).min(1);
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'a duration such as 30m, 4h or 2d')
  .transform(
    (s) => Number(s.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86_400 }[s.at(-1) as 's' | 'm' | 'h' | 'd'],
  );
/** Released cells and bytes per call when the policy sets no default: a cap always applies. */
export const DEFAULT_CELL_LIMIT = 100_000;
export const DEFAULT_BYTE_LIMIT = 10 * 1024 * 1024;
/** Visible characters a required reason must hold by default. */
export const DEFAULT_MIN_REASON_LENGTH = 4;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');

/** Constructs the query guard refuses unless the deciding rule names them in `when.constructs`. */
export const CONSTRUCTS = [
  'multi_statement',
  'scripting',
  'execute_immediate',
  'dml',
  'ddl',
  'export_data',
  'external_query',
  'information_schema',
  'wildcard_table',
  'temporary_function',
  'remote_function',
] as const;
export type Construct = (typeof CONSTRUCTS)[number];

export const EFFECTS = ['allow', 'deny', 'require_approval', 'break_glass'] as const;
export type Effect = (typeof EFFECTS)[number];

const When = z
  .object({
    subjects: stringList.optional(),
    emails: stringList.optional(),
    domains: stringList.optional(),
    groups: stringList.optional(),
    issuers: stringList.optional(),
    onBehalfOf: z
      .object({
        groups: stringList.optional(),
        emails: stringList.optional(),
        domains: stringList.optional(),
      })
      .strict()
      .optional(),
    tools: stringList.optional(),
    statementTypes: stringList.optional(),
    /** Patterns over `project.dataset.table` (`*` = any run; fewer parts = prefix). */
    tables: stringList.optional(),
    /** Patterns over `project.dataset.table.column`. */
    columns: stringList.optional(),
    /** true: the request touches PHI; false: it touches none. */
    phi: z.boolean().optional(),
    /** The request touches a column of one of these PHI classes. */
    phiClasses: stringList.optional(),
    maxBytesProcessed: z.number().int().positive().optional(),
    timeWindow: z
      .object({
        days: z
          .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
          .min(1)
          .optional(),
        from: clock,
        to: clock,
        timezone: z.string().default('UTC'),
      })
      .strict()
      .optional(),
    /** Guarded constructs this rule permits (the guard refuses them otherwise). */
    constructs: z.array(z.enum(CONSTRUCTS)).min(1).optional(),
  })
  .strict();

const Rule = z
  .object({
    id: ruleId,
    description: z.string().optional(),
    effect: z.enum(EFFECTS),
    when: When.default({}),
    approval: z
      .object({
        groups: stringList,
        quorum: z.number().int().min(1).max(10).default(1),
        ttl: duration.default(4 * 3600),
        reasonRequired: z.boolean().default(false),
      })
      .strict()
      .optional(),
    reasonRequired: z.boolean().optional(),
    maskingProfile: z.string().min(1).optional(),
    /** Released values per call: rows plus array elements (nested repeated fields included). */
    rowLimit: z.number().int().positive().optional(),
    /** Released cells per call (scalars, array elements and nested fields each count). */
    cellLimit: z.number().int().positive().optional(),
    /** Released bytes per call (the rows as JSON). */
    byteLimit: z.number().int().positive().optional(),
    maximumBytesBilled: z.number().int().positive().optional(),
    /**
     * Columns (patterns over `project.dataset.table.column`) this rule lets a query compare as equi-join keys
     * (`ON a.k = b.k`, `USING (k)`) even where its masking profile hides them; every other predicate on a
     * column the profile masks is refused (docs/policy.md, "Predicates are reads").
     */
    joinKeys: stringList.optional(),
    /**
     * The BigQuery identity the executor runs this rule's queries under: a name in the executor's
     * QUERY_CREDENTIALS (each its own sealed service-account key). Omitted: the executor's primary credential.
     * Defence in depth: a de-identified-views-only account for analysts meets BigQuery's IAM, column-level
     * security and row-level access even if a check of Warden's failed.
     */
    credential: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes')
      .optional(),
  })
  .strict();

const PolicyDocument = z
  .object({
    version: z.literal(1),
    defaults: z
      .object({
        rowLimit: z.number().int().positive().default(1000),
        cellLimit: z.number().int().positive().default(DEFAULT_CELL_LIMIT),
        byteLimit: z.number().int().positive().default(DEFAULT_BYTE_LIMIT),
        maximumBytesBilled: z.number().int().positive().default(10_000_000_000),
        maskingProfile: z.string().default('none'),
        /**
         * What a query touching PHI gets when its SQL cannot be fully analysed: `deny` (the default), or
         * `require_approval` (a human decides, seeing that it was not analysed). Fail closed either way.
         */
        unparseablePhi: z.enum(['deny', 'require_approval']).default('deny'),
        /** Visible characters a required reason must hold (after NFKC and removing invisible characters). */
        minReasonLength: z.number().int().min(1).max(500).default(DEFAULT_MIN_REASON_LENGTH),
      })
      .strict()
      .default({
        rowLimit: 1000,
        cellLimit: DEFAULT_CELL_LIMIT,
        byteLimit: DEFAULT_BYTE_LIMIT,
        maximumBytesBilled: 10_000_000_000,
        maskingProfile: 'none',
        unparseablePhi: 'deny',
        minReasonLength: DEFAULT_MIN_REASON_LENGTH,
      }),
    /** Projects queries may reference; others are refused. Omit to allow any. */
    projects: stringList.optional(),
    /** Approvals for `unparseablePhi: require_approval`. */
    unparseableApproval: z
      .object({
        groups: stringList,
        quorum: z.number().int().min(1).default(1),
        ttl: duration.default(4 * 3600),
      })
      .strict()
      .optional(),
    classification: ClassificationSchema.default(DEFAULT_CLASSIFICATION),
    groupMappings: z.array(z.object({ group: z.string().min(1), members: stringList }).strict()).default([]),
    /** Masking profiles (docs/masking.md); `safe-harbor` and `none` are built in. */
    maskingProfiles: MaskingProfilesSchema.default({}),
    rules: z.array(Rule),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of doc.rules.entries()) {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
      if (r.effect === 'require_approval' && !r.approval)
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approval'],
          message: 'require_approval needs approval: {groups, quorum, ttl}',
        });
      if (r.effect !== 'require_approval' && r.approval)
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'approval'],
          message: 'approval applies to require_approval rules only',
        });
    }
    const profiles = new Set([...BUILTIN_PROFILE_NAMES, ...Object.keys(doc.maskingProfiles)]);
    if (!profiles.has(doc.defaults.maskingProfile))
      ctx.addIssue({
        code: 'custom',
        path: ['defaults', 'maskingProfile'],
        message: `unknown masking profile "${doc.defaults.maskingProfile}"`,
      });
    for (const [i, r] of doc.rules.entries()) {
      if (r.maskingProfile && !profiles.has(r.maskingProfile))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'maskingProfile'],
          message: `unknown masking profile "${r.maskingProfile}"`,
        });
    }
    if (doc.defaults.unparseablePhi === 'require_approval' && !doc.unparseableApproval) {
      ctx.addIssue({
        code: 'custom',
        path: ['unparseableApproval'],
        message: 'defaults.unparseablePhi: require_approval needs unparseableApproval',
      });
    }
    try {
      new RegExp(doc.classification.descriptionPattern);
    } catch {
      ctx.addIssue({
        code: 'custom',
        path: ['classification', 'descriptionPattern'],
        message: 'not a valid regular expression',
      });
    }
  });

export type PolicyRule = z.infer<typeof Rule>;
export type ApprovalRequirement = {
  groups: string[];
  quorum: number;
  ttlSeconds: number;
  reasonRequired: boolean;
};

/** A loaded policy: the validated document and its version. */
export interface Policy {
  version: string;
  rowLimit: number;
  cellLimit: number;
  byteLimit: number;
  maximumBytesBilled: number;
  maskingProfile: string;
  unparseablePhi: 'deny' | 'require_approval';
  minReasonLength: number;
  unparseableApproval?: ApprovalRequirement;
  projects?: string[];
  classification: ClassificationConfig;
  groupMappings: GroupMapping[];
  maskingProfiles: MaskingProfiles;
  rules: PolicyRule[];
}

/**
 * Parses and validates a policy; throws `invalid_argument` naming the field path and line of every problem.
 * The policy version is `sha256:` + the SHA-256 of `text`, so any edit changes it.
 */
export function loadPolicy(text: string, source = 'policy'): Policy {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `${source}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const parsed = PolicyDocument.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const node = doc.getIn(issue.path, true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? ` (line ${lineOf(text, node.range[0])})` : '';
      return `${path || '(root)'}${line}: ${issue.message}`;
    });
    throw new WardenError('invalid_argument', `${source} is not valid:\n  ${lines.join('\n  ')}`);
  }
  const d = parsed.data;
  return {
    version: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    rowLimit: d.defaults.rowLimit,
    cellLimit: d.defaults.cellLimit,
    byteLimit: d.defaults.byteLimit,
    maximumBytesBilled: d.defaults.maximumBytesBilled,
    maskingProfile: d.defaults.maskingProfile,
    unparseablePhi: d.defaults.unparseablePhi,
    minReasonLength: d.defaults.minReasonLength,
    ...(d.unparseableApproval
      ? {
          unparseableApproval: {
            groups: d.unparseableApproval.groups,
            quorum: d.unparseableApproval.quorum,
            ttlSeconds: d.unparseableApproval.ttl,
            reasonRequired: false,
          },
        }
      : {}),
    ...(d.projects ? { projects: d.projects } : {}),
    classification: d.classification,
    groupMappings: d.groupMappings,
    maskingProfiles: d.maskingProfiles,
    rules: d.rules,
  };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
