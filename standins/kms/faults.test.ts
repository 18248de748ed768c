import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { FaultQueue } from './faults.ts';

describe('kms stand-in fault queue', () => {
  it('hands out queued faults first in, first out, then nothing', () => {
    const faults = new FaultQueue();
    faults.add('Encrypt', status.UNAVAILABLE);
    faults.add('Encrypt', status.INTERNAL, 1, 'boom');
    assert.deepEqual(
      [faults.take('Encrypt'), faults.take('Encrypt'), faults.take('Encrypt')],
      [
        { code: status.UNAVAILABLE, message: 'injected UNAVAILABLE fault' },
        { code: status.INTERNAL, message: 'boom' },
        undefined,
      ],
    );
  });

  it('keeps faults of one method away from the others', () => {
    const faults = new FaultQueue();
    faults.add('Decrypt', status.ABORTED, 2);
    assert.equal(faults.take('Encrypt'), undefined);
    assert.equal(faults.take('Decrypt')?.code, status.ABORTED);
    assert.equal(faults.take('Decrypt')?.code, status.ABORTED);
    assert.equal(faults.take('Decrypt'), undefined);
  });

  it('drops everything on clear', () => {
    const faults = new FaultQueue();
    faults.add('MacSign', status.UNAVAILABLE, 3);
    faults.clear();
    assert.equal(faults.take('MacSign'), undefined);
  });

  it('refuses to queue an OK "fault"', () => {
    assert.throws(() => new FaultQueue().add('Encrypt', status.OK), /non-OK/);
  });
});
