// Reads configuration artefacts (policy, sealed keys) from a deployed file or a Cloud Storage object.

import { readFile } from 'node:fs/promises';
import type { Storage } from '@google-cloud/storage';

/** The bytes at `location`: a file path, or `gs://bucket/object` read with the official client. */
export async function readLocation(location: string, storage: Storage): Promise<Uint8Array> {
  const gs = /^gs:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!gs) return readFile(location);
  const [data] = await storage.bucket(gs[1]!).file(gs[2]!).download();
  return data;
}
