// Construction of the official Google clients, pointed at Google or, for local runs, at loopback stand-ins.
// Production leaves every endpoint unset. Each client module is imported lazily, so a function pays for a
// client library only when it uses it. The official Cloud KMS client is in kms/client.ts: only the CLI and the dev
// tools use it (the functions call KMS over REST, kms/rest.ts), and a dynamic import here would still put it in
// the functions' bundles.

import type { BigQuery } from '@google-cloud/bigquery';
import type { Storage } from '@google-cloud/storage';

/** Cloud Storage client; `apiEndpoint` selects a loopback stand-in (no credentials are sent to it). */
export async function createStorageClient(projectId: string, apiEndpoint?: string): Promise<Storage> {
  const Storage = named(await import('@google-cloud/storage'), 'Storage');
  return apiEndpoint ? new Storage({ projectId, apiEndpoint }) : new Storage({ projectId });
}

/**
 * BigQuery client. With `credentials` (a decrypted service-account key) requests carry a self-signed JWT
 * (JWT access with scope, signed in memory: no token exchange, no key on disk); without, the runtime's own
 * identity (metadata server) is used.
 */
export async function createBigQueryClient(
  projectId: string,
  apiEndpoint?: string,
  credentials?: { client_email: string; private_key: string },
): Promise<BigQuery> {
  const BigQuery = named(await import('@google-cloud/bigquery'), 'BigQuery');
  let authClient: InstanceType<typeof import('google-auth-library').JWT> | undefined;
  if (credentials) {
    const JWT = named(await import('google-auth-library'), 'JWT');
    authClient = new JWT({
      email: credentials.client_email,
      key: credentials.private_key,
      scopes: ['https://www.googleapis.com/auth/bigquery'],
    });
    authClient.useJWTAccessWithScope = true;
  }
  return new BigQuery({
    projectId,
    ...(apiEndpoint ? { apiEndpoint } : {}),
    ...(authClient ? { authClient } : {}),
  });
}

/**
 * Pub/Sub client; `emulatorHost` (host:port) selects the emulator (as PUBSUB_EMULATOR_HOST does). The explicit
 * universe domain keeps the client from probing for default credentials it does not need there.
 */
export async function createPubSubClient(
  projectId: string,
  emulatorHost?: string,
): Promise<import('@google-cloud/pubsub').PubSub> {
  const PubSub = named(await import('@google-cloud/pubsub'), 'PubSub');
  return emulatorHost
    ? new PubSub({
        projectId,
        apiEndpoint: emulatorHost,
        emulatorMode: true,
        universeDomain: 'googleapis.com',
      })
    : new PubSub({ projectId });
}

/** Firestore client; FIRESTORE_EMULATOR_HOST (set by the local stack or firebase emulators:exec) selects the emulator. */
export async function createFirestoreClient(
  projectId: string,
  databaseId = '(default)',
): Promise<import('@google-cloud/firestore').Firestore> {
  const Firestore = named(await import('@google-cloud/firestore'), 'Firestore');
  return new Firestore({ projectId, databaseId });
}

/**
 * A named export of a dynamically imported module. Node exposes a CommonJS module's exports as names, but a
 * bundled chunk (npm run build:functions) may expose them only under `default`.
 */
export function named<M extends object, K extends keyof M>(mod: M, name: K): M[K] {
  return mod[name] ?? (mod as unknown as { default: M }).default[name];
}
