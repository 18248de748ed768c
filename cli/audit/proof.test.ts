// `warden audit check-proof`, run as a child process the way an auditor runs it: one good receipt, and each
// kind of tampering reported on one FAILED line with exit code 1.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../dev/stack.ts';
import { hashLeaf, rootHash } from '../../shared/core/audit/merkle.ts';
import {
  ecdsaVerifier,
  formatCheckpoint,
  formatVerifierKey,
  kmsNoteSigner,
  signNote,
} from '../../shared/core/audit/note.ts';
import { formatProof, proveRecord, type TlogProof } from '../../shared/core/audit/proof.ts';
import { MemoryKeys } from '../../shared/test-support/memory-ports.ts';

const CLI = join(REPO_ROOT, 'cli', 'cli.ts');
const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';
const ORIGIN = 'warden.example/audit/gateway-20260101T000000Z-1a2b3c4d5e6f';

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out, err });
    });
  });
}

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
