// The result store the functions use: Firestore documents, and the results bucket for large results when one
// is configured (RESULTS_BUCKET). Composition only: each adapter it combines wraps one client.

import type { Firestore } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import { TieredResultStore } from '../core/execution/tiered-results.ts';
import type { ResultStore } from '../ports/approval-store.ts';
import { withDeadline } from './deadline.ts';
import { FirestoreResultStore } from './firestore/approval-store.ts';
import { GcsResultBlobs } from './storage/result-blobs.ts';

/** Every call fails closed after `deadlineMs`. */
export function resultStore(
  firestore: Firestore,
  resultsBucket: Bucket | undefined,
  deadlineMs: number,
): ResultStore {
  const documents = withDeadline(new FirestoreResultStore(firestore), deadlineMs, 'Firestore');
  if (!resultsBucket) return documents;
  return new TieredResultStore(
    documents,
    withDeadline(new GcsResultBlobs(resultsBucket), deadlineMs, 'Cloud Storage'),
  );
}
