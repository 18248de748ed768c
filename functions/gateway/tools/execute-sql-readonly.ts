// The execute_sql_readonly tool (as Google's managed BigQuery MCP server names it): execute_sql's call,
// decided and audited the same way, refused unless the dry run says the query is a single SELECT.

import { ExecuteSqlArgs, ExecuteSqlOutput, READ_ONLY } from '../../../shared/mcp/tools.ts';
import { runSql } from './execute-sql.ts';
import { defineTool } from './tool.ts';

export const executeSqlReadonly = defineTool({
  definition: {
    name: 'execute_sql_readonly',
    title: 'Execute read-only SQL',
    description:
      'Run a GoogleSQL SELECT in BigQuery through Warden (as Google’s managed BigQuery MCP server names it): decided and audited as execute_sql, and refused unless the dry run says it is a single SELECT.',
    input: ExecuteSqlArgs,
    output: ExecuteSqlOutput,
    annotations: READ_ONLY,
  },
  call: (args, call) => runSql('execute_sql_readonly', args, call),
});
