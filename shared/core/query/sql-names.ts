// Resolution of GoogleSQL table names and INFORMATION_SCHEMA qualifiers against a default project and dataset.

import type { TableRef } from './facts.ts';

/** Where unqualified names resolve. */
export interface NameDefaults {
  defaultProject: string;
  defaultDataset?: string;
}

/** The scope of an INFORMATION_SCHEMA view: a project, and a dataset or a region (`us` for `region-us`). */
export interface InformationSchemaScope {
  projectId?: string;
  datasetId?: string;
  region?: string;
}

/** A table name resolved: a table, or an INFORMATION_SCHEMA view. */
export type ResolvedName =
  | { kind: 'table'; ref: TableRef }
  | { kind: 'informationSchema'; scope: InformationSchemaScope };

const REGION = /^region-(.+)$/i;

/**
 * Resolves the parts of a table name: `t` and `d.t` take the defaults; `p.d.t` is taken as is (project id in
 * lower case, as GCP project ids are). A one-part name without a default dataset gets dataset ''.
 * Extra parts after `p.d.t` are dropped. Names with an INFORMATION_SCHEMA part resolve to its scope.
 */
export function resolveTableName(parts: readonly string[], d: NameDefaults): ResolvedName {
  const is = parts.findIndex((p) => p.toUpperCase() === 'INFORMATION_SCHEMA');
  if (is >= 0) return { kind: 'informationSchema', scope: informationSchemaScope(parts.slice(0, is), d) };
  const [a = '', b = '', c = ''] = parts;
  if (parts.length <= 1) {
    return {
      kind: 'table',
      ref: { projectId: d.defaultProject, datasetId: d.defaultDataset ?? '', tableId: a },
    };
  }
  if (parts.length === 2)
    return { kind: 'table', ref: { projectId: d.defaultProject, datasetId: a, tableId: b } };
  return { kind: 'table', ref: { projectId: a.toLowerCase(), datasetId: b, tableId: c } };
}

/** The scope of `<prefix>.INFORMATION_SCHEMA.<view>`: `[]`, `[dataset]`, `[region-x]`, `[project, dataset]`, …. */
export function informationSchemaScope(prefix: readonly string[], d: NameDefaults): InformationSchemaScope {
  const last = prefix[prefix.length - 1];
  const project = prefix.length >= 2 ? (prefix[prefix.length - 2] as string).toLowerCase() : d.defaultProject;
  if (last === undefined) {
    return d.defaultDataset === undefined
      ? { projectId: project }
      : { projectId: project, datasetId: d.defaultDataset };
  }
  const region = REGION.exec(last);
  if (region?.[1] !== undefined) return { projectId: project, region: region[1].toLowerCase() };
  // Dataset names cannot contain '-': a lone dashed qualifier can only be a project.
  if (prefix.length === 1 && last.includes('-')) return { projectId: last.toLowerCase() };
  return { projectId: project, datasetId: last };
}
