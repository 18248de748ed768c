// Where `warden audit` reads a trail from: a --trail-dir copy of the bucket reads as the bucket does, for every
// audit command (here verify and search), and a copy that was altered fails verification.

import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { isRecordObject } from '../../shared/core/audit/layout.ts';
import { ManualClock, MemoryKeys, MemorySink } from '../../shared/test-support/memory-ports.ts';
import { auditCommand } from './cli.ts';
import { captured } from './test-capture.ts';
import { DirectorySink, filesUnder } from './trail-source.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

describe('warden audit --trail-dir', () => {
  let root: string;
  let copy: string;
  let pemFile: string;
  const run = (...args: string[]) => captured((io) => auditCommand(args, join(root, 'no-stack'), io));

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'warden-trail-dir-'));
    copy = join(root, 'copy');
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({ sink, keys, clock: new ManualClock(), kmsKeyVersion: KEY, writer: 'gateway' });
    await log.append({ type: 'mcp.request', requestId: 'req-1' });
    await log.append({ type: 'mcp.response', requestId: 'req-1', status: 200 });
    await log.close();
    // What `gcloud storage cp -r gs://BUCKET/v1 DIR` leaves: one file per object, by its name.
    for (const [name, data] of sink.objects) {
      mkdirSync(dirname(join(copy, name)), { recursive: true });
      writeFileSync(join(copy, name), data);
    }
    pemFile = join(root, 'kms.pem');
    writeFileSync(pemFile, await keys.getPublicKeyPem());
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('verifies a copy of the bucket', async () => {
    const r = await run('verify', '--trail-dir', copy, '--public-key', pemFile);
    assert.equal(r.code, 0, `${r.out}${r.err}`);
    assert.match(
      r.out,
      /^OK: 3 records in 1 streams, 1 digests checked, 1 checkpoints checked, .* 0 problems$/m,
    );
  });

  it('names the record altered in a copy and exits 1', async () => {
    const [name] = (await new DirectorySink(copy).list('v1/')).filter(isRecordObject);
    const file = join(copy, name!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('req-1', 'req-X'));
    const r = await run('verify', '--trail-dir', copy, '--public-key', pemFile);
    assert.equal(r.code, 1, `${r.out}${r.err}`);
    assert.match(r.out, new RegExp(`^PROBLEM \\S+ ${name}`, 'm'));
  });

  it('fails on a directory that holds no trail (the wrong folder), naming the problem', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const r = await run('verify', '--trail-dir', empty, '--public-key', pemFile);
    assert.equal(r.code, 1, `${r.out}${r.err}`);
    assert.match(r.out, /^PROBLEM empty \(none\): no audit object was found/m);
    assert.match(r.out, /^FAILED: 0 records in 0 streams/m);
  });

  it('searches a copy of the bucket', async () => {
    const r = await run('search', '--trail-dir', copy, '--request', 'req-1');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.out.split('\n').map((l) => (JSON.parse(l) as { event: { type: string } }).event.type),
      ['mcp.request', 'mcp.response'],
    );
  });

  it('fails a copy whose objects are symbolic links instead of verifying an empty trail', async () => {
    // A copy made of links (cp -rs): the objects must neither vanish from the trail nor be read elsewhere.
    const elsewhere = join(root, 'elsewhere');
    for (const name of filesUnder(copy)) {
      mkdirSync(dirname(join(elsewhere, name)), { recursive: true });
      renameSync(join(copy, name), join(elsewhere, name));
      symlinkSync(join(elsewhere, name), join(copy, name));
    }
    const r = await run('verify', '--trail-dir', copy, '--public-key', pemFile);
    assert.notEqual(r.code, 0, `${r.out}${r.err}`);
    assert.doesNotMatch(r.out, /^OK/m);
    assert.match(r.err, /--trail-dir: v1\/\S+ is a symbolic link, which is not followed/);
  });

  it('reports a linked folder as outside the layout and reads nothing through it', async () => {
    const outside = join(root, 'outside-streams');
    renameSync(join(copy, 'v1', 'streams'), outside);
    symlinkSync(outside, join(copy, 'v1', 'streams'));
    const r = await run('verify', '--trail-dir', copy, '--public-key', pemFile);
    assert.equal(r.code, 1, `${r.out}${r.err}`);
    assert.match(r.out, /^PROBLEM .*v1\/streams\b/m);
    const sink = new DirectorySink(copy);
    const [name] = filesUnder(outside);
    await assert.rejects(sink.read(`v1/streams/${name}`), /lies outside the directory/);
  });

  it('reads no name that climbs out of the directory', async () => {
    writeFileSync(join(root, 'secret'), 'not the trail');
    const sink = new DirectorySink(copy);
    for (const name of ['v1/../../secret', '../secret', 'v1//x', './v1/x'])
      await assert.rejects(sink.read(name), /is not an object name of the copy/);
  });

  it('refuses --bucket with --trail-dir as a usage error', async () => {
    const r = await run('verify', '--bucket', 'b', '--trail-dir', copy, '--public-key', pemFile);
    assert.equal(r.code, 2);
    assert.match(r.err, /--bucket or --trail-dir, not both/);
  });

  it('says a --trail-dir that is not a directory is not one', async () => {
    const r = await run('verify', '--trail-dir', join(root, 'nowhere'), '--public-key', pemFile);
    assert.equal(r.code, 1);
    assert.match(r.err, /--trail-dir \S+nowhere is not a directory/);
  });
});
