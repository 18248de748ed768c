// Reading a trail back from the audit bucket (the sink port): for a time range, only the day folders that can
// hold it are listed, and objects are fetched a few at a time. The one reader: verify, reconcile, search, report,
// prove and witness (cli/audit/, over the bucket or a directory copy, cli/audit/trail-source.ts) and the console's
// request page all read through it.

import type { AuditSink } from '../../ports/audit-sink.ts';
import {
  DEFAULT_PREFIX,
  isInLayout,
  isInWindow,
  isRecordObject,
  kindPrefix,
  listingPrefixes,
  OBJECT_KINDS,
  type ObjectKind,
  type TimeRange,
} from './layout.ts';
import { AuditFormatError, type AuditRecord, parse } from './schema.ts';
import type { TrailObject } from './verify.ts';

/** What the reader needs of a sink: listing and reading (the console's read-only view of the bucket is one). */
export type TrailSource = Pick<AuditSink, 'list' | 'read'>;

export interface ReadTrailOptions {
  range?: TimeRange;
  /** The kinds of object to read (default every kind: records, digests and checkpoints). */
  kinds?: readonly ObjectKind[];
  /** Called with the names to be read, before any is: throwing here refuses a read that would be too large. */
  onListed?: (names: readonly string[]) => void;
  /** Object name prefix inside the bucket (default layout.ts DEFAULT_PREFIX, "v1/"). */
  prefix?: string;
  /** Objects fetched at once (default 16). */
  concurrency?: number;
  onProgress?: (read: number, total: number) => void;
}

export interface ReadTrail {
  objects: TrailObject[];
  /** True for names this read covered, so a digest entry outside it is not taken as a deleted object. */
  covers: (name: string) => boolean;
  /**
   * Names listed that the layout does not write (a forged object, say), never read: verifyTrail reports them.
   * An open range lists everything under the prefix; a range, everything in its day folders.
   */
  outsideLayout: string[];
}

/**
 * Lists and reads the record, digest and checkpoint objects (or only `kinds`) of a time range (everything when
 * the range is open).
 */
export async function readTrail(sink: TrailSource, options: ReadTrailOptions = {}): Promise<ReadTrail> {
  const range = options.range ?? {};
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const kinds = options.kinds ?? OBJECT_KINDS;
  const names: string[] = [];
  const ranged = kinds.map((kind) => listingPrefixes(prefix, kind, range));
  if (ranged.every((p) => p !== undefined))
    for (const p of ranged.flat()) names.push(...(await sink.list(p!)));
  // An open range lists the whole prefix (so what lies outside the layout is seen), or each wanted kind's folder.
  else if (OBJECT_KINDS.every((k) => kinds.includes(k))) names.push(...(await sink.list(prefix)));
  else for (const kind of kinds) names.push(...(await sink.list(kindPrefix(prefix, kind))));
  const outsideLayout = names.filter((n) => !isInLayout(prefix, n));
  const wanted = names.filter((n) => isInLayout(prefix, n) && isInWindow(n, range));
  options.onListed?.(wanted);
  const objects: TrailObject[] = new Array(wanted.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      objects[i] = { name: wanted[i]!, data: await sink.read(wanted[i]!) };
      options.onProgress?.(++done, wanted.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, wanted.length) }, worker));
  // Every object whose folder lies in the window was listed: one missing from the listing was deleted.
  return { objects, covers: (name) => isInWindow(name, range), outsideLayout };
}

/** A stored line that `parse` refused, where it is, and why. */
export interface RejectedLine {
  object: string;
  line: number;
  error: AuditFormatError;
}

/**
 * The records in trail objects, each read through `parse` (schema.ts), digests skipped. A line that is not a
 * record this build reads is left out and handed to `onRejected`: malformed lines are also verifyTrail's to
 * report, and an event type this build does not know is named there, so a reader can say what it skipped.
 */
export function recordsIn(
  objects: TrailObject[],
  onRejected: (rejected: RejectedLine) => void = () => {},
): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const o of objects) {
    if (!isRecordObject(o.name)) continue;
    for (const [i, line] of new TextDecoder().decode(o.data).split('\n').entries()) {
      if (!line) continue;
      try {
        out.push(parse(line));
      } catch (err) {
        if (!(err instanceof AuditFormatError)) throw err;
        onRejected({ object: o.name, line: i + 1, error: err });
      }
    }
  }
  return out;
}
