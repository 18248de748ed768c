// CRC32C integrity fields as Cloud KMS handles them: verify request checksums, compute response ones.

import { crc32c } from '../crc32c.ts';
import { invalidArgument } from './rpc-error.ts';

/** A `google.protobuf.Int64Value` as proto-loader decodes it (longs as strings) or a client sends it. */
export interface Int64Wrapper {
  value?: string | number | null;
}

/**
 * Checks `supplied` (the request's `*_crc32c` field) against `data`. Returns false when no checksum was
 * supplied, true when it matched, and throws INVALID_ARGUMENT when it did not, as Cloud KMS does.
 * `field` and `dataField` are the proto field names used in the error message.
 */
export function verifyChecksum(
  field: string,
  dataField: string,
  data: Uint8Array,
  supplied: Int64Wrapper | null | undefined,
): boolean {
  if (supplied === null || supplied === undefined) return false;
  if (String(supplied.value ?? '0') !== String(crc32c(data))) {
    throw invalidArgument(`The checksum in field ${field} did not match the data in field ${dataField}.`);
  }
  return true;
}

/** The CRC32C of `data` as the `Int64Value` a response carries (longs as decimal strings). */
export function checksumOf(data: Uint8Array): { value: string } {
  return { value: String(crc32c(data)) };
}
