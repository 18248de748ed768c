// Crash-safe file writes for the stand-in's state: temp file, fsync, rename, fsync the directory.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `data` to `path` so that readers see either the old file or the complete new one. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeNewFile(temp, data);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/**
 * Creates `path`, which must not exist, with `data`, and fsyncs it; the directory is not fsynced (the caller's
 * next `writeFileAtomic` in the same directory does that). A crash midway leaves a file no metadata names.
 */
export async function writeNewFile(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes `path` (if present) and makes the removal durable. */
export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDirectory(dirname(path));
}

/** fsyncs a directory so renames and unlinks in it survive a crash. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True when `name` is a temp file left behind by an interrupted `writeFileAtomic`. */
export function isTempFile(name: string): boolean {
  return name.endsWith('.tmp');
}
