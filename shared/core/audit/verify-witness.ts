// `warden audit verify --witness-key`: the trail's checkpoints against what a witness cosigned. The witness
// (witness.ts, `warden audit witness`) keeps the newest checkpoint it cosigned per stream; a trail that someone
// holding the audit key and the bucket rewrote cannot match it. Per stream:
// - the newest checkpoint in the trail must carry a valid cosignature by the witness (quorum of its keys):
//   else `unwitnessed` (the witness has not seen it yet, or was shown another history);
// - a cosigned checkpoint larger than anything in the trail means the trail was rolled back: `rollback`;
// - a cosigned checkpoint whose size the trail has with another root means two histories: `fork`;
// - a cosigned stream the trail does not have at all was deleted: `stream-missing`.
// Checkpoints match by origin, size and root hash, not note text: heartbeats re-sign one size with a new time.

import { parseCheckpoint, parseNote } from './note.ts';
import type { Problem } from './problem.ts';
import type { CheckedCheckpoint } from './verify-checkpoints.ts';
import { type CheckWitnessedOptions, type CosignerKey, checkWitnessed } from './witness.ts';

/** One note the witness stored (its file name, for messages). */
export interface CosignedNote {
  name: string;
  note: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Checks the trail's verified checkpoints against the witness's cosigned notes. Notes that do not carry a
 * valid quorum of `keys` are ignored (as if absent), so a forged witness file can only cause `unwitnessed`.
 */
export function verifyWitnessed(
  checkpoints: readonly CheckedCheckpoint[],
  cosigned: readonly CosignedNote[],
  keys: readonly CosignerKey[],
  options: CheckWitnessedOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  /** Per origin: size -> root (hex) of what the witness cosigned, and the file that said so. */
  const witnessed = new Map<string, Map<number, { root: string; name: string }>>();
  for (const c of cosigned) {
    if (!checkWitnessed(c.note, keys, options).ok) continue;
    let body: ReturnType<typeof parseCheckpoint>;
    try {
      body = parseCheckpoint(parseNote(c.note).text);
    } catch {
      continue;
    }
    const sizes = witnessed.get(body.origin) ?? new Map();
    sizes.set(body.size, { root: hex(body.rootHash), name: c.name });
    witnessed.set(body.origin, sizes);
  }
  const byOrigin = new Map<string, CheckedCheckpoint[]>();
  for (const c of checkpoints) byOrigin.set(c.origin, [...(byOrigin.get(c.origin) ?? []), c]);
  for (const [origin, list] of byOrigin) {
    const newest = list.reduce((a, b) => (b.size > a.size ? b : a));
    const sizes = witnessed.get(origin);
    if (sizes?.get(newest.size)?.root !== hex(newest.rootHash))
      problems.push({
        kind: 'unwitnessed',
        object: newest.object,
        stream: newest.stream,
        detail: `the newest checkpoint of ${origin} (size ${newest.size}) carries no valid cosignature by ${keys.length === 1 ? 'the witness' : `${options.quorum ?? 1} of the witnesses`}: run the witness, or the trail is not the history it saw`,
      });
    for (const [size, w] of sizes ?? []) {
      if (size > newest.size)
        problems.push({
          kind: 'rollback',
          object: w.name,
          stream: newest.stream,
          detail: `the witness cosigned ${origin} at size ${size}, but the trail's newest checkpoint has size ${newest.size}: the trail was rolled back`,
        });
      const same = list.find((c) => c.size === size);
      if (same && hex(same.rootHash) !== w.root)
        problems.push({
          kind: 'fork',
          object: same.object,
          stream: same.stream,
          detail: `the witness cosigned ${origin} at size ${size} with another root hash: two histories of one log`,
        });
    }
  }
  for (const [origin, sizes] of witnessed)
    if (!byOrigin.has(origin)) {
      const [size, w] = [...sizes].reduce((a, b) => (b[0] > a[0] ? b : a));
      problems.push({
        kind: 'stream-missing',
        object: w.name,
        detail: `the witness cosigned ${origin} at size ${size}, and the trail has no checkpoint of it: the stream was deleted`,
      });
    }
  return problems;
}
