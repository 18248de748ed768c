// The error a KMS stand-in handler throws to answer a call with a specific gRPC status.

import { status } from '@grpc/grpc-js';

/** A failure to report to the client as gRPC status `code` with `message` as the details. */
export class KmsRpcError extends Error {
  readonly code: status;
  constructor(code: status, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** INVALID_ARGUMENT: the request itself is wrong (bad name, checksum, ciphertext, size). */
export function invalidArgument(message: string): KmsRpcError {
  return new KmsRpcError(status.INVALID_ARGUMENT, message);
}

/** NOT_FOUND: the named key or version does not exist. */
export function notFound(message: string): KmsRpcError {
  return new KmsRpcError(status.NOT_FOUND, message);
}

/** FAILED_PRECONDITION: the key exists but cannot serve this operation (e.g. wrong purpose). */
export function failedPrecondition(message: string): KmsRpcError {
  return new KmsRpcError(status.FAILED_PRECONDITION, message);
}
