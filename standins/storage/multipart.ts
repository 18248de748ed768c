// Parser for `uploadType=multipart` bodies: multipart/related with a JSON metadata part and a media part.

import { invalid } from './errors.ts';

/** The two parts of a multipart upload. */
export interface MultipartUpload {
  metadata: Record<string, unknown>;
  media: Buffer;
  mediaContentType?: string;
}

/** One MIME part: its headers (lower-cased names) and body bytes. */
interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

/** Splits a `multipart/related` body into its metadata (JSON) and media parts. */
export function parseMultipartUpload(contentType: string | undefined, body: Buffer): MultipartUpload {
  const boundary = boundaryOf(contentType);
  const parts = splitParts(body, boundary);
  const [metadataPart, mediaPart] = parts;
  if (parts.length !== 2 || !metadataPart || !mediaPart) {
    throw invalid(`Multipart upload must have exactly 2 parts, found ${parts.length}.`);
  }
  return {
    metadata: parseMetadata(metadataPart.body),
    media: mediaPart.body,
    mediaContentType: mediaPart.headers.get('content-type'),
  };
}

/** The `boundary` parameter of a multipart Content-Type (quoted or not). */
export function boundaryOf(contentType: string | undefined): string {
  if (!contentType || !/^multipart\/related\s*(;|$)/i.test(contentType)) {
    throw invalid(`Multipart upload needs Content-Type multipart/related, got ${contentType ?? 'none'}.`);
  }
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw invalid('Multipart upload Content-Type has no boundary.');
  return boundary;
}

/** Splits `body` at `--boundary` delimiter lines (RFC 2046), ignoring preamble and epilogue. */
function splitParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalid('Multipart body does not contain its boundary.');
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return parts;
    const partStart = skipLineEnd(body, afterDelimiter);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), partStart);
    if (next < 0) throw invalid('Multipart body is not terminated by its closing boundary.');
    parts.push(parsePart(body.subarray(partStart, next)));
    at = next + 2;
  }
}

function skipLineEnd(body: Buffer, at: number): number {
  let i = at;
  while (body[i] === 0x20 || body[i] === 0x09) i++; // transport padding
  if (body[i] === 0x0d && body[i + 1] === 0x0a) return i + 2;
  throw invalid('Malformed multipart boundary line.');
}

function parsePart(raw: Buffer): Part {
  if (raw.subarray(0, 2).toString() === '\r\n') return { headers: new Map(), body: raw.subarray(2) };
  const headerEnd = raw.indexOf('\r\n\r\n');
  const headerText = headerEnd < 0 ? raw.toString('latin1') : raw.subarray(0, headerEnd).toString('latin1');
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: headerEnd < 0 ? Buffer.alloc(0) : raw.subarray(headerEnd + 4) };
}

function parseMetadata(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('Multipart metadata part is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Multipart metadata part must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
