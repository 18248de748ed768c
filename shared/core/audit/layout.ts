// Object names in the audit bucket: the one place they are built and read (writers, trail reader, verifier,
// console). Records and digests sit in hour folders, so a time range lists cheaply:
//
//   <prefix>streams/YYYY/MM/DD/HH/<stream>/<first seq, 12 digits>.jsonl   (HH: the hour the stream started)
//   <prefix>digests/YYYY/MM/DD/HH/<digest stream>/<seq, 12 digits>.json   (HH: the hour the digest was written)
//   <prefix>checkpoints/YYYY/MM/DD/HH/<stream>/<size, 12 digits>-<n, 6 digits>.checkpoint
//                                           (HH: the hour the checkpoint was written; n counts the stream's checkpoints)
//
// Anything else under the prefix is outside the layout: readers skip it and `verifyTrail` reports it.
//
// Writers start a new stream at least every hour, so all of a stream's records lie within an hour of the
// time in its folder name.

/** The object-name prefix Warden writes under inside the audit bucket, unless configured otherwise. */
export const DEFAULT_PREFIX = 'v1/';

/** The object kinds' folders. */
export type ObjectKind = 'streams' | 'digests' | 'checkpoints';

/** Every kind, in the order a reader lists them. */
export const OBJECT_KINDS: readonly ObjectKind[] = ['streams', 'digests', 'checkpoints'];

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

/**
 * Name of a checkpoint object: the `n`th checkpoint (from 0) of `stream`, of tree size `size`, written at `time`.
 * The size is in the name so a writer learns the other writers' newest sizes from a listing alone.
 */
export function checkpointObjectName(
  prefix: string,
  time: Date,
  stream: string,
  size: number,
  n: number,
): string {
  return `${kindPrefix(prefix, 'checkpoints')}${hourFolder(time)}/${stream}/${pad(size, 12)}-${pad(n, 6)}.checkpoint`;
}

/** The folder holding every object of a kind: `<prefix>streams/`, `<prefix>digests/` or `<prefix>checkpoints/`. */
export function kindPrefix(prefix: string, kind: ObjectKind): string {
  return `${prefix}${kind}/`;
}

/** True when `name` is a record object (JSON Lines of records) written by `recordObjectName`. */
export function isRecordObject(name: string): boolean {
  return parseObjectName(name)?.kind === 'records';
}

/** What an object name says: its kind, its hour folder (as a time) and its stream. */
export interface ParsedName {
  kind: 'records' | 'digest' | 'checkpoint';
  hour: Date;
  stream: string;
  /** Checkpoints only: the tree size and the checkpoint's number in its stream. */
  size?: number;
  n?: number;
}

const FOLDER = String.raw`(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([A-Za-z0-9._-]+)\/`;
const NAMES = {
  records: new RegExp(String.raw`^streams\/${FOLDER}\d{12}\.jsonl$`),
  digest: new RegExp(String.raw`^digests\/${FOLDER}\d{12}\.json$`),
  checkpoint: new RegExp(String.raw`^checkpoints\/${FOLDER}(\d{12})-(\d{6})\.checkpoint$`),
} as const;

/**
 * Parses a name written by `recordObjectName`, `digestObjectName` or `checkpointObjectName` (under any prefix
 * ending in "/", or none); undefined for anything else: such an object is outside the layout.
 */
export function parseObjectName(name: string): ParsedName | undefined {
  for (const kind of ['records', 'digest', 'checkpoint'] as const) {
    const folder = kind === 'records' ? 'streams/' : kind === 'digest' ? 'digests/' : 'checkpoints/';
    const at = name.startsWith(folder) ? 0 : name.lastIndexOf(`/${folder}`) + 1;
    if (at === 0 && !name.startsWith(folder)) continue;
    const m = NAMES[kind].exec(name.slice(at));
    if (!m) continue;
    const [, y, mo, d, h, stream, size, n] = m;
    return {
      kind,
      hour: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h))),
      stream: stream!,
      ...(kind === 'checkpoint' ? { size: Number(size), n: Number(n) } : {}),
    };
  }
  return undefined;
}

/** The kind of object each folder holds. */
const KIND_OF_FOLDER: Record<ObjectKind, ParsedName['kind']> = {
  streams: 'records',
  digests: 'digest',
  checkpoints: 'checkpoint',
};

/**
 * True when `name` lies under `prefix` and is a name the layout writes, of the kind its folder holds (a record
 * object's name nested inside the digests folder, `v1/digests/x/streams/…`, is not a digest nor a record).
 */
export function isInLayout(prefix: string, name: string): boolean {
  if (!name.startsWith(prefix)) return false;
  const rest = name.slice(prefix.length);
  const folder = OBJECT_KINDS.find((k) => rest.startsWith(`${k}/`));
  return folder !== undefined && parseObjectName(rest)?.kind === KIND_OF_FOLDER[folder];
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
    parsed.kind === 'records' ? 'streams' : parsed.kind === 'digest' ? 'digests' : 'checkpoints',
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
