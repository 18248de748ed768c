// Reading a trail back from the audit bucket (the sink port): for a time range, only the day folders that can
// hold it are listed, and objects are fetched a few at a time.

import type { AuditSink } from '../../ports/audit-sink.ts';
import { isInWindow, listingPrefixes, parseObjectName, type TimeRange } from './layout.ts';
import type { AuditRecord } from './record.ts';
import { parseRecord, type TrailObject } from './verify.ts';

export interface ReadTrailOptions {
  range?: TimeRange;
  /** Object name prefix inside the bucket (default "v1/"). */
  prefix?: string;
  /** Objects fetched at once (default 16). */
  concurrency?: number;
  onProgress?: (read: number, total: number) => void;
}

export interface ReadTrail {
  objects: TrailObject[];
  /** True for names this read covered, so a digest entry outside it is not taken as a deleted object. */
  covers: (name: string) => boolean;
}

/** Lists and reads the record and digest objects of a time range (everything when the range is open). */
export async function readTrail(sink: AuditSink, options: ReadTrailOptions = {}): Promise<ReadTrail> {
  const range = options.range ?? {};
  const prefix = options.prefix ?? 'v1/';
  const names: string[] = [];
  for (const kind of ['streams', 'digests'] as const) {
    const prefixes = listingPrefixes(prefix, kind, range) ?? [`${prefix}${kind}/`];
    for (const p of prefixes) names.push(...(await sink.list(p)));
  }
  const wanted = names.filter((n) => isInWindow(n, range));
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
  return { objects, covers: (name) => isInWindow(name, range) };
}

/** The records in trail objects (digests skipped; lines that are not records are verifyTrail's to report). */
export function recordsIn(objects: TrailObject[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const o of objects) {
    if (parseObjectName(o.name)?.kind !== 'records') continue;
    for (const line of new TextDecoder().decode(o.data).split('\n')) {
      const record = line ? parseRecord(line) : undefined;
      if (record) out.push(record);
    }
  }
  return out;
}
