// GrantLedger on Firestore (official @google-cloud/firestore client): one document per used grant, created
// (never overwritten), so a second use of the same grant on any executor instance fails.

import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { GrantLedger } from '../../ports/grant-ledger.ts';

/** The collection; a TTL policy on `expiresAt` deletes spent grants (Terraform sets it). */
export const GRANTS_COLLECTION = 'executionGrants';

export class FirestoreGrantLedger implements GrantLedger {
  readonly #db: Firestore;
  readonly #collection: string;
  constructor(db: Firestore, collection = GRANTS_COLLECTION) {
    this.#db = db;
    this.#collection = collection;
  }

  async useOnce(id: string, expiresAt: Date): Promise<boolean> {
    // Document ids have a restricted alphabet and length: the id's hash is one.
    const docId = createHash('sha256').update(id).digest('hex');
    try {
      await this.#db.collection(this.#collection).doc(docId).create({ expiresAt, usedAt: new Date() });
      return true;
    } catch (err) {
      // gRPC ALREADY_EXISTS: the grant was used before.
      if ((err as { code?: number }).code === 6) return false;
      throw err;
    }
  }
}
