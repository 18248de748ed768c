// Small networking helpers for the local stack: listen with a clear message when a port is taken, find free
// ports, and probe whether something listens (a stand-in named by a stale stack.json may not).

import { connect, createServer, type Server } from 'node:net';

/** Thrown when a port the local stack needs is already in use. */
export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, what: string) {
    super(
      `Port ${port} (${what}) is already in use. Stop whatever holds it, or choose another port base with WARDEN_PORT_BASE.`,
    );
    this.port = port;
    this.name = 'PortInUseError';
  }
}

/** Listens on host:port (0 = any free port) and resolves with the bound port. */
export function listen(
  server: Server | import('node:http').Server,
  port: number,
  host: string,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, what) : err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** True when nothing listens on host:port. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  try {
    await listen(server, port, host, 'probe');
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  }
}

/** A free loopback port, chosen by the OS. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0, host, 'probe');
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Ports the local stack uses from its port base (base … base + STACK_PORTS - 1). */
export const STACK_PORTS = 13;

/**
 * A base of `count` consecutive free loopback ports between 20000 and 32767, below Linux's ephemeral range
 * (32768–60999), so an outgoing connection cannot take one between this check and the bind.
 */
export async function freePortBlock(count = STACK_PORTS): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + count * Math.floor(Math.random() * Math.floor((32_767 - 20_000 - count) / count));
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => isPortFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free loopback ports found`);
}

/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
