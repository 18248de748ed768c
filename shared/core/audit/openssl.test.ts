// Independent verification, as docs/audit-format.md describes it: the `openssl` command line checks a
// certificate, a record and a digest. Nothing from Warden is used but canonicalization (RFC 8785).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { AuditLog } from './audit-log.ts';
import { canonicalize } from './canonical-json.ts';
import type { ObjectKind } from './layout.ts';
import { readTrail } from './trail.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

function openssl(args: string[]): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

describe('verification with openssl alone', () => {
  let dir: string;
  let objects: Record<string, unknown>[][];
  let lines: Record<string, unknown>[];
  let digest: Record<string, unknown>;
  let kmsPem: string;

  before(async () => {
    try {
      execFileSync('openssl', ['version']);
    } catch {
      throw new Error('openssl is not installed (apt-get install openssl)');
    }
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
    await log.append({
      type: 'mcp.request',
      requestId: 'r1',
      rpc: { method: 'tools/call', tool: 'execute_sql' },
    });
    // Two appends in flight share one object (group commit); each of its lines is signed.
    await Promise.all([
      log.append({ type: 'mcp.response', requestId: 'r1', status: 200 }),
      log.append({ type: 'mcp.request', requestId: 'r2', rpc: { method: 'tools/list' } }),
    ]);
    await log.close();
    const text = async (kind: ObjectKind) =>
      (await readTrail(sink, { kinds: [kind] })).objects.map((o) => new TextDecoder().decode(o.data));
    objects = (await text('streams')).map((t) =>
      t
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    lines = objects.flat();
    digest = JSON.parse((await text('digests'))[0]!);
    kmsPem = await keys.getPublicKeyPem();
    dir = mkdtempSync(join(tmpdir(), 'warden-openssl-'));
    writeFileSync(join(dir, 'kms.pem'), kmsPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const verify = (pem: string, sigB64: string, body: string) =>
    openssl([
      'dgst',
      '-sha256',
      '-verify',
      pem,
      '-signature',
      file('sig.der', Buffer.from(sigB64, 'base64')),
      file('body.json', body),
    ]).trim();

  it('the stream certificate verifies with the KMS public key', () => {
    const cert = (lines[0]!['event'] as { certificate: { body: unknown; kmsSignature: string } }).certificate;
    assert.equal(
      verify(join(dir, 'kms.pem'), cert.kmsSignature, canonicalize(cert.body as never)),
      'Verified OK',
    );
  });

  it('every record verifies with the certified instance key, and openssl fails on an altered one', () => {
    const cert = (lines[0]!['event'] as { certificate: { body: { publicKeyPem: string } } }).certificate;
    const instancePem = file('instance.pem', cert.body.publicKeyPem);
    assert.deepEqual(
      objects.map((o) => o.length),
      [2, 2],
      'stream.start and the first record, then two records written together',
    );
    for (const record of lines) {
      const { sig, ...body } = record as { sig: string };
      assert.equal(verify(instancePem, sig, canonicalize(body as never)), 'Verified OK');
    }
    const { sig, ...body } = lines[2] as { sig: string; seq: number };
    assert.match(
      verify(instancePem, sig, canonicalize({ ...body, seq: 7 } as never)),
      /Verification failure/,
    );
  });

  it("each record's prev is `openssl dgst -sha256` of the previous body", () => {
    for (let i = 1; i < lines.length; i++) {
      const { sig: _s, ...prevBody } = lines[i - 1] as { sig: string };
      const out = openssl(['dgst', '-sha256', '-r', file('prev.json', canonicalize(prevBody as never))]);
      assert.equal(out.split(' ')[0], lines[i]!['prev']);
    }
  });

  it('the documented shell procedure verifies every line, U+007F and lone surrogates included', async () => {
    // jq -cjS is not RFC 8785 for these (it escapes U+007F and replaces a lone surrogate with U+FFFD); the
    // stored line is the canonical body with "sig" appended last, so cutting "sig" off gives the signed bytes.
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
    // One object (group commit): stream.start and the three records.
    await Promise.all([
      log.append({ type: 'mcp.request', requestId: 'del', sql: 'SELECT "\u007f" -- DEL' }),
      log.append({ type: 'mcp.request', requestId: 'surrogate', sql: 'SELECT "\ud800" -- lone' }),
      log.append({ type: 'mcp.request', requestId: 'both', sql: '\udc00\u007f\u2028é' }),
    ]);
    await log.close();
    const [name] = await sink.list('v1/streams/');
    const object = file('object.jsonl', Buffer.from(await sink.read(name!)));
    const sh = (script: string) =>
      execFileSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    sh(`head -n 1 ${object} | jq -r '.event.certificate.body.publicKeyPem' > instance.pem`);
    const count = Number(sh(`wc -l < ${object}`).trim());
    assert.equal(count, 4);
    for (let n = 2; n <= count; n++) {
      // The commands of docs/audit-format.md "Verifying", step 2.
      const out = sh(
        `sed -n ${n}p ${object} > record.json
         sed -E 's|,"sig":"[A-Za-z0-9+/=]+"}$|}|' record.json | tr -d '\n' > body.json
         sed -E 's|.*,"sig":"([A-Za-z0-9+/=]+)"}$|\\1|' record.json | base64 -d > record.sig
         openssl dgst -sha256 -verify instance.pem -signature record.sig body.json || true`,
      );
      assert.equal(out.trim(), 'Verified OK', `line ${n}`);
      // …and the hash the next record's prev holds.
      const hash = sh('sha256sum body.json').split(' ')[0];
      const lines = new TextDecoder()
        .decode(await sink.read(name!))
        .trim()
        .split('\n');
      const { sig: _sig, ...body } = JSON.parse(lines[n - 1]!) as { sig: string };
      assert.equal(
        hash,
        createHash('sha256')
          .update(canonicalize(body as never))
          .digest('hex'),
      );
      if (n < count) assert.equal(JSON.parse(lines[n]!).prev, hash);
    }
    // jq refuses the line with a lone surrogate, or (older versions) rewrites it: either way not the signed bytes.
    let viaJq: string | undefined;
    try {
      viaJq = sh(`sed -n 3p ${object} | jq -cjS 'del(.sig)'`);
    } catch {
      viaJq = undefined;
    }
    const exact = sh(`sed -n 3p ${object} | sed -E 's|,"sig":"[A-Za-z0-9+/=]+"}$|}|' | tr -d '\n'`);
    assert.notEqual(viaJq, exact, 'jq -cjS would not give the signed bytes of a lone surrogate');
  });

  it('the digest verifies with the KMS public key and lists the record objects by SHA-256', () => {
    const { kmsSignature, ...body } = digest as { kmsSignature: string; objects: unknown[] };
    assert.equal(verify(join(dir, 'kms.pem'), kmsSignature, canonicalize(body as never)), 'Verified OK');
    assert.equal(body.objects.length, 2);
  });
});
