// `warden audit verify|search` against the local stack's audit bucket, through the official Storage and KMS
// clients, exactly as an auditor runs them against a deployed bucket.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auditCommand } from '../cli/audit/cli.ts';
import { witnessCommand } from '../cli/audit/witness.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import type { AuditRecord } from '../shared/core/audit/record.ts';
import { theStack, tokenFor } from './harness.ts';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await auditCommand(args, theStack().info.stateDir, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: (l) => progress.push(l),
  });
  return { code, out, err, progress };
}

describe('warden audit', () => {
  let requestId: string;
  const started = new Date(Date.now() - 1000);

  before(async () => {
    requestId = await allowedCall();
    // The stack digests 2 s after a write; wait for the digest of this request's objects.
    await new Promise((r) => setTimeout(r, 3500));
  });

  /** One allowed execute_sql through the official SDK client; its request id. */
  async function allowedCall(): Promise<string> {
    const client = new Client({ name: 'warden-audit-cli', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
        requestInit: {
          headers: { authorization: `Bearer ${await tokenFor('ann@example.org', ['analysts'])}` },
        },
      }),
    );
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: 'SELECT code FROM `demo-warden.reference.icd10_codes` LIMIT 2',
      },
    });
    await client.close();
    const id = (result.structuredContent as { requestId: string }).requestId;
    assert.ok(id);
    return id;
  }

  it('verify: the whole trail verifies, digests included, with progress and a summary', async () => {
    const { code, out, progress } = await run(['verify']);
    assert.equal(code, 0, out.join('\n'));
    const summary = out.at(-1)!;
    assert.match(summary, /^OK: \d+ records in \d+ streams, [1-9]\d* digests checked/);
    assert.ok(progress.some((p) => /verified \d+\/\d+ objects/.test(p)));
  });

  it('verify --from --to: a time range verifies on its own', async () => {
    const { code, out } = await run([
      'verify',
      '--from',
      started.toISOString(),
      '--to',
      new Date().toISOString(),
    ]);
    assert.equal(code, 0, out.join('\n'));
    assert.match(out.at(-1)!, /^OK: [1-9]\d* records/);
  });

  it('verify exits 1 and names every problem when the key is not the one that certified the trail', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const path = join(theStack().info.stateDir, 'other.pem');
    writeFileSync(path, pem);
    const { code, out } = await run(['verify', '--public-key', path]);
    assert.equal(code, 1);
    assert.ok(out.some((l) => l.startsWith('PROBLEM bad-certificate v1/streams/')));
    assert.ok(out.some((l) => l.startsWith('PROBLEM bad-digest v1/digests/')));
    assert.match(out.at(-1)!, /^FAILED: /);
  });

  it('verify --witness-key: OK once the witness cosigned every newest checkpoint; unwitnessed after new records', async () => {
    const info = theStack().info;
    const dir = mkdtempSync(join(tmpdir(), 'warden-witness-'));
    const pemPath = join(dir, 'kms.pem');
    writeFileSync(
      pemPath,
      await new KmsKeyService(await createKmsClient(info.endpoints.kms)).getPublicKeyPem(
        info.auditKeyVersion,
      ),
    );
    const state = join(dir, 'state');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const init = ['init', '--state', state, '--name', 'witness.test', '--log-key', pemPath];
    assert.equal(await witnessCommand(init, info.stateDir, io), 0, lines.join('\n'));
    const vkey = /verifier key .*: (\S+)$/.exec(lines.find((l) => l.startsWith('verifier key'))!)![1]!;
    assert.equal(await witnessCommand(['add', '--state', state], info.stateDir, io), 0, lines.join('\n'));
    const witnessed = ['verify', '--witness-key', vkey, '--witnessed', state];
    const ok = await run(witnessed);
    assert.equal(ok.code, 0, ok.out.join('\n'));
    // New records and, after the digest interval, a newer checkpoint the witness has not seen.
    await allowedCall();
    await new Promise((r) => setTimeout(r, 3500));
    const stale = await run(witnessed);
    assert.equal(stale.code, 1, stale.out.join('\n'));
    assert.ok(
      stale.out.some((l) => l.startsWith('PROBLEM unwitnessed v1/checkpoints/')),
      stale.out.join('\n'),
    );
    // Without the witness requirement the same trail verifies.
    assert.equal((await run(['verify'])).code, 0);
    // The witness catches up; verify passes again.
    assert.equal(await witnessCommand(['add', '--state', state], info.stateDir, io), 0, lines.join('\n'));
    assert.equal((await run(witnessed)).code, 0);
  });

  it('verify --witness-key without --witnessed is a usage error (exit 2)', async () => {
    const { code, err } = await run(['verify', '--witness-key', 'w+01234567+AAAA']);
    assert.equal(code, 2);
    assert.match(err.join('\n'), /--witness-key and --witnessed go together/);
  });

  it('search --request finds the request’s records in time order', async () => {
    const { code, out } = await run(['search', '--request', requestId]);
    assert.equal(code, 0);
    const records = out.map((l) => JSON.parse(l) as AuditRecord);
    assert.deepEqual(
      new Set(records.map((r) => r.event.type)),
      new Set(['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response']),
    );
    assert.ok(records.every((r) => r.event.requestId === requestId));
  });

  it('search by principal, table and decision, as a table', async () => {
    const { code, out, err } = await run([
      'search',
      '--principal',
      'ANN@example.org',
      '--table',
      'reference.icd10_codes',
      '--decision',
      'allow',
      '--from',
      started.toISOString(),
      '--format',
      'table',
    ]);
    assert.equal(code, 0, err.join('\n'));
    assert.equal(out[0], 'time\ttype\trequest\twho\tdecision\ttables');
    const rows = out.slice(1).filter((l) => l.includes(requestId));
    assert.ok(rows.length >= 1, out.join('\n'));
    assert.ok(rows.every((l) => l.includes('\tann@example.org\tallow\tdemo-warden.reference.icd10_codes')));
  });

  it('report: writes one self-contained HTML report of the range, with its verification status', async () => {
    const out = join(theStack().info.stateDir, 'report.html');
    const { code, out: lines } = await run([
      'report',
      '--from',
      started.toISOString(),
      '--to',
      new Date().toISOString(),
      '--out',
      out,
    ]);
    assert.equal(code, 0, lines.join('\n'));
    const html = readFileSync(out, 'utf8');
    assert.match(html, /Verification passed: \d+ records/);
    assert.match(html, /ann@example\.org/);
    assert.doesNotMatch(
      html,
      /<script|https?:\/\/(?!www\.w3\.org)/,
      'self-contained: no script, no external asset',
    );
    assert.equal((await run(['report', '--out', out])).code, 2, 'a report needs a range');
  });

  it('refuses bad input with usage (exit 2)', async () => {
    assert.equal((await run(['search', '--decision', 'maybe'])).code, 2);
    assert.equal((await run(['verify', '--from', 'yesterday'])).code, 2);
    assert.equal((await run(['verify', '--from', '2026-02-01', '--to', '2026-01-01'])).code, 2);
    assert.equal((await run(['explode'])).code, 2);
  });
});
