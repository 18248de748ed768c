// Execution grants for what calls a local executor directly (emulator tests, benches): signed as the gateway
// signs them, with an instance key the local KMS stand-in certifies under the audit signing key.

import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { createInstanceSigner } from '../shared/core/audit/signing-key.ts';
import { type GrantSigner, issueGrant, type SignedGrant } from '../shared/core/execution/grant.ts';
import type { ExecutionRequest } from '../shared/ports/query-runner.ts';
import { KEYS } from './stack.ts';

const signers = new Map<string, Promise<GrantSigner>>();

/** A grant signer certified by the KMS stand-in at `kmsEndpoint` (one KMS call per endpoint). */
export function localGrantSigner(kmsEndpoint: string): Promise<GrantSigner> {
  let signer = signers.get(kmsEndpoint);
  if (!signer) {
    signer = (async () => {
      const keys = new KmsKeyService(await createKmsClient(kmsEndpoint));
      const s = await createInstanceSigner(keys, KEYS.auditSigningVersion, 'gateway', new Date());
      return {
        attest: async (bytes: Uint8Array) => ({ signature: s.sign(bytes), certificate: s.certificate }),
      };
    })();
    signers.set(kmsEndpoint, signer);
  }
  return signer;
}

/** `request` as a grant the local executor accepts. */
export async function localGrant(kmsEndpoint: string, request: ExecutionRequest): Promise<SignedGrant> {
  return issueGrant(await localGrantSigner(kmsEndpoint), request, new Date());
}
