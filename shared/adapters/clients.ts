// Construction of the official Google clients, pointed at Google or, for local runs, at loopback stand-ins.
// Production leaves every endpoint unset. Each client module is imported lazily, so a function pays for a
// client library only when it uses it.

import type { BigQuery } from '@google-cloud/bigquery';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { Storage } from '@google-cloud/storage';

/** Cloud KMS client; `endpoint` (host:port) selects an insecure loopback stand-in. */
export async function createKmsClient(endpoint?: string): Promise<KeyManagementServiceClient> {
  const { KeyManagementServiceClient } = await import('@google-cloud/kms');
  if (!endpoint) return new KeyManagementServiceClient();
  const { credentials } = await import('@grpc/grpc-js');
  const i = endpoint.lastIndexOf(':');
  // sslCreds skips TLS and OAuth; an explicit universeDomain stops the client looking up default credentials.
  return new KeyManagementServiceClient({
    apiEndpoint: endpoint.slice(0, i),
    port: Number(endpoint.slice(i + 1)),
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  });
}

/** Cloud Storage client; `apiEndpoint` selects a loopback stand-in (no credentials are sent to it). */
export async function createStorageClient(projectId: string, apiEndpoint?: string): Promise<Storage> {
  const { Storage } = await import('@google-cloud/storage');
  return apiEndpoint ? new Storage({ projectId, apiEndpoint }) : new Storage({ projectId });
}

/** BigQuery client; `credentials` is a decrypted service-account key (omit for the runtime identity). */
export async function createBigQueryClient(
  projectId: string,
  apiEndpoint?: string,
  credentials?: { client_email: string; private_key: string },
): Promise<BigQuery> {
  const { BigQuery } = await import('@google-cloud/bigquery');
  return new BigQuery({
    projectId,
    ...(apiEndpoint ? { apiEndpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
}
