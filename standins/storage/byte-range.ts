// HTTP Range (download) and Content-Range (resumable upload) header parsing.

import { invalid } from './errors.ts';

/** An inclusive byte range within an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The range a `Range: bytes=…` header selects in an object of `size` bytes: undefined for no (or an
 * unparseable) header, which means the whole object, and 'unsatisfiable' for a range outside it.
 * Supports `a-b`, `a-` and the tail form `-n`; multiple ranges are not supported (whole object).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return tailRange(Number(last), size);
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function tailRange(length: number, size: number): ByteRange | 'unsatisfiable' {
  if (length === 0 || size === 0) return 'unsatisfiable';
  return { start: Math.max(0, size - length), end: size - 1 };
}

/** A resumable upload request's `Content-Range`, as the client library sends it. */
export interface UploadRange {
  /** First byte offset of this request's body; undefined for a status query (`bytes *\/…`). */
  start?: number;
  /** Total object size, when the client declares it. */
  total?: number;
  /** True when the client says this request completes the object (its total, or an open `a-*` end). */
  isFinal: boolean;
}

/**
 * Parses `Content-Range: bytes a-b/total`, `bytes a-*\/total`, `bytes *\/total`, each total possibly `*`.
 * The client library sends `bytes 0-*\/*` for a single-request upload of unknown size: an open end
 * means this body is the rest of the object. A missing header means the body is the whole object.
 */
export function parseUploadRange(header: string | undefined, bodyLength: number): UploadRange {
  if (header === undefined) return { start: 0, total: bodyLength, isFinal: true };
  const match = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw invalid(`Invalid Content-Range header: ${header}`);
  const [, startText, endText, totalText] = match;
  const total = totalText === '*' || totalText === undefined ? undefined : Number(totalText);
  if (startText === undefined) return { total, isFinal: total !== undefined };
  const start = Number(startText);
  if (endText === '*' || endText === undefined) return { start, total, isFinal: true };
  const end = Number(endText);
  if (end - start + 1 !== bodyLength) {
    throw invalid(`Content-Range ${header} does not match a body of ${bodyLength} bytes.`);
  }
  return { start, total, isFinal: total !== undefined && end + 1 === total };
}
