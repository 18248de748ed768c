// Result-column lineage for masking: which source columns each result column reads (from the SQL) and what
// the classification says about them, so column rules keyed by table.column, PHI class or policy tag
// follow a column through aliases, expressions, JSON and whole-row reads.

import type { ColumnSchema } from '../../ports/warehouse.ts';
import { classifyTable, type TableMetadata } from '../classification/classify.ts';
import type { ClassificationConfig } from '../classification/config.ts';
import { globMatch } from '../glob.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import { analyzeResultLineage } from '../query/sql-lineage.ts';
import type { ColumnCatalog, ColumnLineage } from './mask.ts';

/**
 * Lineage of each top-level result column of `sql`, keyed by output name; an expression gets one entry per
 * source. Fails closed against `referencedTables` (the dry run's, views resolved): a column the analysis
 * cannot trace, or traces to a table the dry run does not name (a view, a misread name) or to no table,
 * reads every column of every referenced table, as a computed value that may fold rows. So it is masked as
 * the strictest PHI of those tables, never kept because nothing was known.
 */
export function resultColumnLineage(
  sql: string,
  defaultProject: string,
  schema: readonly ColumnSchema[],
  referencedTables: readonly TableRef[] = [],
): Record<string, ColumnLineage> {
  const lineage = analyzeResultLineage(sql, { defaultProject });
  const known = new Set(referencedTables.map((t) => formatTableRef(t).toLowerCase()));
  const unknown: ColumnLineage = {
    sources: referencedTables.map((table) => ({ table, sourceColumn: '*' })),
    collects: true,
  };
  const out: Record<string, ColumnLineage> = {};
  for (const field of schema) {
    const s = lineage?.sourcesOf(field.name);
    const traced = s?.sources.every(
      (r) => r.table !== undefined && known.has(formatTableRef(r.table).toLowerCase()),
    );
    if (s === undefined || (!traced && referencedTables.length > 0)) {
      out[field.name] = unknown;
      continue;
    }
    const sources: ColumnLineage[] = s.sources.map((r) => ({
      ...(r.table ? { table: r.table } : {}),
      sourceColumn: r.column,
    }));
    out[field.name] =
      s.direct && sources.length === 1 ? sources[0]! : { sources, ...(s.collects ? { collects: true } : {}) };
  }
  return out;
}

/** Tables a lineage map names, for the caller to fetch metadata of. */
export function lineageTables(columns: Record<string, ColumnLineage>): ColumnLineage['table'][] {
  const seen = new Map<string, NonNullable<ColumnLineage['table']>>();
  const visit = (c: ColumnLineage): void => {
    if (c.table) seen.set(formatTableRef(c.table), c.table);
    for (const s of c.sources ?? []) visit(s);
  };
  for (const c of Object.values(columns)) visit(c);
  return [...seen.values()];
}

interface FieldInfo {
  policyTags?: string[];
}

/**
 * A catalog over the classification: the policy's `classification` merged with BigQuery metadata of the
 * tables in `metadata` (labels, policy tags, descriptions). Tables without metadata get the policy's
 * `phiColumns` patterns alone.
 */
export function columnCatalog(
  config: ClassificationConfig,
  metadata: readonly TableMetadata[],
): ColumnCatalog {
  const byTable = new Map<
    string,
    { phi: boolean; classes: Record<string, string>; fields: Map<string, FieldInfo> }
  >();
  for (const meta of metadata) {
    const fields = new Map<string, FieldInfo>();
    const walk = (list: TableMetadata['fields'], prefix: string): void => {
      for (const f of list) {
        const path = (prefix ? `${prefix}.${f.name}` : f.name).toLowerCase();
        fields.set(path, f.policyTags?.length ? { policyTags: f.policyTags } : {});
        if (f.fields) walk(f.fields, path);
      }
    };
    walk(meta.fields, '');
    const classes: Record<string, string> = {};
    const classified = classifyTable(config, meta);
    for (const [path, cls] of Object.entries(classified.phiColumns)) classes[path.toLowerCase()] = cls;
    byTable.set(formatTableRef(meta.table).toLowerCase(), { phi: classified.phi, classes, fields });
  }
  return {
    describe(table, column) {
      const name = formatTableRef(table);
      const col = column.toLowerCase();
      const known = byTable.get(name.toLowerCase());
      if (known !== undefined) {
        const phiClass = known.classes[col];
        const policyTags = known.fields.get(col)?.policyTags;
        return { ...(phiClass ? { phiClass } : {}), ...(policyTags ? { policyTags } : {}) };
      }
      for (const [pattern, cls] of Object.entries(config.phiColumns))
        if (globMatch(pattern, `${name}.${col}`)) return { phiClass: cls };
      return undefined;
    },
    phiColumns(table) {
      const known = byTable.get(formatTableRef(table).toLowerCase());
      if (known === undefined) return [];
      const cols = new Set(Object.keys(known.classes));
      for (const [path, f] of known.fields) if (f.policyTags?.length) cols.add(path);
      return [...cols];
    },
    phiTable(table) {
      const name = formatTableRef(table);
      const known = byTable.get(name.toLowerCase());
      if (known !== undefined) return known.phi;
      return config.phiTables.some((p) => globMatch(p, name));
    },
  };
}
