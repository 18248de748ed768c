// Allowed, PHI-free queries of several shapes for the CPU benchmarks (bench/cpu-profile.ts, lineage-parse.ts).

const TABLE = '`demo-warden.reference.icd10_codes`';

/**
 * Allowed, PHI-free queries of several shapes (projection order, WHERE, IN lists, a CTE, LIMIT), each with a
 * literal that differs from call to call; `n` picks the shape and the literal. Each returns at least one row.
 */
export function variedQuery(n: number): string {
  const lit = `p-${n}`;
  switch (n % 4) {
    case 0:
      return `SELECT code, description FROM ${TABLE} WHERE code <> '${lit}' ORDER BY code LIMIT 5`;
    case 1:
      return `SELECT description, code FROM ${TABLE} WHERE description <> '${lit}' ORDER BY code DESC LIMIT ${1 + (n % 5)}`;
    case 2:
      return `SELECT code FROM ${TABLE} WHERE code NOT IN ('${lit}', 'q-${n}') LIMIT 3`;
    default:
      return `WITH c AS (SELECT code, description FROM ${TABLE} WHERE code <> '${lit}') SELECT code, description FROM c ORDER BY code LIMIT 4`;
  }
}

/**
 * One allowed `execute_sql` (`variedQuery(n)`) through a gateway's `/mcp` with `token`, as the CPU benchmarks send
 * it; throws, naming `label`, unless it answered 200 with rows (a failed call fails the run).
 */
export async function allowedCall(
  mcpUrl: string,
  token: string,
  projectId: string,
  id: number,
  n: number,
  label = 'execute_sql',
): Promise<void> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'execute_sql', arguments: { projectId, query: variedQuery(n) } },
    }),
  });
  const body = (await res.json()) as {
    result?: { isError?: boolean; structuredContent?: { rows?: unknown[] } };
  };
  if (
    res.status !== 200 ||
    !body.result ||
    body.result.isError ||
    !body.result.structuredContent?.rows?.length
  )
    throw new Error(`${label} failed: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
}
