// What verifyTrail reports: one kind per way a trail can be wrong (docs/audit-format.md lists them).

export type ProblemKind =
  | 'unparseable' // a line is not a record
  | 'bad-certificate' // the stream's key is not certified by the KMS key
  | 'missing-start' // the stream does not open with a certified stream.start record
  | 'bad-signature' // a record was modified (or forged) after signing
  | 'unsigned' // a record carries no signature: it was stripped, or the record was forged
  | 'broken-link' // prev does not match the previous record's hash: inserted, replaced or modified
  | 'missing' // sequence numbers skip: records were removed
  | 'reordered' // sequence numbers go backwards
  | 'duplicate' // the same sequence number appears twice
  | 'misplaced' // a record sits in an object whose name does not match its stream or position
  | 'bad-digest' // a digest is unreadable or its KMS signature does not verify: it was altered or forged
  | 'digest-chain' // digests of one writer skip, repeat, go backwards or do not link: a digest was removed
  | 'object-missing' // a digest lists an object that is not in the bucket: the object was deleted
  | 'object-altered' // an object's bytes differ from what its digest recorded
  | 'truncated' // a stream ends before the last record a digest or checkpoint recorded for it
  | 'checkpoint-forged' // a checkpoint is unreadable, its KMS signature does not verify, or its name lies
  | 'record-altered' // the records read do not hash to the root a valid checkpoint signed
  | 'fork' // two checkpoints of a stream of one size with different roots, or one that does not extend the last
  | 'rollback' // a stream's checkpoint is smaller than the one before it
  | 'checkpoint-missing' // a checkpoint names a stream at a size none of its checkpoints present reaches
  | 'stream-missing' // a checkpoint names a stream of which nothing is left: a whole writer was deleted
  | 'stale' // a writer that did not close signed nothing within its heartbeat before the verification time
  | 'outside-layout' // an object under the prefix whose name the layout does not write (never read)
  | 'empty' // a whole-trail verification found no audit object: the wrong bucket, directory or prefix, or a trail deleted whole
  | 'unwitnessed'; // verify --witness-key: a stream's newest checkpoint carries no valid cosignature of the witness

export interface Problem {
  kind: ProblemKind;
  object: string;
  stream?: string;
  seq?: number;
  detail: string;
}
