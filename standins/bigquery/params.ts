// BigQuery query parameters (named or positional, scalar/ARRAY/STRUCT) as DuckDB prepared-statement bindings.

import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  BLOB,
  DuckDBBlobValue,
  DuckDBListValue,
  DuckDBStructValue,
  LIST,
  STRUCT,
  VARCHAR,
} from '@duckdb/node-api';
import { invalidQuery, invalidRequest } from './errors.ts';
import type { ParameterResolver } from './sql-translate.ts';
import { duckTypeOfGoogleSqlName, quoteIdent } from './types.ts';

/** `QueryParameterType` from the REST API. */
export interface QueryParameterType {
  type: string;
  arrayType?: QueryParameterType;
  structTypes?: { name?: string; type: QueryParameterType; description?: string }[];
}

/** `QueryParameterValue` from the REST API. */
export interface QueryParameterValue {
  value?: unknown;
  arrayValues?: QueryParameterValue[];
  structValues?: Record<string, QueryParameterValue>;
}

/** `QueryParameter` from the REST API. */
export interface QueryParameter {
  name?: string;
  parameterType: QueryParameterType;
  parameterValue?: QueryParameterValue;
}

/** One parameter ready to bind: its DuckDB key, the value as sent, and the type to cast it to. */
interface PreparedParameter {
  key: string;
  value: DuckDBValue;
  bindType: DuckDBType;
  castType: string;
}

/**
 * The parameters of one query. Each is bound as text (bytes as BLOB) and cast in SQL to its declared type, so
 * GoogleSQL's literal formats (timestamps, numerics, WKT, JSON) are parsed by DuckDB exactly once.
 */
export class ParameterSet {
  readonly named = new Map<string, PreparedParameter>();
  readonly positional: PreparedParameter[] = [];
  /** Keys the translated SQL actually uses. */
  readonly used = new Set<string>();

  constructor(mode: string | undefined, parameters: readonly QueryParameter[] = []) {
    const positional =
      (mode ?? (parameters.some((p) => p.name) ? 'NAMED' : 'POSITIONAL')).toUpperCase() === 'POSITIONAL';
    parameters.forEach((p, i) => {
      const key = positional ? `pos${i + 1}` : `p_${requireName(p).toLowerCase()}`;
      const prepared = {
        key,
        ...bindingOf(p.parameterType, p.parameterValue),
        castType: castTypeOf(p.parameterType),
      };
      if (positional) this.positional.push(prepared);
      else this.named.set(requireName(p).toLowerCase(), prepared);
    });
  }

  /** Replacement text for `@name` / `?` in the SQL. */
  readonly resolve: ParameterResolver = (kind, nameOrIndex) => {
    const parameter =
      kind === 'named'
        ? this.named.get(String(nameOrIndex).toLowerCase())
        : this.positional[Number(nameOrIndex)];
    if (!parameter) {
      throw invalidQuery(
        kind === 'named'
          ? `Query parameter '${nameOrIndex}' not found`
          : 'Not enough positional query parameters provided',
      );
    }
    this.used.add(parameter.key);
    return `(CAST($${parameter.key} AS ${parameter.castType}))`;
  };

  /** Values and types for the keys in use, for `DuckDBPreparedStatement.bind` / `connection.run`. */
  bindings(): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const p of [...this.named.values(), ...this.positional]) {
      if (!this.used.has(p.key)) continue;
      values[p.key] = p.value;
      types[p.key] = p.bindType;
    }
    return { values, types };
  }
}

function requireName(p: QueryParameter): string {
  if (!p.name) throw invalidQuery('Named query parameters need a name (parameterMode is NAMED)');
  return p.name;
}

/** The DuckDB SQL type a parameter is cast to. */
export function castTypeOf(type: QueryParameterType): string {
  const name = type.type.toUpperCase();
  if (name === 'ARRAY') return `${castTypeOf(requireArrayType(type))}[]`;
  if (name === 'STRUCT') {
    const fields = (type.structTypes ?? []).map(
      (f, i) => `${quoteIdent(f.name || `_field_${i + 1}`)} ${castTypeOf(f.type)}`,
    );
    return `STRUCT(${fields.join(', ')})`;
  }
  if (name === 'INTERVAL') return 'INTERVAL';
  const duck = duckTypeOfGoogleSqlName(name);
  if (!duck) throw invalidQuery(`Unsupported query parameter type: ${type.type}`);
  return duck;
}

function requireArrayType(type: QueryParameterType): QueryParameterType {
  if (!type.arrayType) throw invalidQuery('An ARRAY query parameter needs parameterType.arrayType');
  return type.arrayType;
}

/** The bound value and its DuckDB type: text leaves (BLOB for BYTES), lists and structs of those. */
function bindingOf(
  type: QueryParameterType,
  value: QueryParameterValue | undefined,
): { value: DuckDBValue; bindType: DuckDBType } {
  const name = type.type.toUpperCase();
  if (name === 'ARRAY') {
    const element = requireArrayType(type);
    const items = (value?.arrayValues ?? []).map((v) => bindingOf(element, v).value);
    return { value: new DuckDBListValue(items), bindType: LIST(bindingOf(element, undefined).bindType) };
  }
  if (name === 'STRUCT') return structBinding(type, value);
  const raw = scalarText(value?.value);
  if (name === 'BYTES')
    return { value: raw === null ? null : new DuckDBBlobValue(Buffer.from(raw, 'base64')), bindType: BLOB };
  return { value: raw, bindType: VARCHAR };
}

/** A scalar value's text; the client sends some as JSON numbers or booleans, DuckDB parses the text form. */
function scalarText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  // BigQuery rejects a non-string parameterValue.value the same way (the Node client sends Buffers like this).
  throw invalidRequest(
    `Invalid value at 'query_parameters.parameter_value.value' (TYPE_STRING), ${JSON.stringify(value)}`,
  );
}

function structBinding(
  type: QueryParameterType,
  value: QueryParameterValue | undefined,
): { value: DuckDBValue; bindType: DuckDBType } {
  const entries: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  (type.structTypes ?? []).forEach((field, i) => {
    const name = field.name || `_field_${i + 1}`;
    const binding = bindingOf(field.type, value?.structValues?.[name]);
    entries[name] = binding.value;
    types[name] = binding.bindType;
  });
  const isNull = value === undefined || (value.structValues === undefined && value.value === null);
  return { value: isNull ? null : new DuckDBStructValue(entries), bindType: STRUCT(types) };
}
