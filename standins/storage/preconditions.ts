// Request preconditions (ifGenerationMatch and friends) parsed from the query and checked against state.

import { conditionNotMet, invalid } from './errors.ts';

/** Generation/metageneration preconditions of one request; absent fields impose nothing. */
export interface Preconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

const NAMES = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;

/** Reads the precondition query parameters; a non-integer value is a 400. */
export function parsePreconditions(query: URLSearchParams): Preconditions {
  const result: Preconditions = {};
  for (const name of NAMES) {
    const value = query.get(name);
    if (value !== null) result[name] = parseCount(name, value);
  }
  return result;
}

/** Parses a non-negative int64-as-decimal query value. */
export function parseCount(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw invalid(`Invalid value for ${name}: ${value}`);
  return Number(value);
}

/** The generation/metageneration of the current resource, or undefined when it does not exist. */
export interface Versioned {
  generation?: number;
  metageneration: number;
}

/**
 * Throws 412 `conditionNotMet` unless every precondition holds for `current`. Generation 0 means
 * "no live object": `ifGenerationMatch=0` holds only when the object does not exist.
 */
export function checkPreconditions(pre: Preconditions, current: Versioned | undefined): void {
  const generation = current ? (current.generation ?? 0) : 0;
  if (pre.ifGenerationMatch !== undefined && pre.ifGenerationMatch !== generation) throw conditionNotMet();
  if (pre.ifGenerationNotMatch !== undefined && pre.ifGenerationNotMatch === generation) {
    throw conditionNotMet('If-None-Match');
  }
  if (pre.ifMetagenerationMatch !== undefined && pre.ifMetagenerationMatch !== current?.metageneration) {
    throw conditionNotMet();
  }
  if (
    pre.ifMetagenerationNotMatch !== undefined &&
    pre.ifMetagenerationNotMatch === current?.metageneration
  ) {
    throw conditionNotMet('If-None-Match');
  }
}
