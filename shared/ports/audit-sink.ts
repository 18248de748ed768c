// Port: durable, create-only object storage for audit records (a retention-locked bucket).

/** What the sink reports about an object it made durable. */
export interface StoredObject {
  name: string;
  generation: string;
  size: number;
  /** Base64 big-endian CRC32C of the stored bytes, as the storage service reports it. */
  crc32c: string;
}

/** Create-only storage: an existing name is never overwritten. */
export interface AuditSink {
  /** Writes a new object; resolves only once it is durable. Rejects if the name exists. */
  create(name: string, data: Uint8Array, contentType: string): Promise<StoredObject>;
  /** Reads an object's bytes. */
  read(name: string): Promise<Uint8Array>;
  /** Lists object names under a prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
}
