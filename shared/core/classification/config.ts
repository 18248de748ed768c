// The policy's `classification:` section: which BigQuery labels, policy tags, descriptions and listed tables and
// columns mark PHI. Read by policy (decisions), masking (column lineage) and the executor.

import { z } from 'zod';

/** The `classification:` section's schema, defaults filled in. */
export const ClassificationSchema = z
  .object({
    /** Table or dataset labels that mark PHI (default `phi: "true"`). */
    labels: z.record(z.string(), z.string()).default({ phi: 'true' }),
    /** Policy tags (patterns over the full tag name) that mark a column as PHI; the class is the tag's last part. */
    policyTags: z.array(z.string().min(1)).min(1).default(['*']),
    /** Column descriptions matching this regular expression mark the column as PHI. */
    descriptionPattern: z.string().default('\\bPHI\\b'),
    /** Tables (patterns over project.dataset.table) that hold PHI, whatever their labels say. */
    phiTables: z.array(z.string().min(1)).default([]),
    /** PHI columns by pattern over project.dataset.table.column → class. */
    phiColumns: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** A validated `classification:` section. */
export type ClassificationConfig = z.infer<typeof ClassificationSchema>;

/** The classification of a policy without a `classification:` section. */
export const DEFAULT_CLASSIFICATION: ClassificationConfig = {
  labels: { phi: 'true' },
  policyTags: ['*'],
  descriptionPattern: '\\bPHI\\b',
  phiTables: [],
  phiColumns: {},
};
