// PHI classification of tables and columns: the policy's explicit lists merged with BigQuery metadata
// (table and dataset labels, column policy tags, column descriptions).

import { globMatch } from '../glob.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import type { ClassificationConfig } from './config.ts';

/** What BigQuery says about a table, as classification needs it. */
export interface TableMetadata {
  table: TableRef;
  labels: Record<string, string>;
  datasetLabels: Record<string, string>;
  fields: FieldMetadata[];
}

export interface FieldMetadata {
  name: string;
  description?: string;
  policyTags?: string[];
  fields?: FieldMetadata[];
}

/** A table's classification: whether it holds PHI and which columns (dotted for nested fields) of which class. */
export interface TableClassification {
  table: TableRef;
  phi: boolean;
  phiColumns: Record<string, string>;
}

/** Classifies one table; any PHI column makes the table PHI. */
export function classifyTable(config: ClassificationConfig, meta: TableMetadata): TableClassification {
  const name = formatTableRef(meta.table);
  const description = new RegExp(config.descriptionPattern, 'i');
  const phiColumns: Record<string, string> = {};
  for (const [path, field] of flatten(meta.fields)) {
    const cls = columnClass(config, description, `${name}.${path}`, field);
    if (cls) phiColumns[path] = cls;
  }
  const labelled = Object.entries(config.labels).some(
    ([k, v]) => meta.labels[k] === v || meta.datasetLabels[k] === v,
  );
  const listed = config.phiTables.some((p) => globMatch(p, name));
  return { table: meta.table, phi: labelled || listed || Object.keys(phiColumns).length > 0, phiColumns };
}

function columnClass(
  config: ClassificationConfig,
  description: RegExp,
  fullName: string,
  field: FieldMetadata,
): string | undefined {
  for (const [pattern, cls] of Object.entries(config.phiColumns))
    if (globMatch(pattern, fullName)) return cls;
  const tag = field.policyTags?.find((t) => config.policyTags.some((p) => globMatch(p, t)));
  if (tag) return tag.split('/').at(-1) ?? 'phi';
  if (field.description && description.test(field.description)) return 'phi';
  return undefined;
}

function* flatten(fields: FieldMetadata[], prefix = ''): Generator<[string, FieldMetadata]> {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    yield [path, f];
    if (f.fields) yield* flatten(f.fields, path);
  }
}
