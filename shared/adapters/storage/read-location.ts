// Reads configuration artefacts (policy, sealed keys) from a deployed file or a Cloud Storage object.

import { readFile } from 'node:fs/promises';
import type { Storage } from '@google-cloud/storage';

/**
 * The bytes at `location`: a file path, or `gs://bucket/object` read with the official client (created only
 * then, when `storage` is a factory).
 */
export async function readLocation(
  location: string,
  storage: Storage | (() => Promise<Storage>),
): Promise<Uint8Array> {
  const gs = /^gs:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!gs) return readFile(location);
  const client = typeof storage === 'function' ? await storage() : storage;
  const [data] = await client.bucket(gs[1]!).file(gs[2]!).download();
  return data;
}
