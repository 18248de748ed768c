// The audit record schema: every event type Warden writes, in one discriminated union, and the one `parse` that
// reads a stored record by its format version (`v`). Writers build events with ./events.ts; readers (search,
// report, console, reconcile, verify) read records only through `parse` / `parseEnvelope` here.
//
// Records are kept six years (45 CFR 164.316(b)(2)(i)), so a reader must understand every version ever written:
// each version has its own entry in FORMATS, and a new version is a new entry (its envelope, its events), never
// an edit of an old one. Within version 1, fields were added over time: only `type` is required, every other
// field is optional but typed when present, and fields this build does not know are kept (loose objects).

import { z } from 'zod';

// --- shared shapes -------------------------------------------------------------------------------------------

const str = z.string();
const int = z.number().int();
const strings = z.array(z.string());
/** BigQuery byte counts are decimal strings; older records (and tests) may hold numbers. */
const bytes = z.union([z.string(), z.number()]);

const Identity = z.looseObject({
  subject: str,
  issuer: str.optional(),
  email: str.optional(),
  groups: strings.optional(),
});

/** Who made a request, as recorded: identity, groups, actor chain, and the person a service acts for. */
export const Principal = Identity.extend({
  actorChain: z
    .array(z.looseObject({ subject: str, issuer: str.optional(), email: str.optional() }))
    .optional(),
  onBehalfOf: Identity.optional(),
});
export type AuditPrincipal = z.infer<typeof Principal>;

/** Who caused an approval transition: a principal, or a Warden service (an executor, the expiry sweeper). */
const Actor = z.union([z.looseObject({ service: str }), Principal]);

const Query = z.looseObject({
  sql: str.optional(),
  sqlSha256: str.optional(),
  statementType: str.optional(),
  referencedTables: strings.optional(),
  totalBytesProcessed: bytes.optional(),
  params: z.array(z.looseObject({ name: str, type: str.optional() })).optional(),
});
export type AuditQuery = z.infer<typeof Query>;

const Decision = z.looseObject({
  effect: str,
  rule: str.optional(),
  reasons: strings.optional(),
  policyVersion: str.optional(),
  rowLimit: z.number().optional(),
  cellLimit: z.number().optional(),
  byteLimit: z.number().optional(),
  maximumBytesBilled: z.number().optional(),
  maskingProfile: str.optional(),
  touchesPhi: z.boolean().optional(),
  phiClasses: strings.optional(),
  analysis: str.optional(),
  credential: str.optional(),
  approval: z.looseObject({ groups: strings.optional() }).optional(),
});
export type AuditDecision = z.infer<typeof Decision>;

const ErrorInfo = z.looseObject({ kind: str, message: str.optional() });

const Certificate = z.looseObject({
  body: z.looseObject({
    algorithm: str,
    publicKeyPem: str,
    writer: str,
    notBefore: str,
    kmsKeyVersion: str,
  }),
  kmsSignature: str,
});

const Review = z.looseObject({
  approver: Identity,
  via: Identity.optional(),
  decision: str,
  reason: str.optional(),
  at: str.optional(),
});

/** What a review of a break-glass use concludes. */
export const BREAK_GLASS_OUTCOMES = ['appropriate', 'inappropriate'] as const;
export type BreakGlassOutcome = (typeof BREAK_GLASS_OUTCOMES)[number];

/** Fields every request-scoped event has. */
const Req = { requestId: str.optional() };

// --- version 1 events ----------------------------------------------------------------------------------------

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.looseObject({ type: z.literal(type), ...Req, ...shape });

const McpRefusal = {
  status: int.optional(),
  reason: str.optional(),
  /** Which check refused it: method, content-type, origin, authentication, json-rpc, … */
  check: str.optional(),
  credentials: z.enum(['present', 'absent']).optional(),
  method: str.optional(),
  principal: Principal.optional(),
};

/** The fields of every `approval.<transition>` event (shared/core/approval/audit.ts). */
const Approval = {
  state: str.optional(),
  previousState: str.optional(),
  actor: Actor.optional(),
  reviewCount: int.optional(),
  approvalCount: int.optional(),
  quorum: int.optional(),
  projectId: str.optional(),
  bindingSha256: str.optional(),
  rule: str.optional(),
  policyVersion: str.optional(),
  review: Review.optional(),
  reason: str.optional(),
};

const Job = {
  principal: Principal.optional(),
  jobId: str.optional(),
  /** The request that ran the job (its warden-request label). */
  ranFor: str.optional(),
  outcome: z.literal('not_found').optional(),
};

const V1_EVENTS = [
  event('stream.start', { certificate: Certificate.optional() }),
  /** `rpc`: the JSON-RPC `method`, `id` and `tool`; never argument values. */
  event('mcp.request', { principal: Principal.optional(), rpc: z.unknown().optional() }),
  event('mcp.response', { status: int.optional(), responseSha256: str.optional() }),
  event('mcp.unauthenticated', McpRefusal),
  event('mcp.rejected', McpRefusal),
  event('mcp.input_requested', { tool: str.optional(), input: str.optional(), rule: str.optional() }),
  event('policy.decision', {
    tool: str.optional(),
    principal: Principal.optional(),
    projectId: str.optional(),
    /** Metadata tools: the scope they read. */
    tables: strings.optional(),
    query: Query.optional(),
    decision: Decision.optional(),
    dryRun: z.boolean().optional(),
    reason: str.optional(),
    reasonAskedIn: str.optional(),
    breakGlass: z.boolean().optional(),
    reviewRequired: z.boolean().optional(),
    error: ErrorInfo.optional(),
  }),
  event('query.start', {
    principal: Principal.optional(),
    projectId: str.optional(),
    query: Query.optional(),
    decision: Decision.optional(),
    approvalId: str.optional(),
  }),
  event('query.end', {
    principal: Principal.optional(),
    projectId: str.optional(),
    outcome: z.enum(['ok', 'error']).optional(),
    durationMs: z.number().optional(),
    jobId: str.optional(),
    totalBytesProcessed: bytes.optional(),
    rowCount: int.optional(),
    truncated: z.boolean().optional(),
    released: z.looseObject({ values: int, cells: int, bytes: int }).optional(),
    columns: strings.optional(),
    /** What was masked, never values: profile, masked columns with strategy and lineage, detector counts. */
    masking: z.unknown().optional(),
    resultSha256: str.optional(),
    error: ErrorInfo.optional(),
  }),
  event('execution.refused', { error: ErrorInfo.optional() }),
  event('approval.requested', {
    ...Approval,
    requester: Identity.optional(),
    onBehalfOf: Identity.optional(),
    query: Query.optional(),
    decision: Decision.optional(),
    requiredGroups: strings.optional(),
    expiresAt: str.optional(),
  }),
  event('approval.reviewed', Approval),
  event('approval.approved', Approval),
  event('approval.denied', Approval),
  event('approval.expired', { ...Approval, expiresAt: str.optional() }),
  event('approval.cancelled', Approval),
  event('approval.claimed', { ...Approval, claimedBy: str.optional() }),
  event('approval.succeeded', {
    ...Approval,
    jobId: str.optional(),
    rowCount: int.optional(),
    maskedColumns: strings.optional(),
    resultLocation: str.optional(),
  }),
  event('approval.failed', { ...Approval, error: ErrorInfo.optional() }),
  event('approval.refused', {
    attempted: str.optional(),
    actor: Actor.optional(),
    error: ErrorInfo.optional(),
  }),
  event('result.fetch', { approvalId: str.optional(), jobId: str.optional(), rowCount: int.optional() }),
  event('job.get', Job),
  event('job.cancel', Job),
  event('api.request', { principal: Principal.optional(), method: str.optional(), path: str.optional() }),
  /**
   * A privacy officer's after-the-fact review of a break-glass use (45 CFR 164.312(a)(2)(ii)). `requestId` is the
   * break-glass call's, so the review sits with the use it judges; `apiRequestId` is the review's own API call.
   * A later review of the same use supersedes an earlier one (docs/approvals.md).
   */
  event('breakglass.reviewed', {
    apiRequestId: str.optional(),
    reviewer: Principal.optional(),
    outcome: z.enum(BREAK_GLASS_OUTCOMES).optional(),
    /** Untrusted text: normalised, cut to 2,000 characters and its identifiers masked before it is recorded. */
    note: str.optional(),
    /** The use as found: its caller, rule and time (the `policy.decision` record's). */
    user: Identity.optional(),
    rule: str.optional(),
    usedAt: str.optional(),
  }),
] as const;

const V1Event = z.discriminatedUnion('type', V1_EVENTS);

/** Every event of format version 1, discriminated by `type` (docs/audit-format.md, "Events"). */
export type AuditEvent = z.infer<typeof V1Event>;
export type AuditEventType = AuditEvent['type'];
/** The event of one type: `EventOf<'query.end'>`. */
export type EventOf<T extends AuditEventType> = Extract<AuditEvent, { type: T }>;

/** Every event type of version 1, in the order docs/audit-format.md lists them. */
export const EVENT_TYPES: readonly AuditEventType[] = V1_EVENTS.map((s) => s.shape.type.value);

/** The fields each event type may carry besides `type` and `requestId`: what docs/audit-format.md lists. */
export function eventFields(type: AuditEventType): string[] {
  const schema = V1_EVENTS.find((s) => s.shape.type.value === type)!;
  return Object.keys(schema.shape).filter((k) => k !== 'type' && k !== 'requestId');
}

/** True when `type` is an event type this build knows. */
export function isEventType(type: unknown): type is AuditEventType {
  return typeof type === 'string' && (EVENT_TYPES as readonly string[]).includes(type);
}

// --- records -------------------------------------------------------------------------------------------------

/** A version 1 record as stored (docs/audit-format.md, "Record"); `event` not yet read (see `parse`). */
const V1Envelope = z.looseObject({
  v: z.literal(1),
  stream: str,
  seq: int.nonnegative(),
  prev: z.union([str, z.null()]),
  time: str,
  event: z.looseObject({ type: str }),
  sig: str.optional(),
});

/** A stored record whose event has not been read: what verification needs (integrity, not meaning). */
export interface StoredRecord {
  v: 1;
  stream: string;
  seq: number;
  prev: string | null;
  time: string;
  event: { type: string; requestId?: string; [field: string]: unknown };
  sig?: string;
}

/** The signed part of a record, with its event read. `prev` is the previous record's hash (null at seq 0). */
export interface RecordBody {
  v: 1;
  stream: string;
  seq: number;
  prev: string | null;
  time: string;
  event: AuditEvent;
}

/**
 * A record as stored, its event read: the body plus its signature (base64 DER). Warden signs every record;
 * `sig` is optional only because a record read back may have lost it, which verification reports as `unsigned`.
 */
export interface AuditRecord extends RecordBody {
  sig?: string;
}

/** A record that is not one this build can read: `field` names what is wrong (`v`, `event.type`, `seq`, …). */
export class AuditFormatError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'AuditFormatError';
    this.field = field;
  }
}

/** One format version: how its records' envelope and events are read. */
export interface FormatReader {
  envelope: (raw: Record<string, unknown>) => StoredRecord;
  event: (record: StoredRecord) => AuditRecord;
}

/**
 * Every format version this build reads, by `v`. Adding version 2 is one entry here (its envelope and event
 * schemas next to version 1's), a union `AuditRecord = V1Record | V2Record` on `v`, and its stored fixture
 * under ./fixtures/; version 1 stays as it is, so its records stay readable and verifiable.
 */
export const FORMATS: Readonly<Record<number, FormatReader>> = {
  1: {
    envelope: (raw) => {
      checked(V1Envelope, raw, '');
      return raw as unknown as StoredRecord;
    },
    event: (record) => {
      checked(V1Event, record.event, 'event.');
      return record as unknown as AuditRecord;
    },
  },
};

/**
 * Reads a stored record (a JSON line, or the object parsed from one) by its format version, without reading
 * its event: what verification needs, so a trail stays verifiable even where its events are not understood.
 * Throws AuditFormatError naming the field for anything else. Returns the input object itself, unchanged.
 */
export function parseEnvelope(input: string | unknown, formats = FORMATS): StoredRecord {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      throw new AuditFormatError('', 'the line is not JSON');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AuditFormatError('', 'the record is not a JSON object');
  const v = (raw as { v?: unknown }).v;
  const format = typeof v === 'number' ? formats[v] : undefined;
  if (!format)
    throw new AuditFormatError(
      'v',
      v === undefined
        ? 'the record has no format version (field v)'
        : `unknown audit format version ${JSON.stringify(v)} (field v): this build reads versions ${Object.keys(formats).join(', ')}`,
    );
  return format.envelope(raw as Record<string, unknown>);
}

/**
 * The one reader of audit records: a stored record (a JSON line or its object) as a typed record whose event
 * narrows on `type`. Dispatches on the format version (`v`); throws AuditFormatError naming the field for an
 * unknown version, a malformed envelope, an unknown event type or a malformed event field.
 */
export function parse(input: string | unknown, formats = FORMATS): AuditRecord {
  const record = parseEnvelope(input, formats);
  return formats[record.v]!.event(record);
}

/** `parse`, with the error returned instead of thrown. */
export function tryParse(
  input: string | unknown,
  formats = FORMATS,
): { ok: true; record: AuditRecord } | { ok: false; error: AuditFormatError } {
  try {
    return { ok: true, record: parse(input, formats) };
  } catch (err) {
    if (err instanceof AuditFormatError) return { ok: false, error: err };
    throw err;
  }
}

/**
 * Validates `value` with `schema` (the value itself is what callers keep: hashes cover its bytes as stored); the
 * first issue becomes an AuditFormatError naming its field.
 */
function checked(schema: z.ZodType, value: unknown, at: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const field = `${at}${issue.path.join('.')}` || at.replace(/\.$/, '');
  const message =
    issue.code === 'invalid_union' && issue.path.at(-1) === 'type'
      ? `unknown event type ${JSON.stringify((value as { type?: unknown }).type)} (field ${field})`
      : `${field || 'record'}: ${issue.message}`;
  throw new AuditFormatError(field, message);
}

// --- typed reading helpers (search, report, the CLI's table) -------------------------------------------------

type Identity = z.infer<typeof Identity>;

/** The decision an event records: policy decisions, query starts, approval requests. */
export function decisionOf(e: AuditEvent): AuditDecision | undefined {
  switch (e.type) {
    case 'policy.decision':
    case 'query.start':
    case 'approval.requested':
      return e.decision;
    default:
      return undefined;
  }
}

/** The query an event records: policy decisions, query starts, approval requests. */
export function queryOf(e: AuditEvent): AuditQuery | undefined {
  switch (e.type) {
    case 'policy.decision':
    case 'query.start':
    case 'approval.requested':
      return e.query;
    default:
      return undefined;
  }
}

/** The caller an event names, if it names one. */
export function principalOf(e: AuditEvent): AuditPrincipal | undefined {
  switch (e.type) {
    case 'mcp.request':
    case 'mcp.unauthenticated':
    case 'mcp.rejected':
    case 'policy.decision':
    case 'query.start':
    case 'query.end':
    case 'job.get':
    case 'job.cancel':
    case 'api.request':
      return e.principal;
    default:
      return undefined;
  }
}

/** Who caused an approval event: a principal or a Warden service. */
export function actorOf(e: AuditEvent): AuditPrincipal | { service: string } | undefined {
  return e.type.startsWith('approval.') ? (e as EventOf<'approval.refused'>).actor : undefined;
}

/**
 * The identities an event names: the caller and the person it acted for, the requester and the person they
 * asked for, the actor of an approval transition (a service actor is no identity).
 */
export function identitiesOf(e: AuditEvent): Identity[] {
  const principal = principalOf(e);
  const actor = actorOf(e);
  return [
    principal,
    principal?.onBehalfOf,
    e.type === 'approval.requested' ? e.requester : undefined,
    e.type === 'approval.requested' ? e.onBehalfOf : undefined,
    actor && 'subject' in actor ? (actor as Identity) : undefined,
    e.type === 'breakglass.reviewed' ? e.reviewer : undefined,
  ].filter((x): x is Identity => !!x);
}
