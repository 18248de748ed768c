// `warden audit check-proof`, run as a child process the way an auditor runs it: one good receipt, and each
// kind of tampering reported on one FAILED line with exit code 1; and receipts `warden audit prove` wrote.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../dev/stack.ts';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { hashLeaf, rootHash } from '../../shared/core/audit/merkle.ts';
import {
  ecdsaVerifier,
  formatCheckpoint,
  formatVerifierKey,
  kmsNoteSigner,
  signNote,
} from '../../shared/core/audit/note.ts';
import { formatProof, proveRecord, type TlogProof } from '../../shared/core/audit/proof.ts';
import { readTrail } from '../../shared/core/audit/trail.ts';
import { ManualClock, MemoryKeys, MemorySink } from '../../shared/test-support/memory-ports.ts';
import { spawnCli } from '../test-spawn.ts';
import { proveCommand } from './proof.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';
const ORIGIN = 'warden.example/audit/gateway-20260101T000000Z-1a2b3c4d5e6f';

const run = (args: string[]) =>
  spawnCli(args, { nodeArgs: ['--disable-warning=ExperimentalWarning'], cwd: REPO_ROOT });

describe('warden audit check-proof', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'warden-check-proof-'));
  const file = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const records = Array.from({ length: 9 }, (_, i) =>
    new TextEncoder().encode(
      `{"event":{"requestId":"r${i}","type":"mcp.request"},"seq":${i},"stream":"s","v":1}`,
    ),
  );
  let good: TlogProof;
  let kmsPem: string;
  const cases: {
    name: string;
    args: () => string[];
    code: number;
    out: RegExp;
  }[] = [];
  const proofFile = (name: string, proof: TlogProof | string) =>
    file(`${name}.tlog-proof`, typeof proof === 'string' ? proof : formatProof(proof));
  const flip = (b: Uint8Array, at = 0) => {
    const c = new Uint8Array(b);
    c[at]! ^= 1;
    return c;
  };

  before(async () => {
    const keys = new MemoryKeys();
    kmsPem = await keys.getPublicKeyPem();
    const note = await signNote(
      formatCheckpoint({
        origin: ORIGIN,
        size: 9,
        rootHash: rootHash(records.map(hashLeaf)),
        extensions: [],
      }),
      [kmsNoteSigner(keys, KEY, ORIGIN, kmsPem)],
    );
    good = proveRecord(6, records.map(hashLeaf), note, records[6]);
    file('kms.pem', kmsPem);
    file('vkey.txt', `${formatVerifierKey(ecdsaVerifier(ORIGIN, kmsPem))}\n`);
    file(
      'other.pem',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const pem = () => join(dir, 'kms.pem');
  cases.push(
    {
      name: 'accepts a good receipt that carries its record',
      args: () => [proofFile('good', good), '--public-key', pem()],
      code: 0,
      out: new RegExp(
        `^OK: record 6 is in ${ORIGIN} at tree size 9 \\(root [A-Za-z0-9+/]{43}=\\), signed by ${ORIGIN}\\+[0-9a-f]{8}\\n$`,
      ),
    },
    {
      name: 'accepts a receipt with the record in a file (its final newline ignored) and a C2SP verifier key',
      args: () => [
        proofFile('bare', { ...good, extra: undefined } as TlogProof),
        '--record',
        file('record.json', `${new TextDecoder().decode(records[6])}\n`),
        '--public-key',
        join(dir, 'vkey.txt'),
      ],
      code: 0,
      out: /^OK: record 6 is in /,
    },
    {
      name: 'reports a wrong index',
      args: () => [proofFile('index', { ...good, index: 7 }), '--public-key', pem()],
      code: 1,
      out: /^FAILED: the inclusion proof does not lead from the record at index 7 to the checkpoint's root/,
    },
    {
      name: 'reports an altered proof hash',
      args: () => [
        proofFile('hash', {
          ...good,
          inclusion: [good.inclusion[0]!, flip(good.inclusion[1]!), ...good.inclusion.slice(2)],
        }),
        '--public-key',
        pem(),
      ],
      code: 1,
      out: /^FAILED: the inclusion proof does not lead/,
    },
    {
      name: 'reports an altered record',
      args: () => [
        proofFile('record', { ...good, extra: undefined } as TlogProof),
        '--record',
        file('altered.json', flip(records[6]!, 30)),
        '--public-key',
        pem(),
      ],
      code: 1,
      out: /^FAILED: the inclusion proof does not lead/,
    },
    {
      name: 'reports another key',
      args: () => [proofFile('key', good), '--public-key', join(dir, 'other.pem')],
      code: 1,
      out: /^FAILED: checkpoint: no signature by a known key \(warden\.example\/audit\/gateway-.*\+[0-9a-f]{8}\)/,
    },
    {
      name: 'reports an altered checkpoint',
      args: () => [
        proofFile('checkpoint', { ...good, checkpoint: good.checkpoint.replace('\n9\n', '\n10\n') }),
        '--public-key',
        pem(),
      ],
      code: 1,
      out: /^FAILED: checkpoint: the signature by warden\.example\/audit\/gateway-.* does not verify/,
    },
    {
      name: 'reports a malformed proof',
      args: () => [
        proofFile('malformed', formatProof(good).replace('index 6', 'index 06')),
        '--public-key',
        pem(),
      ],
      code: 1,
      out: /^FAILED: malformed proof: line 3 is not "index/,
    },
    {
      name: 'reports a proof file that is not there',
      args: () => [join(dir, 'absent.tlog-proof'), '--public-key', pem()],
      code: 1,
      out: /^FAILED: cannot read the proof .*absent\.tlog-proof: no such file\n$/,
    },
    {
      name: 'needs --public-key (a usage error, exit 2)',
      args: () => [proofFile('nokey', good)],
      code: 2,
      out: /^$/,
    },
  );

  for (const c of cases)
    it(c.name, async () => {
      const { code, out, err } = await run(['audit', 'check-proof', ...c.args()]);
      assert.match(out, c.out, err);
      assert.equal(out.split('\n').length <= 2, true, 'one line');
      assert.equal(code, c.code, `${out}${err}`);
      if (c.code === 2) assert.match(err, /--public-key/);
    });
});

describe('warden audit prove, then check-proof', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'warden-prove-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a receipt per record of the request that check-proof accepts, and refuses another record', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
    await log.append({ type: 'mcp.request', requestId: 'req-1' });
    await log.append({ type: 'mcp.request', requestId: 'req-2' });
    await log.append({ type: 'mcp.response', requestId: 'req-1', status: 200 });
    await log.close();
    const pem = await keys.getPublicKeyPem();
    writeFileSync(join(dir, 'kms.pem'), pem);
    const lines: string[] = [];
    const code = proveCommand((await readTrail(sink)).objects, pem, 'req-1', join(dir, 'out'), {
      out: (l) => lines.push(l),
    });
    assert.equal(code, 0);
    assert.equal(lines.at(-1), '2 receipt(s) for request req-1');
    const files = readdirSync(join(dir, 'out')).sort();
    assert.equal(files.length, 2);
    assert.ok(
      files.every((f) => /^req-1-gateway-.*-(1|3)\.tlog-proof$/.test(f)),
      files.join(' '),
    );
    for (const f of files) {
      const { code: c, out } = await run([
        'audit',
        'check-proof',
        join(dir, 'out', f),
        '--public-key',
        join(dir, 'kms.pem'),
      ]);
      assert.equal(c, 0, out);
      assert.match(out, /^OK: record (1|3) is in warden\/audit\/gateway-\S+ at tree size 4 /);
    }
    const other = (await readTrail(sink)).objects
      .flatMap((o) => new TextDecoder().decode(o.data).split('\n'))
      .find((l) => l.includes('"req-2"'))!;
    const { code: c, out } = await run([
      'audit',
      'check-proof',
      join(dir, 'out', files[0]!),
      '--record',
      file(dir, 'req-2.json', other),
      '--public-key',
      join(dir, 'kms.pem'),
    ]);
    assert.equal(c, 1);
    assert.match(out, /^FAILED: the record given differs from the record the proof carries/);
  });

  it('lists prove and check-proof in warden audit --help', async () => {
    const { code, out } = await run(['audit', '--help']);
    assert.equal(code, 0);
    assert.match(out, /audit prove --request ID \[--out DIR\]/);
    assert.match(out, /audit check-proof FILE \[--record RECORD_FILE\] --public-key kms\.pem/);
  });
});

function file(dir: string, name: string, data: string) {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
}
