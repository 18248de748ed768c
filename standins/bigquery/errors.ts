// BigQuery's error model: HTTP code, reason and status, serialized as the v2 REST API's JSON error body.

/** An error the stand-in reports to the client in BigQuery's wire format. */
export class BigQueryError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: string;
  /** BigQuery's `location` for the error, e.g. `query` for SQL problems. */
  readonly location: string | undefined;
  constructor(code: number, reason: string, status: string, message: string, location?: string) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.location = location;
    this.name = 'BigQueryError';
  }
}

/** The `errorProto` shape used in job `status.errorResult` / `status.errors`. */
export interface ErrorProto {
  reason: string;
  message: string;
  location?: string;
}

/** 400 `invalidQuery`: the SQL does not parse, bind or is unsupported. */
export function invalidQuery(message: string): BigQueryError {
  return new BigQueryError(400, 'invalidQuery', 'INVALID_ARGUMENT', message, 'query');
}

/** 400 `invalid`: a malformed request. */
export function invalidRequest(message: string): BigQueryError {
  return new BigQueryError(400, 'invalid', 'INVALID_ARGUMENT', message);
}

/** 404 `notFound`: a project, dataset, table or job that does not exist. */
export function notFound(message: string): BigQueryError {
  return new BigQueryError(404, 'notFound', 'NOT_FOUND', message);
}

/** 409 `duplicate`: a job id that is already taken. */
export function duplicate(message: string): BigQueryError {
  return new BigQueryError(409, 'duplicate', 'ALREADY_EXISTS', message);
}

/** 400 `bytesBilledLimitExceeded`, as BigQuery words it. */
export function bytesBilledLimitExceeded(limit: bigint, required: bigint): BigQueryError {
  return new BigQueryError(
    400,
    'bytesBilledLimitExceeded',
    'INVALID_ARGUMENT',
    `Query exceeded limit for bytes billed: ${limit}. ${required} or higher required.`,
  );
}

/** Any thrown value as a BigQueryError; unknown errors become 500 `internalError`. */
export function asBigQueryError(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BigQueryError(500, 'internalError', 'INTERNAL', message);
}

/** The JSON body BigQuery sends with a non-2xx response. */
export function errorBody(err: BigQueryError): object {
  return {
    error: {
      code: err.code,
      message: err.message,
      errors: [errorProto(err)],
      status: err.status,
    },
  };
}

/** The error as it appears inside a job resource. */
export function errorProto(err: BigQueryError): ErrorProto {
  return {
    reason: err.reason,
    message: err.message,
    ...(err.location ? { location: err.location } : {}),
  };
}
