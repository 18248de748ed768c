// Port: the gateway's way to have the executor run an allowed query (service-to-service HTTPS).

import type { Principal } from '../core/identity/principal.ts';
import type { Decision } from '../core/policy/policy.ts';
import type { QueryFacts } from '../core/query/facts.ts';
import type { QueryParameter, QueryResult } from './warehouse.ts';

/** Everything the executor needs to run and audit one allowed query. */
export interface ExecutionRequest {
  requestId: string;
  principal: Principal;
  projectId: string;
  sql: string;
  params?: QueryParameter[];
  decision: Decision;
  facts: QueryFacts;
}

/** Runs an allowed query; the result is already masked. */
export interface QueryRunner {
  run(request: ExecutionRequest): Promise<QueryResult>;
}
