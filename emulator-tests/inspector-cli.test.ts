// The official MCP Inspector's command line (@modelcontextprotocol/inspector, a devDependency) against the
// local stack: the commands docs/mcp-clients.md shows, run as a user would (no npx, nothing fetched), their
// printed JSON parsed and checked.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/build/functions.ts';
import { approvalsApi, PRIYA, theStack, tokenFor } from './harness.ts';

const INSPECTOR = join(REPO_ROOT, 'node_modules', '.bin', 'mcp-inspector');
const SPAWN_TIMEOUT_MS = 30_000;

const REFERENCE = 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 3';
const PATIENTS =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

interface Run {
  /** The exit code; null when the process was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mcp-inspector --cli <args…>` under the Node running this test (the bin's `#!/usr/bin/env node` would
 * take whichever node is first on PATH), with a throwaway HOME: the Inspector creates ~/.mcp-inspector.
 */
function inspector(home: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [INSPECTOR, '--cli', ...args],
      {
        cwd: REPO_ROOT,
        timeout: SPAWN_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, HOME: home, USERPROFILE: home, NO_COLOR: '1' },
      },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** What a run printed on stdout, parsed as the one JSON value the Inspector prints there. */
function printed(run: Run, what: string): Record<string, unknown> {
  const say = () =>
    `${what}: exit ${run.code ?? `killed by ${run.signal} (timeout ${SPAWN_TIMEOUT_MS} ms?)`}\n` +
    `stdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
  assert.equal(run.code, 0, say());
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    return assert.fail(`stdout is not JSON; ${say()}`);
  }
}

/** The pending request with this reason, as the privacy office sees it (polled: the call may still be parking). */
async function pendingWithReason(reason: string, stillRunning: () => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { requests } = (await approvalsApi(...PRIYA, 'GET', '/approvals')) as {
      requests: { id: string; state: string; reason?: string; bindingSha256: string }[];
    };
    const found = requests.find((r) => r.reason === reason && r.state === 'PENDING');
    if (found) return found;
    if (!stillRunning())
      return assert.fail(`the Inspector exited before a request with reason "${reason}" was parked`);
    if (Date.now() > deadline) return assert.fail(`no PENDING request with reason "${reason}"`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// The protocol era the Inspector negotiates. For a URL on the command line its default is "legacy": initialize
// with 2025-11-25, then notifications/initialized, a GET for the SSE stream (405 here: stateless) and the
// method. "modern" pins 2026-07-28: server/discover, then the method with the per-request _meta envelope; every
// result then carries resultType "complete". In both eras the Inspector declares the io.modelcontextprotocol/tasks
// extension, but only the 2026-07-28 envelope carries it to the gateway per request: there a parked execute_sql is
// answered as a task, and `tools/call` polls tasks/get until the task settles instead of printing anything.
const ERAS = [
  { name: 'the default era (2025-11-25)', flags: [] as string[], resultType: undefined, parks: 'result' },
  {
    name: '--protocol-era modern (2026-07-28)',
    flags: ['--protocol-era', 'modern'],
    resultType: 'complete',
    parks: 'task',
  },
] as const;

describe('MCP Inspector CLI: the documented commands against the local stack', function () {
  this.timeout(120_000);

  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'warden-inspector-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const era of ERAS) {
    describe(`as an analyst, ${era.name}`, () => {
      /** `mcp-inspector --cli <url> --transport http --header "Authorization: Bearer …" <args…>` */
      async function run(args: string[]): Promise<Run> {
        const token = await tokenFor('ann@example.org', ['analysts']);
        return inspector(home, [
          theStack().info.mcpUrl,
          '--transport',
          'http',
          '--header',
          `Authorization: Bearer ${token}`,
          ...era.flags,
          ...args,
        ]);
      }

      /** `--method tools/call --tool-name <tool> --tool-arg k=v …` */
      function callArgs(tool: string, args: Record<string, string>): string[] {
        return [
          '--method',
          'tools/call',
          '--tool-name',
          tool,
          ...Object.entries(args).flatMap(([k, v]) => ['--tool-arg', `${k}=${v}`]),
        ];
      }

      /** A tool call's printed result: not an error, in the era's shape. */
      function toolResult(r: Run, tool: string) {
        const what = `tools/call ${tool}`;
        const result = printed(r, what);
        assert.notEqual(result['isError'], true, `${what}: ${JSON.stringify(result['content'])}`);
        assert.equal(result['resultType'], era.resultType, `${what}: resultType in ${era.name}`);
        return {
          result,
          out: (result['structuredContent'] ?? {}) as Record<string, unknown>,
          text: (result['content'] as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n'),
        };
      }

      const call = async (tool: string, args: Record<string, string>) =>
        toolResult(await run(callArgs(tool, args)), tool);

      it('tools/list: the eight tools policy grants analysts, each with an object output schema', async () => {
        const { tools } = printed(await run(['--method', 'tools/list']), 'tools/list') as {
          tools: { name: string; inputSchema?: { type?: string }; outputSchema?: { type?: string } }[];
        };
        assert.deepEqual(
          tools.map((t) => t.name),
          [
            'list_dataset_ids',
            'get_dataset_info',
            'list_table_ids',
            'get_table_info',
            'execute_sql',
            'execute_sql_readonly',
            'get_query_status',
            'get_query_result',
            'get_job',
            'get_query_results',
            'cancel_job',
          ],
        );
        for (const t of tools) {
          assert.equal(t.inputSchema?.type, 'object', `${t.name} has an object input schema`);
          assert.equal(t.outputSchema?.type, 'object', `${t.name} has an object output schema`);
        }
      });

      it('tools/call execute_sql, an allowed query: status done, with the rows', async () => {
        const { out, text } = await call('execute_sql', { projectId: 'demo-warden', query: REFERENCE });
        assert.equal(out['status'], 'done');
        assert.equal(out['dryRun'], false);
        assert.deepEqual(out['referencedTables'], ['demo-warden.reference.icd10_codes']);
        assert.ok(out['jobId']);
        const rows = out['rows'] as { code: string; description: string }[];
        assert.equal(rows.length, 3);
        for (const r of rows) assert.equal(typeof r.code, 'string');
        assert.deepEqual(
          (out['schema'] as { name: string }[]).map((c) => c.name),
          ['code', 'description'],
        );
        // The text block of a successful result is the same JSON.
        assert.deepEqual(JSON.parse(text), out);
      });

      if (era.parks === 'result')
        it('tools/call execute_sql, a PHI query: pending_approval, then PENDING by get_query_status', async () => {
          const parked = await call('execute_sql', {
            projectId: 'demo-warden',
            query: PATIENTS,
            reason: 'readmission study',
          });
          assert.equal(parked.out['status'], 'pending_approval');
          assert.equal(parked.out['state'], 'PENDING');
          assert.deepEqual(parked.out['approverGroups'], ['privacy-office']);
          assert.equal(parked.out['rows'], undefined);
          const requestId = parked.out['requestId'];
          assert.equal(typeof requestId, 'string');
          assert.match(String(requestId), /^[0-9a-f-]{36}$/);

          const status = await call('get_query_status', { requestId: String(requestId) });
          assert.equal(status.out['requestId'], requestId);
          assert.equal(status.out['state'], 'PENDING');
          assert.equal(status.out['approvals'], 0);
          assert.equal(status.out['quorum'], 1);
          assert.match(String(status.out['waitingFor']), /1 more approval from privacy-office, expires in/);
        });
      else
        it('tools/call execute_sql, a PHI query: a task the Inspector waits on, PENDING by get_query_status, done once approved', async () => {
          // Letters only: a reason is masked before it is stored, and a UUID or a number could read as an identifier.
          const tag = Array.from({ length: 12 }, () => String.fromCharCode(97 + randomInt(26))).join('');
          const reason = `inspector task ${tag}`;
          let running = true;
          const waiting = run(callArgs('execute_sql', { projectId: 'demo-warden', query: PATIENTS, reason }));
          void waiting.finally(() => {
            running = false;
          });
          const parked = await pendingWithReason(reason, () => running);

          const status = await call('get_query_status', { requestId: parked.id });
          assert.equal(status.out['state'], 'PENDING');
          assert.equal(status.out['approvals'], 0);
          assert.ok(running, 'the Inspector still waits on the task');

          await approvalsApi(...PRIYA, 'POST', `/approvals/${parked.id}:approve`, {
            reason: 'IRB 2026-114',
            binding: parked.bindingSha256,
          });
          const { out } = toolResult(await waiting, 'execute_sql');
          assert.equal(out['status'], 'done');
          assert.equal(out['requestId'], parked.id);
          assert.equal((out['rows'] as unknown[]).length, 3);
          assert.deepEqual(
            (out['schema'] as { name: string }[]).map((c) => c.name),
            ['patient_id', 'birth_date'],
          );
        });
    });
  }
});
