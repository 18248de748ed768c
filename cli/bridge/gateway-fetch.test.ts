import assert from 'node:assert/strict';
import { routingHeaders } from './gateway-fetch.ts';

const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
};
const body = (method: string, params: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: envelope } });

describe('bridge: MCP 2026-07-28 routing headers', () => {
  it('names the protocol version, the method and the tool of a tools/call, never an argument', () => {
    assert.deepEqual(
      routingHeaders(body('tools/call', { name: 'execute_sql', arguments: { query: 'SELECT ssn' } })),
      [
        ['mcp-protocol-version', '2026-07-28'],
        ['mcp-method', 'tools/call'],
        ['mcp-name', 'execute_sql'],
      ],
    );
  });

  it('names the task of a tasks/* request and nothing for other methods', () => {
    assert.deepEqual(routingHeaders(body('tasks/get', { taskId: 't-1' })).at(-1), ['mcp-name', 't-1']);
    assert.deepEqual(routingHeaders(body('tools/list', {})), [
      ['mcp-protocol-version', '2026-07-28'],
      ['mcp-method', 'tools/list'],
    ]);
  });

  it('adds nothing to a 2025-era message, a batch or a body that is not JSON', () => {
    assert.deepEqual(routingHeaders(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })), []);
    assert.deepEqual(routingHeaders(`[${body('tools/list', {})}]`), []);
    assert.deepEqual(routingHeaders('{not json'), []);
    assert.deepEqual(routingHeaders(undefined), []);
  });
});
