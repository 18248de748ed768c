// RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes that audit hashes and signatures cover.

/** A JSON value that canonicalizes: no undefined, no functions, no non-finite numbers. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/**
 * Serializes `value` per RFC 8785: object members sorted by UTF-16 code units (section 3.2.3), numbers in
 * ECMAScript shortest form (section 3.2.2.3), strings with JSON.stringify escaping (section 3.2.2.2), no
 * whitespace. Properties whose value is `undefined` are omitted, as JSON.stringify does.
 */
export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('RFC 8785: non-finite numbers have no JSON form');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          out += canonicalize(v === undefined ? null : v);
        }
        return `${out}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly what RFC 8785 section 3.2.3 requires.
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalize(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`RFC 8785: a ${typeof value} has no JSON form`);
  }
}

const utf8 = new TextEncoder();

/** The canonical form as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalize(value));
}
