// GoogleSQL function calls DuckDB spells differently, rewritten from their (already translated) arguments.

import { invalidQuery } from './errors.ts';

/** Rewrites one call given its arguments' DuckDB text. */
type Rewrite = (args: string[]) => string;

/** `DAY`, `MONTH`, … (a date part written as a keyword) as a DuckDB string literal. */
function part(arg: string): string {
  if (!/^[A-Za-z_]+$/.test(arg)) throw invalidQuery(`Unsupported date part: ${arg}`);
  return `'${arg.toLowerCase()}'`;
}

function arity(name: string, args: string[], ...counts: number[]): void {
  if (!counts.includes(args.length)) {
    throw invalidQuery(`No matching signature for function ${name} with ${args.length} argument(s)`);
  }
}

/** A field of `STRUCT(...)`: `expr AS name`, or a path whose last part names it, else `_field_N`. */
function structField(arg: string, index: number): string {
  const aliased = /^([\s\S]*\S)\s+AS\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)$/i.exec(arg);
  if (aliased) return `${quoted(aliased[2]!)} := ${aliased[1]}`;
  const path = /(?:^|\.)("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)$/.exec(arg);
  const isPath = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)(\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*))*$/.test(
    arg,
  );
  const name = isPath && path ? quoted(path[1]!) : `"_field_${index + 1}"`;
  return `${name} := ${arg}`;
}

/** A field name as a quoted DuckDB identifier, so names DuckDB reserves (time, order…) work as in GoogleSQL. */
function quoted(name: string): string {
  return name.startsWith('"') ? name : `"${name}"`;
}

function dateDiff(name: string): Rewrite {
  return (args) => {
    arity(name, args, 3);
    const [end, start, unit] = args as [string, string, string];
    return `date_diff(${part(unit)}, ${start}, ${end})`;
  };
}

function truncate(name: string, castTo?: string): Rewrite {
  return (args) => {
    arity(name, args, 2, 3);
    const [value, unit] = args as [string, string];
    const call = `date_trunc(${part(unit)}, ${value})`;
    return castTo ? `CAST(${call} AS ${castTo})` : call;
  };
}

function shift(name: string, operator: '+' | '-', castTo?: string): Rewrite {
  return (args) => {
    arity(name, args, 2);
    const [value, interval] = args as [string, string];
    const call = `(${value} ${operator} ${interval})`;
    return castTo ? `CAST(${call} AS ${castTo})` : call;
  };
}

function format(name: string): Rewrite {
  return (args) => {
    arity(name, args, 2, 3);
    const [pattern, value] = args as [string, string];
    return `strftime(${value}, ${pattern})`;
  };
}

function parse(name: string, castTo: string): Rewrite {
  return (args) => {
    arity(name, args, 2, 3);
    const [pattern, text] = args as [string, string];
    return `CAST(strptime(${text}, ${pattern}) AS ${castTo})`;
  };
}

function renamed(duckName: string): Rewrite {
  return (args) => `${duckName}(${args.join(', ')})`;
}

/** GoogleSQL functions with a different DuckDB name, argument order or unit syntax. */
const REWRITES: Record<string, Rewrite> = {
  STRUCT: (args) => `struct_pack(${args.map(structField).join(', ')})`,
  SAFE_DIVIDE: (args) => {
    arity('SAFE_DIVIDE', args, 2);
    const [a, b] = args as [string, string];
    return `(CASE WHEN (${b}) = 0 THEN NULL ELSE (${a}) / (${b}) END)`;
  },
  DATE_DIFF: dateDiff('DATE_DIFF'),
  DATETIME_DIFF: dateDiff('DATETIME_DIFF'),
  TIMESTAMP_DIFF: dateDiff('TIMESTAMP_DIFF'),
  DATE_TRUNC: truncate('DATE_TRUNC', 'DATE'),
  DATETIME_TRUNC: truncate('DATETIME_TRUNC', 'TIMESTAMP'),
  TIMESTAMP_TRUNC: truncate('TIMESTAMP_TRUNC'),
  DATE_ADD: shift('DATE_ADD', '+', 'DATE'),
  DATE_SUB: shift('DATE_SUB', '-', 'DATE'),
  DATETIME_ADD: shift('DATETIME_ADD', '+', 'TIMESTAMP'),
  DATETIME_SUB: shift('DATETIME_SUB', '-', 'TIMESTAMP'),
  TIMESTAMP_ADD: shift('TIMESTAMP_ADD', '+'),
  TIMESTAMP_SUB: shift('TIMESTAMP_SUB', '-'),
  FORMAT_DATE: format('FORMAT_DATE'),
  FORMAT_DATETIME: format('FORMAT_DATETIME'),
  FORMAT_TIMESTAMP: format('FORMAT_TIMESTAMP'),
  PARSE_DATE: parse('PARSE_DATE', 'DATE'),
  PARSE_DATETIME: parse('PARSE_DATETIME', 'TIMESTAMP'),
  PARSE_TIMESTAMP: parse('PARSE_TIMESTAMP', 'TIMESTAMPTZ'),
  LOGICAL_AND: renamed('bool_and'),
  LOGICAL_OR: renamed('bool_or'),
  GENERATE_ARRAY: renamed('generate_series'),
  SPLIT: renamed('string_split'),
  REGEXP_CONTAINS: renamed('regexp_matches'),
  TO_JSON_STRING: (args) => `CAST(to_json(${args.join(', ')}) AS VARCHAR)`,
  PARSE_JSON: (args) => {
    arity('PARSE_JSON', args, 1, 2);
    return `json(${args[0]})`;
  },
  JSON_VALUE: (args) => {
    arity('JSON_VALUE', args, 1, 2);
    return `json_extract_string(${args[0]}, ${args[1] ?? "'$'"})`;
  },
  // The legacy name of JSON_VALUE.
  JSON_EXTRACT_SCALAR: (args) => {
    arity('JSON_EXTRACT_SCALAR', args, 1, 2);
    return `json_extract_string(${args[0]}, ${args[1] ?? "'$'"})`;
  },
  // A JSON-formatted string of what the path selects (objects and arrays included).
  JSON_QUERY: (args) => {
    arity('JSON_QUERY', args, 1, 2);
    return `CAST(json_extract(${args[0]}, ${args[1] ?? "'$'"}) AS VARCHAR)`;
  },
  // GoogleSQL's FORMAT takes printf-style %s / %d / %011d (DuckDB's FORMAT takes {} placeholders).
  FORMAT: (args) => {
    if (args.length < 1) throw new Error('FORMAT needs a format string');
    return `printf(${args.join(', ')})`;
  },
  UNIX_DATE: (args) => {
    arity('UNIX_DATE', args, 1);
    return `CAST(date_diff('day', DATE '1970-01-01', CAST(${args[0]} AS DATE)) AS BIGINT)`;
  },
  TO_CODE_POINTS: (args) => {
    arity('TO_CODE_POINTS', args, 1);
    return `list_transform(string_split(${args[0]}, ''), c -> CAST(unicode(c) AS BIGINT))`;
  },
  CODE_POINTS_TO_STRING: (args) => {
    arity('CODE_POINTS_TO_STRING', args, 1);
    return `array_to_string(list_transform(${args[0]}, c -> chr(CAST(c AS INTEGER))), '')`;
  },
  ARRAY_CONCAT_AGG: (args) => {
    arity('ARRAY_CONCAT_AGG', args, 1);
    return `flatten(list(${args[0]}))`;
  },
  SAFE_CONVERT_BYTES_TO_STRING: (args) => {
    arity('SAFE_CONVERT_BYTES_TO_STRING', args, 1);
    return `decode(${args[0]})`;
  },
  // DuckDB returns a list for a path ending in [*]; the path must be a literal (as it is in Warden's SQL).
  JSON_VALUE_ARRAY: (args) => {
    arity('JSON_VALUE_ARRAY', args, 1, 2);
    const path = args[1] ?? "'$'";
    if (!/^'[^']*'$/.test(path)) throw new Error('JSON_VALUE_ARRAY needs a literal JSON path here');
    return `json_extract_string(${args[0]}, '${path.slice(1, -1)}[*]')`;
  },
};

/** True when calls to `name` (upper case) are rewritten. */
export function isRewrittenFunction(name: string): boolean {
  return Object.hasOwn(REWRITES, name);
}

/** The DuckDB text of a call to `name` (upper case) with translated `args`. */
export function rewriteCall(name: string, args: string[]): string {
  const rewrite = REWRITES[name];
  if (!rewrite) throw new Error(`No rewrite for ${name}`);
  return rewrite(args);
}
