// Object names in the audit bucket: the one place they are built and read (writers, trail reader, verifier,
// console). Records and digests sit in hour folders, so a time range lists cheaply:
//
//   <prefix>streams/YYYY/MM/DD/HH/<stream>/<first seq, 12 digits>.jsonl   (HH: the hour the stream started)
//   <prefix>digests/YYYY/MM/DD/HH/<digest stream>/<seq, 12 digits>.json   (HH: the hour the digest was written)
//
// Writers start a new stream at least every hour, so all of a stream's records lie within an hour of the
// time in its folder name.

/** The object-name prefix Warden writes under inside the audit bucket, unless configured otherwise. */
export const DEFAULT_PREFIX = 'v1/';

/** The two object kinds' folders. */
export type ObjectKind = 'streams' | 'digests';

/** How long after its objects a digest may be written (a range's digests are looked for this long after it). */
const DIGEST_SLACK_MS = 24 * 60 * 60 * 1000;

/** Longest a writer keeps one record stream before starting the next. */
export const STREAM_MAX_AGE_MS = 60 * 60 * 1000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY/MM/DD/HH` (UTC) of a time. */
export function hourFolder(t: Date): string {
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
}

/** Name of the record object holding a stream's records from `firstSeq`. */
export function recordObjectName(
  prefix: string,
  streamStart: Date,
  stream: string,
  firstSeq: number,
): string {
  return `${kindPrefix(prefix, 'streams')}${hourFolder(streamStart)}/${stream}/${pad(firstSeq, 12)}.jsonl`;
}

/** Name of a digest object. */
export function digestObjectName(prefix: string, time: Date, digestStream: string, seq: number): string {
  return `${kindPrefix(prefix, 'digests')}${hourFolder(time)}/${digestStream}/${pad(seq, 12)}.json`;
}

/** The folder holding every object of a kind: `<prefix>streams/` or `<prefix>digests/`. */
export function kindPrefix(prefix: string, kind: ObjectKind): string {
  return `${prefix}${kind}/`;
}

/** True when `name` is a record object (JSON Lines of records) written by `recordObjectName`. */
export function isRecordObject(name: string): boolean {
  return parseObjectName(name)?.kind === 'records';
}

/** What an object name says: record or digest, its hour folder (as a time) and its stream. */
export interface ParsedName {
  kind: 'records' | 'digest';
  hour: Date;
  stream: string;
}

const NAME = /(?:^|\/)(streams|digests)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)\/\d{12}\.jsonl?$/;

/** Parses a name written by `recordObjectName` or `digestObjectName`; undefined for anything else. */
export function parseObjectName(name: string): ParsedName | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, kind, y, mo, d, h, stream] = m;
  return {
    kind: kind === 'streams' ? 'records' : 'digest',
    hour: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h))),
    stream: stream!,
  };
}

/** A time range; either end may be open. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

/**
 * The listing prefixes (one per UTC day) that cover a range, for `kind`. Record folders are widened by one
 * stream lifetime before `from`; digest folders by `digestSlackMs` after `to`, since a digest follows the
 * objects it lists. Undefined when the range is open (list everything under the kind's folder).
 */
export function listingPrefixes(
  prefix: string,
  kind: ObjectKind,
  range: TimeRange,
  digestSlackMs = DIGEST_SLACK_MS,
): string[] | undefined {
  if (!range.from || !range.to) return undefined;
  const { start, end } = folderWindow(kind, range, digestSlackMs);
  const out: string[] = [];
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (; day <= end; day.setUTCDate(day.getUTCDate() + 1))
    out.push(
      `${kindPrefix(prefix, kind)}${day.getUTCFullYear()}/${pad(day.getUTCMonth() + 1)}/${pad(day.getUTCDate())}/`,
    );
  return out;
}

/** True when an object's hour folder may hold records (or digests) of the range. */
export function isInWindow(name: string, range: TimeRange, digestSlackMs = DIGEST_SLACK_MS): boolean {
  const parsed = parseObjectName(name);
  if (!parsed) return false;
  const { start, end } = folderWindow(
    parsed.kind === 'records' ? 'streams' : 'digests',
    range,
    digestSlackMs,
  );
  return parsed.hour >= start && parsed.hour <= end;
}

function folderWindow(kind: ObjectKind, range: TimeRange, digestSlackMs: number) {
  const hour = (t: number) => new Date(Math.floor(t / 3_600_000) * 3_600_000);
  const from = range.from?.getTime() ?? 0;
  const to = range.to?.getTime() ?? 8.64e15;
  return kind === 'streams'
    ? { start: hour(from - STREAM_MAX_AGE_MS), end: hour(to) }
    : { start: hour(from), end: hour(Math.min(to + digestSlackMs, 8.64e15)) };
}
