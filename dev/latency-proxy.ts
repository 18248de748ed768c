// Delaying proxies for what the local stack cannot delay itself: the official Firestore and Pub/Sub emulators
// (gRPC over cleartext HTTP/2: each answer takes the modelled time of its call kind) and the HTTP hops between
// functions (each request waits its hop's delay on top). Calls pass through unchanged; nothing in functions/
// or shared/ knows.

import { Agent, createServer, request } from 'node:http';
import {
  type ClientHttp2Session,
  connect,
  constants,
  createServer as createHttp2Server,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { type Latency, waitFor } from '../standins/latency.ts';
import { listen } from '../standins/net.ts';

/** A running proxy. */
export interface LatencyProxy {
  /** `127.0.0.1:port`, for an `*_EMULATOR_HOST` variable. */
  host: string;
  /** `http://127.0.0.1:port`. */
  url: string;
  close(): Promise<void>;
}

/** Options shared by both proxies. */
export interface LatencyProxyOptions {
  /** `host:port` of the server behind the proxy. */
  target: string;
  latency: Latency;
  /** The call kind of a request from its method and path (`/google.firestore.v1.Firestore/Commit`). */
  kindOf(method: string, path: string): string;
  /** Port to listen on (0, the default, picks a free one). */
  port?: number;
  /** Name for the listen error, e.g. `Firestore latency proxy`. */
  name?: string;
}

// Connection-specific headers (RFC 9113, section 8.2.2) may not be forwarded on HTTP/2.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * An HTTP/2 (h2c) proxy for gRPC: each stream waits its call kind's delay, then is forwarded on one shared
 * session to `target`, with its response headers, data and trailers (a trailers-only error answer included).
 */
export async function startGrpcLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  let session: ClientHttp2Session | undefined;
  const upstream = () => {
    if (!session || session.closed || session.destroyed) {
      session = connect(`http://${options.target}`);
      session.on('error', () => {
        // Each stream reports its own failure; a new session is made for the next call.
      });
    }
    return session;
  };
  const server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    void forwardStream(stream, headers, options, upstream);
  });
  const port = await listen(server, options.port ?? 0, '127.0.0.1', options.name ?? 'gRPC latency proxy');
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        session?.destroy();
        server.close(() => resolve());
        // Long-lived streams (Listen, StreamingPull) would hold close open.
        setTimeout(resolve, 500).unref();
      }),
  };
}

async function forwardStream(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  options: LatencyProxyOptions,
  upstream: () => ClientHttp2Session,
): Promise<void> {
  const started = performance.now();
  const kind = options.kindOf(String(headers[':method'] ?? 'POST'), String(headers[':path'] ?? '/'));
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === ':authority' || HOP_BY_HOP.has(name) || value === undefined) continue;
    out[name] = value;
  }
  out[':authority'] = options.target;
  let forward: ReturnType<ClientHttp2Session['request']>;
  try {
    forward = upstream().request(out, { endStream: false });
  } catch {
    stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  // The call goes through at once; its answer is held until the modelled time has passed since it arrived
  // (the emulator's own time counts towards it), then headers, data and trailers follow as they came.
  forward.pause();
  let trailers: IncomingHttpHeaders | undefined;
  forward.on('response', (responseHeaders, flags) => {
    void waitFor(options.latency, kind, started).then(() => {
      if (stream.destroyed) return;
      // A trailers-only answer (a gRPC error) ends the stream with its headers.
      const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond(stripped(responseHeaders), { endStream, waitForTrailers: !endStream });
      forward.resume();
    });
  });
  forward.on('trailers', (t) => {
    trailers = t;
  });
  stream.on('wantTrailers', () => {
    stream.sendTrailers(trailers ? stripped(trailers) : {});
  });
  forward.on('data', (chunk: Buffer) => {
    if (!stream.destroyed && !stream.write(chunk)) forward.pause();
  });
  stream.on('drain', () => forward.resume());
  forward.on('end', () => {
    if (!stream.destroyed && stream.headersSent && !stream.writableEnded) stream.end();
  });
  forward.on('error', () => {
    if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  });
  stream.on('close', () => {
    if (!forward.destroyed) forward.close(constants.NGHTTP2_CANCEL);
  });
  stream.pipe(forward);
}

function stripped(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') && name !== ':status') continue;
    if (HOP_BY_HOP.has(name) || value === undefined) continue;
    out[name] = value;
  }
  return out;
}

/**
 * An HTTP/1.1 proxy for a hop between functions (or from a client to one): each request waits its call kind's
 * delay, then goes to `target` with its method, path, headers and body. The Host header is the target's, as
 * the front end of a Cloud Run service presents it, so a function's allowed-hosts check still applies.
 */
export async function startHttpLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const [hostname, portText] = splitHost(options.target);
  const server = createServer((req, res) => {
    req.pause();
    void waitFor(options.latency, options.kindOf(req.method ?? 'GET', req.url ?? '/')).then(() => {
      if (req.destroyed) return;
      const headers = { ...req.headers, host: options.target };
      const forward = request(
        { hostname, port: Number(portText), method: req.method, path: req.url, headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      req.pipe(forward);
      req.resume();
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server, options.port ?? 0, '127.0.0.1', options.name ?? 'HTTP latency proxy');
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function splitHost(hostPort: string): [string, string] {
  const colon = hostPort.lastIndexOf(':');
  if (colon <= 0) throw new Error(`latency proxy: expected host:port, got ${hostPort}`);
  return [hostPort.slice(0, colon).replace(/^\[|\]$/g, ''), hostPort.slice(colon + 1)];
}

/** The call kind of a gRPC path, `/google.firestore.v1.Firestore/Commit` → `Commit`. */
export function grpcMethodOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
