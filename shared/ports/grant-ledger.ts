// Port: which execution grants were used, so each one runs at most once (a replayed grant runs nothing).

/** A ledger of used grants. */
export interface GrantLedger {
  /** Records grant `id` as used, kept until `expiresAt`; resolves false when it was used before. */
  useOnce(id: string, expiresAt: Date): Promise<boolean>;
}
