// The result store the functions use: Firestore documents, and the results bucket for large results when one
// is configured (RESULTS_BUCKET). Composition only: each adapter it combines wraps one client.

import type { Firestore } from '@google-cloud/firestore';
import type { Bucket } from '@google-cloud/storage';
import { TieredResultStore } from '../core/execution/tiered-results.ts';
import type { ApprovalStore, ResultStore } from '../ports/approval-store.ts';
import { withDeadline } from './deadline.ts';
import { FirestoreApprovalStore, FirestoreResultStore } from './firestore/approval-store.ts';
import { lazyPort } from './lazy.ts';
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

/**
 * The approval request store and the result store of a function, each created on first use from the client
 * factories (so a cold start loads neither Firestore nor Cloud Storage).
 */
export function lazyApprovalStores(
  clients: { firestore: () => Promise<Firestore>; storage: () => Promise<{ bucket(name: string): Bucket }> },
  resultsBucket: string | undefined,
  deadlineMs: number,
): { store: ApprovalStore; results: ResultStore } {
  return {
    store: withDeadline(
      lazyPort(async () => new FirestoreApprovalStore(await clients.firestore())),
      deadlineMs,
      'Firestore',
    ),
    results: lazyPort(async () =>
      resultStore(
        await clients.firestore(),
        resultsBucket ? (await clients.storage()).bucket(resultsBucket) : undefined,
        deadlineMs,
      ),
    ),
  };
}
