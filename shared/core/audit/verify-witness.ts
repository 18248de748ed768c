// `warden audit verify --witness-key`: the trail's checkpoints against what a witness cosigned. The witness
// (witness.ts, `warden audit witness`) keeps the newest checkpoint it cosigned per stream; a trail that someone
// holding the audit key and the bucket rewrote cannot match it. Per stream:
// - the newest checkpoint in the trail must carry a valid cosignature by the witness (quorum of its keys):
//   else `unwitnessed` (the witness has not seen it yet, or was shown another history);
// - a cosigned checkpoint larger than anything in the trail means the trail was rolled back: `rollback`;
// - a cosigned checkpoint whose size the trail has with another root means two histories: `fork`;
// - a cosigned stream the trail does not have at all was deleted: `stream-missing`.
// Checkpoints match by origin, size and root hash, not note text: heartbeats re-sign one size with a new time.

import { isSameTree, newestCheckpoints, type TreeHead } from './checkpoint.ts';
import { parseCheckpoint, parseNote } from './note.ts';
import type { Problem } from './problem.ts';
import type { CheckedCheckpoint } from './verify-checkpoints.ts';
import { type CheckWitnessedOptions, type CosignerKey, checkWitnessed } from './witness.ts';

/** One note the witness stored (its file name, for messages). */
export interface CosignedNote {
  name: string;
  note: string;
}

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
  /** Per origin: size -> the tree the witness cosigned at that size, and the file that said so. */
  const witnessed = new Map<string, Map<number, { tree: TreeHead; name: string }>>();
  for (const c of cosigned) {
    if (!checkWitnessed(c.note, keys, options).ok) continue;
    let tree: TreeHead;
    try {
      tree = parseCheckpoint(parseNote(c.note).text);
    } catch {
      continue;
    }
    const sizes = witnessed.get(tree.origin) ?? new Map();
    sizes.set(tree.size, { tree, name: c.name });
    witnessed.set(tree.origin, sizes);
  }
  const byOrigin = new Map<string, CheckedCheckpoint[]>();
  for (const c of checkpoints) byOrigin.set(c.origin, [...(byOrigin.get(c.origin) ?? []), c]);
  const newestOf = newestCheckpoints(checkpoints, (c) => c.origin);
  for (const [origin, list] of byOrigin) {
    const newest = newestOf.get(origin)!;
    const sizes = witnessed.get(origin);
    const cosignedNewest = sizes?.get(newest.size);
    if (!cosignedNewest || !isSameTree(cosignedNewest.tree, newest))
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
      if (same && !isSameTree(same, w.tree))
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
