// The gateway's metadata tools (list_dataset_ids, get_dataset_info, list_table_ids, get_table_info):
// reading a PHI table's schema is an access, so each goes through policy and the audit trail.

import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { Clock } from '../../ports/clock.ts';
import type { WarehouseMetadata } from '../../ports/warehouse.ts';
import { auditDecision, auditPrincipal, policyDecisionEvent } from '../audit/events.ts';
import type { TableCatalog } from '../classification/table-catalog.ts';
import type { Principal } from '../identity/principal.ts';
import { type Decision, evaluatePolicy, isRunnable, type Policy } from '../policy/policy.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';

export interface MetadataDeps {
  audit: AuditAppender;
  metadata: WarehouseMetadata;
  policy: Policy;
  catalog: TableCatalog;
  clock: Clock;
}

export type MetadataCall =
  | { tool: 'list_dataset_ids'; projectId: string }
  | { tool: 'get_dataset_info' | 'list_table_ids'; projectId: string; datasetId: string }
  | { tool: 'get_table_info'; projectId: string; datasetId: string; tableId: string };

export type MetadataOutcome =
  | { kind: 'ok'; decision: Decision; result: Record<string, unknown> }
  | { kind: 'denied'; decision: Decision };

/** The table (or `*` for a whole dataset) a metadata call touches, as policy matches it. */
export function metadataScope(call: MetadataCall): TableRef[] {
  if (call.tool === 'list_dataset_ids') return [];
  return [
    {
      projectId: call.projectId,
      datasetId: call.datasetId,
      tableId: call.tool === 'get_table_info' ? call.tableId : '*',
    },
  ];
}

/** Decides, records the decision durably, then reads the metadata for an allowed call. */
export async function callMetadataTool(
  deps: MetadataDeps,
  requestId: string,
  principal: Principal,
  call: MetadataCall,
): Promise<MetadataOutcome> {
  const tables = metadataScope(call);
  const classification = await deps.catalog.classify(tables);
  const decision = evaluatePolicy(deps.policy, {
    principal,
    tool: call.tool,
    tables,
    classification,
    now: deps.clock.now(),
  });
  await deps.audit.append(
    policyDecisionEvent({
      requestId,
      tool: call.tool,
      principal: auditPrincipal(principal),
      projectId: call.projectId,
      tables: tables.map(formatTableRef),
      decision: auditDecision(decision),
    }),
  );
  if (!isRunnable(decision)) return { kind: 'denied', decision };
  return { kind: 'ok', decision, result: await read(deps.metadata, call) };
}

async function read(metadata: WarehouseMetadata, call: MetadataCall): Promise<Record<string, unknown>> {
  switch (call.tool) {
    case 'list_dataset_ids':
      return { datasets: await metadata.listDatasets(call.projectId) };
    case 'get_dataset_info':
      return pick(await metadata.getDatasetInfo(call.projectId, call.datasetId), [
        'datasetReference',
        'friendlyName',
        'description',
        'location',
        'labels',
        'creationTime',
        'lastModifiedTime',
        'defaultTableExpirationMs',
      ]);
    case 'list_table_ids':
      return { tables: (await metadata.listTableIds(call.projectId, call.datasetId)).map((id) => ({ id })) };
    case 'get_table_info':
      return pick(await metadata.getTableInfo(call), [
        'tableReference',
        'type',
        'description',
        'labels',
        'schema',
        'numRows',
        'numBytes',
        'creationTime',
        'lastModifiedTime',
        'location',
        'timePartitioning',
        'clustering',
      ]);
  }
}

/** Only documented metadata fields reach the agent (no ACLs, no etags, no internal links). */
function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
