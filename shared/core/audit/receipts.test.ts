// Receipts for a request's records, from a trail the real writer produced: each verifies offline, still
// verifies once the log has grown (the newer checkpoint provably extends the older one), and a record that is
// not in the log fails by name.

import assert from 'node:assert/strict';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { AuditLog } from './audit-log.ts';
import { openWardenCheckpoint } from './checkpoint.ts';
import { parseObjectName } from './layout.ts';
import { verifyConsistency } from './merkle.ts';
import { ecdsaVerifier } from './note.ts';
import { parseProof, verifyProof } from './proof.ts';
import { proveRequest, streamConsistency } from './receipts.ts';
import { readTrail } from './trail.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';
const enc = new TextEncoder();

async function start() {
  const sink = new MemorySink();
  const keys = new MemoryKeys();
  const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
  const pem = await keys.getPublicKeyPem();
  const verifiers = (origin: string) => [ecdsaVerifier(origin, pem)];
  return { sink, keys, log, pem, verifiers };
}

describe('proveRequest (warden audit prove)', () => {
  it('writes one receipt per record of the request, each verifying offline with the KMS key alone', async () => {
    const { sink, log, pem, verifiers } = await start();
    await log.append({ type: 'mcp.request', requestId: 'other' });
    await Promise.all([
      log.append({ type: 'mcp.request', requestId: 'r1' }),
      log.append({ type: 'policy.decision', requestId: 'r1' }),
      log.append({ type: 'mcp.request', requestId: 'r2' }),
    ]);
    await log.append({ type: 'mcp.response', requestId: 'r1', status: 200 });
    await log.close();
    const { objects } = await readTrail(sink);
    const receipts = proveRequest(objects, 'r1', pem);
    assert.deepEqual(
      receipts.map((r) => [r.seq, r.type]),
      [
        [2, 'mcp.request'],
        [3, 'policy.decision'],
        [5, 'mcp.response'],
      ],
    );
    for (const r of receipts) {
      const verdict = verifyProof(r.proof, { verifiers });
      assert.ok(verdict.ok, JSON.stringify(verdict));
      assert.equal(verdict.index, r.seq);
      assert.equal(verdict.checkpoint.size, 6);
      const record = JSON.parse(new TextDecoder().decode(parseProof(r.proof).extra)) as {
        event: { requestId: string };
      };
      assert.equal(record.event.requestId, 'r1', 'the receipt carries its record');
    }
  });

  it('keeps a receipt valid after more records are appended: the newer checkpoint extends the older', async () => {
    const { sink, log, pem, verifiers } = await start();
    await log.append({ type: 'mcp.request', requestId: 'r1' });
    await log.checkpoint();
    const today = proveRequest((await readTrail(sink)).objects, 'r1', pem)[0]!;
    for (let i = 0; i < 20; i++) await log.append({ type: 'mcp.request', requestId: `later-${i}` });
    await log.close();
    const { objects } = await readTrail(sink);
    // 1. Today's receipt still verifies, against the checkpoint it carries.
    const old = verifyProof(today.proof, { verifiers });
    assert.ok(old.ok, JSON.stringify(old));
    // 2. The newest checkpoint provably extends it (RFC 9162 consistency, from the records in the bucket).
    const newest = objects
      .filter((o) => parseObjectName(o.name)?.kind === 'checkpoint')
      .map((o) => openWardenCheckpoint(o.data, pem))
      .sort((a, b) => b.size - a.size)[0]!;
    assert.equal(newest.size, 22);
    const proof = streamConsistency(objects, today.stream, old.checkpoint.size, newest.size);
    assert.ok(
      verifyConsistency(old.checkpoint.size, newest.size, old.checkpoint.rootHash, newest.rootHash, proof),
    );
    assert.ok(
      !verifyConsistency(
        old.checkpoint.size,
        newest.size,
        old.checkpoint.rootHash,
        newest.rootHash,
        proof.slice(1),
      ),
      'and a shortened proof does not',
    );
    // 3. Proving again gives a receipt against the newest checkpoint.
    const again = verifyProof(proveRequest(objects, 'r1', pem)[0]!.proof, { verifiers });
    assert.ok(again.ok && again.checkpoint.size === 22 && again.index === today.seq);
  });

  it('fails by name for a record that is not in the log', async () => {
    const { sink, log, pem, verifiers } = await start();
    for (let i = 0; i < 5; i++) await log.append({ type: 'mcp.request', requestId: `r${i}` });
    await log.close();
    const { objects } = await readTrail(sink);
    const receipt = proveRequest(objects, 'r3', pem)[0]!;
    const line = new TextDecoder().decode(parseProof(receipt.proof).extra);
    const forged = enc.encode(line.replace('"r3"', '"r9"'));
    const verdict = verifyProof(receipt.proof, { verifiers, record: forged });
    assert.deepEqual(verdict.ok, false);
    assert.match(
      (verdict as { reason: string }).reason,
      /the record given differs from the record the proof carries/,
    );
    const swapped = receipt.proof.replace(/^extra .*$/m, `extra ${Buffer.from(forged).toString('base64')}`);
    assert.match(
      (verifyProof(swapped, { verifiers }) as { reason: string }).reason,
      /^the inclusion proof does not lead from the record at index 4 to the checkpoint's root/,
    );
    assert.throws(() => proveRequest(objects, 'r9', pem), /the trail read holds no record of request r9/);
  });

  it('names the record no checkpoint covers yet, and never proves against a forged checkpoint', async () => {
    const { sink, log, pem } = await start();
    await log.append({ type: 'mcp.request', requestId: 'r1' });
    await log.checkpoint();
    await log.append({ type: 'mcp.response', requestId: 'r1' });
    const { objects } = await readTrail(sink);
    assert.throws(
      () => proveRequest(objects, 'r1', pem),
      /record 2 of gateway-.*: no checkpoint of stream .* covers record 2 yet/,
    );
    const other = await new MemoryKeys().getPublicKeyPem();
    assert.throws(() => proveRequest(objects, 'r1', other), /record 1 of .*no checkpoint/);
    await log.close();
  });
});
