// The official Cloud KMS client (gRPC), pointed at Google or at the loopback stand-in: for the CLI and the dev
// tools. The functions call KMS over REST (rest.ts) and must not import this module: its import of
// @google-cloud/kms would put google-gax, gRPC and the KMS protos in their bundles.

import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { named } from '../clients.ts';

/** Cloud KMS client; `endpoint` (host:port) selects an insecure loopback stand-in. */
export async function createKmsClient(endpoint?: string): Promise<KeyManagementServiceClient> {
  const KeyManagementServiceClient = named(await import('@google-cloud/kms'), 'KeyManagementServiceClient');
  if (!endpoint) return new KeyManagementServiceClient();
  const credentials = named(await import('@grpc/grpc-js'), 'credentials');
  const i = endpoint.lastIndexOf(':');
  // sslCreds skips TLS and OAuth; an explicit universeDomain stops the client looking up default credentials.
  return new KeyManagementServiceClient({
    apiEndpoint: endpoint.slice(0, i),
    port: Number(endpoint.slice(i + 1)),
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  });
}
