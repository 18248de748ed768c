// The tool record: every name in TOOL_NAMES has its module, filed under its own name, and the record is what
// tools/list shows and tools/call dispatches on.

import assert from 'node:assert/strict';
import { TOOL_NAMES } from '../../../shared/mcp/tools.ts';
import { MCP_TOOLS, TOOLS, type ToolRecord, toolNamed } from './index.ts';

describe('MCP tool record', () => {
  it('holds one module per tool name, each filed under the name its definition carries', () => {
    assert.deepEqual(Object.keys(MCP_TOOLS).sort(), [...TOOL_NAMES].sort());
    for (const name of TOOL_NAMES) assert.equal(MCP_TOOLS[name].definition.name, name);
  });
  it('lists the definitions in TOOL_NAMES order', () => {
    assert.deepEqual(
      TOOLS.map((t) => t.name),
      [...TOOL_NAMES],
    );
  });
  it('finds a tool by its own name only, never by an inherited property', () => {
    assert.equal(toolNamed('execute_sql'), MCP_TOOLS.execute_sql);
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'nope'])
      assert.equal(toolNamed(name), undefined);
  });
  it('fails the build when a tool is missing from the record or filed under another name', () => {
    // tsc checks this file (`npm run check`): each line below must be a type error, or the build fails.
    const { cancel_job: _cancelJob, ...withoutCancelJob } = MCP_TOOLS;
    // @ts-expect-error a tool name without its module in the record
    const incomplete: ToolRecord = withoutCancelJob;
    // @ts-expect-error a module filed under another tool's name
    const misfiled: ToolRecord = { ...MCP_TOOLS, cancel_job: MCP_TOOLS.get_job };
    assert.equal('cancel_job' in incomplete, false);
    assert.equal(misfiled.cancel_job, MCP_TOOLS.get_job);
  });
});
