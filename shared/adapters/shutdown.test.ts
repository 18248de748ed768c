import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { drainBeforeExit, type ShutdownProcess } from './shutdown.ts';

/** A process whose SIGTERM listeners include one like the functions framework's: exit at once. */
function fakeProcess(): ShutdownProcess & { emitter: EventEmitter; exits: (number | undefined)[] } {
  const emitter = new EventEmitter();
  const exits: (number | undefined)[] = [];
  const proc = {
    emitter,
    exits,
    prependListener: (event: 'SIGTERM' | 'SIGINT', listener: () => void) =>
      emitter.prependListener(event, listener),
    exit: ((code?: number) => {
      exits.push(code);
    }) as ShutdownProcess['exit'],
  };
  // Registered after Warden's module loaded (the framework registers when its server listens).
  const framework = () => proc.exit();
  emitter.on('SIGTERM', framework);
  emitter.on('SIGINT', framework);
  return proc;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('drainBeforeExit', () => {
  it("holds the framework's immediate exit until the drain has finished", async () => {
    const proc = fakeProcess();
    let finish!: () => void;
    let drains = 0;
    drainBeforeExit(
      () => {
        drains++;
        return new Promise<void>((r) => {
          finish = r;
        });
      },
      { log: () => {}, process: proc },
    );
    proc.emitter.emit('SIGTERM');
    await tick();
    assert.deepEqual(proc.exits, [], 'nothing exits while the audit log is closing');
    proc.emitter.emit('SIGTERM');
    assert.equal(drains, 1, 'a second signal does not start a second drain');
    finish();
    await tick();
    assert.equal(proc.exits.length, 2, 'both held exits go through once drained');
  });

  it('exits after the grace period when the drain hangs, and logs it', async () => {
    const proc = fakeProcess();
    const logged: string[] = [];
    drainBeforeExit(() => new Promise<void>(() => {}), {
      graceMs: 20,
      log: (m) => logged.push(m),
      process: proc,
    });
    proc.emitter.emit('SIGINT');
    await tick();
    assert.deepEqual(proc.exits, []);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(proc.exits, [undefined]);
    assert.match(logged.join('\n'), /did not finish within 20 ms/);
  });

  it('exits when the drain fails, logging the failure', async () => {
    const proc = fakeProcess();
    const logged: string[] = [];
    drainBeforeExit(() => Promise.reject(new Error('Cloud Storage write failed')), {
      log: (m) => logged.push(m),
      process: proc,
    });
    proc.emitter.emit('SIGTERM');
    await tick();
    assert.deepEqual(proc.exits, [undefined]);
    assert.match(logged.join('\n'), /drain failed/);
  });
});
