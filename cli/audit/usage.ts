// The usage text and options of `warden audit prove` and `warden audit check-proof`, in a module of their own so
// `warden audit --help` lists them without loading the proof code (cli/audit/proof.ts).

export const PROVE_USAGE = `  audit prove --request ID [--out DIR] [--from T --to T]
            Write a receipt (c2sp.org/tlog-proof@v1) for every record of request ID: its inclusion proof against
            the newest checkpoint of its stream that covers it, the record and the checkpoint, one file per record
            (DIR/<request>-<stream>-<seq>.tlog-proof, default DIR .). Fails naming a record no checkpoint covers.`;

export const CHECK_PROOF_USAGE = `  audit check-proof FILE [--record RECORD_FILE] --public-key kms.pem
            Verify a receipt (c2sp.org/tlog-proof@v1) offline: the checkpoint's signature by the audit key, then
            the inclusion proof from the record to the checkpoint's root. The record is RECORD_FILE (its line as
            stored; one final newline is ignored) or, without --record, the one the proof carries. --public-key
            is the KMS public key (PEM), or a file of C2SP verifier keys (name+id+key, one a line). Prints one
            line, OK or FAILED with the reason; exit 0 or 1.`;

/** The options `warden audit check-proof` takes. */
export const CHECK_PROOF_OPTIONS = {
  record: { type: 'string' },
  'public-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
