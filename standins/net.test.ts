import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort, isListening, isPortFree, listen, PortInUseError } from './net.ts';

describe('listen', () => {
  it('names the port and what wanted it when the port is taken', async () => {
    const holder = createServer();
    const port = await listen(holder, 0, '127.0.0.1', 'holder');
    try {
      assert.equal(await isPortFree(port), false);
      await assert.rejects(
        listen(createServer(), port, '127.0.0.1', 'gateway'),
        (e) =>
          e instanceof PortInUseError &&
          e.port === port &&
          /Port \d+ \(gateway\) is already in use/.test(e.message),
      );
    } finally {
      holder.close();
    }
  });
});

describe('isListening', () => {
  it('is true for a port something listens on and false for one nothing does', async () => {
    const holder = createServer();
    const port = await listen(holder, 0, '127.0.0.1', 'holder');
    try {
      assert.equal(await isListening('127.0.0.1', port), true);
    } finally {
      holder.close();
    }
    assert.equal(await isListening('127.0.0.1', await freePort()), false);
  });
});
