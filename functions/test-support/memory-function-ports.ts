// The ports every function is composed from (shared/adapters/function-compose.ts FunctionPorts), over in-memory
// stand-ins: the test rig and the compose tests build both functions on it, as functions/*/ports.ts builds
// them on Google's.

import type { FunctionPorts } from '../../shared/adapters/function-compose.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { ApprovalStore, ResultStore } from '../../shared/ports/approval-store.ts';
import type { AuditSink } from '../../shared/ports/audit-sink.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';

/** The shared ports: one KMS, one audit bucket, one Firestore, no results bucket, objects read from `objects`. */
export function memoryFunctionPorts(parts: {
  clock: Clock;
  keys: KeyService;
  sink: AuditSink;
  approvals: ApprovalStore;
  results: ResultStore;
  /** The policy and sealed artefacts by location (`gs://…` or a path), as a deployment holds them. */
  objects: ReadonlyMap<string, Uint8Array>;
}): Pick<
  FunctionPorts,
  'clock' | 'keys' | 'auditSink' | 'approvals' | 'resultDocuments' | 'resultBlobs' | 'readObject'
> {
  return {
    clock: parts.clock,
    keys: parts.keys,
    auditSink: () => parts.sink,
    approvals: parts.approvals,
    resultDocuments: parts.results,
    resultBlobs: () => {
      throw new Error('no results bucket');
    },
    readObject: async (location) => {
      const data = parts.objects.get(location);
      if (!data) throw new WardenError('not_found', `no object ${location}`);
      return data;
    },
  };
}
