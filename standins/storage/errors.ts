// Cloud Storage JSON API errors: one error type plus factories whose messages mirror the real service.

/** An error the stand-in answers with, rendered in the GCS JSON error format. */
export class GcsError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly extra: Record<string, string>;
  constructor(status: number, reason: string, message: string, extra: Record<string, string> = {}) {
    super(message);
    this.name = 'GcsError';
    this.status = status;
    this.reason = reason;
    this.extra = extra;
  }
}

/** The JSON body for `err`: `{error:{code,message,errors:[{domain,reason,message}]}}`. */
export function errorBody(err: GcsError): { error: Record<string, unknown> } {
  return {
    error: {
      code: err.status,
      message: err.message,
      errors: [{ message: err.message, domain: 'global', reason: err.reason, ...err.extra }],
    },
  };
}

/** 404 for a bucket that does not exist. */
export function noSuchBucket(): GcsError {
  return new GcsError(404, 'notFound', 'The specified bucket does not exist.');
}

/** 404 for an object (or object generation) that does not exist. */
export function noSuchObject(bucket: string, name: string): GcsError {
  return new GcsError(404, 'notFound', `No such object: ${bucket}/${name}`);
}

/** 412 when an `if*Match` precondition does not hold. */
export function conditionNotMet(location = 'If-Match'): GcsError {
  return new GcsError(
    412,
    'conditionNotMet',
    'At least one of the pre-conditions you specified did not hold.',
    {
      locationType: 'header',
      location,
    },
  );
}

/** 403 when an object is still under its bucket's retention period. */
export function retentionNotMet(bucket: string, name: string, until: Date): GcsError {
  return new GcsError(
    403,
    'retentionPolicyNotMet',
    `Object '${bucket}/${name}' is subject to bucket's retention policy or object retention and cannot be ` +
      `deleted or overwritten until ${until.toISOString()}`,
  );
}

/** 400 for a malformed or invalid request. */
export function invalid(message: string): GcsError {
  return new GcsError(400, 'invalid', message);
}

/** 400 for a missing required parameter. */
export function required(parameter: string): GcsError {
  return new GcsError(400, 'required', `Required parameter: ${parameter}`);
}

/** 403 for an operation the resource's state forbids. */
export function forbidden(message: string): GcsError {
  return new GcsError(403, 'forbidden', message);
}

/** 409 for a conflict with existing state. */
export function conflict(message: string): GcsError {
  return new GcsError(409, 'conflict', message);
}

/** 404 for a request path or method the stand-in does not serve. */
export function notServed(method: string, path: string): GcsError {
  return new GcsError(404, 'notFound', `Not served by the Cloud Storage stand-in: ${method} ${path}`);
}
