// What the console adds to the approvals API (authenticated and audited like it), for one request an approver
// may view: GET /approvals/{id}/tables (each table's PHI classification) and GET /approvals/{id}/audit (the
// request's audit records and their verification; only when CONSOLE_AUDIT_READ is on).

import type { Request, Response } from '@google-cloud/functions-framework';
import { readTrail } from '../../../shared/core/audit/trail.ts';
import type { TableCatalog } from '../../../shared/core/classification/table-catalog.ts';
import { WardenError } from '../../../shared/core/errors.ts';
import { type ApprovalDeps, requestForReviewer } from '../../../shared/core/gateway/approvals.ts';
import type { Principal } from '../../../shared/core/identity/principal.ts';
import { formatTableRef } from '../../../shared/core/query/facts.ts';
import type { AuditAppender } from '../../../shared/ports/audit-appender.ts';
import { recordApiRequest, replyApiError } from '../approvals-api.ts';
import { requestAudit } from './request-audit.ts';

/** Read access to the audit trail: the bucket's objects and the KMS key that certifies writers. */
export interface AuditTrailReader {
  list(prefix: string): Promise<string[]>;
  read(name: string): Promise<Uint8Array>;
  kmsPublicKeyPem(): Promise<string>;
}

export interface RequestApiDeps {
  approvals: ApprovalDeps;
  audit: AuditAppender;
  catalog: Pick<TableCatalog, 'classify'>;
  /** Absent unless CONSOLE_AUDIT_READ: the gateway's least-privilege identity cannot read the trail. */
  auditTrail?: AuditTrailReader;
  log: (message: string, cause?: unknown) => void;
}

/** Scanning is a stand-in for an index (the audit search table); refuse trails too large to scan per page. */
const MAX_SCANNED_OBJECTS = 5000;
const PATH = /^\/approvals\/([^/:]+)\/(tables|audit)\/?$/;

/** True for the paths this module serves. */
export const isRequestApiPath = (path: string): boolean => PATH.test(path);

/** Serves one call; audited (`api.request`) before any answer leaves. */
export async function handleRequestApi(
  deps: RequestApiDeps,
  req: Request,
  res: Response,
  requestId: string,
  principal: Principal,
): Promise<void> {
  try {
    const [, id, what] = PATH.exec(req.path) ?? [];
    if (req.method !== 'GET' || !id) throw new WardenError('not_found', 'No such approvals resource.');
    await recordApiRequest(deps.audit, requestId, principal, req);
    const request = await requestForReviewer(deps.approvals, id, principal);
    if (what === 'tables') {
      const classes = await deps.catalog.classify(request.referencedTables);
      const byName = new Map(classes.map((c) => [formatTableRef(c.table), c]));
      return void res.json({
        tables: request.referencedTables.map(formatTableRef).map((table) => ({
          table,
          phi: byName.get(table)?.phi ?? false,
          phiColumns: byName.get(table)?.phiColumns ?? {},
        })),
      });
    }
    if (!deps.auditTrail)
      throw new WardenError(
        'failed_precondition',
        'Reading the audit trail is not enabled on this gateway (CONSOLE_AUDIT_READ).',
      );
    const trail = deps.auditTrail;
    const [{ objects }, kmsPem] = await Promise.all([
      // Record objects only (the layout's digests are not needed to check the records' own streams).
      readTrail(trail, {
        kinds: ['streams'],
        onListed: (names) => {
          if (names.length > MAX_SCANNED_OBJECTS)
            throw new WardenError(
              'failed_precondition',
              'The audit trail is too large to scan here; use the audit search and `warden audit verify`.',
            );
        },
      }),
      trail.kmsPublicKeyPem(),
    ]);
    return void res.json(requestAudit(objects, kmsPem, request.id));
  } catch (err) {
    deps.log(`console API request ${requestId} failed`, err);
    replyApiError(res, err, requestId);
  }
}
