// The functions framework's per-request `domain`, measured: the real framework server (getTestServer: its
// Express app and wrapHttpFunction's domain.create per request) with a Warden-like handler (many awaited
// promises, a JSON answer), as registered before (`bare`) and as functions/*/index.ts registers it now
// (`outside`: shared/adapters/framework.ts), and the same handler on a plain node:http server in a process
// where no domain ever exists (`no-domain`, the floor). Each mode runs in its own process, since the domain
// module's async hook stays enabled for the whole process once one domain is made. Prints the server
// process's CPU per request (process.cpuUsage around the measured requests; the keep-alive client runs in the
// same process, one request at a time, alike in every mode, so the differences between modes are the server's).
//
//   node bench/framework-domain.ts [requests per round, default 2000] [promises per request, default 500]

import { spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const MODES = ['bare', 'outside', 'no-domain'] as const;
type Mode = (typeof MODES)[number];

/** About what one allowed call awaits in a function: `promises` awaited steps, then a small JSON answer. */
async function wardenLike(promises: number, res: { json(v: unknown): void }): Promise<void> {
  let sum = 0;
  for (let i = 0; i < promises; i++) sum += await Promise.resolve(i);
  res.json({ result: { rows: [{ code: 'A00' }], sum } });
}

/** Child: serves one mode, takes `requests` keep-alive requests, prints {cpuMsPerRequest}. */
async function child(mode: Mode, requests: number, promises: number): Promise<void> {
  let port: number;
  let close: () => void;
  if (mode === 'no-domain') {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      void wardenLike(promises, {
        json: (v) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(v));
        },
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  } else {
    const functions = await import('@google-cloud/functions-framework');
    const { getTestServer } = await import('@google-cloud/functions-framework/testing');
    const { outsideDomain } = await import('../shared/adapters/framework.ts');
    const handler = async (_req: unknown, res: { json(v: unknown): void }) => wardenLike(promises, res);
    functions.http('bench', mode === 'outside' ? outsideDomain('bench', handler) : handler);
    const server = getTestServer('bench');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  }
  const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.end('{"jsonrpc":"2.0","id":1,"method":"tools/call"}');
    });
  for (let i = 0; i < 200; i++) await one();
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await one();
  const used = process.cpuUsage(start);
  agent.destroy();
  close();
  process.stdout.write(
    `${JSON.stringify({ cpuMsPerRequest: (used.user + used.system) / 1000 / requests })}\n`,
  );
}

const [, , first, second, third] = process.argv;
if (first === '--child') {
  await child(second as Mode, Number(third), Number(process.argv[5]));
} else {
  const requests = Number(first ?? 2000);
  const promises = Number(second ?? 500);
  const self = fileURLToPath(import.meta.url);
  const rounds = 3;
  const figures: Record<Mode, number[]> = { bare: [], outside: [], 'no-domain': [] };
  for (let round = 0; round < rounds; round++)
    for (const mode of MODES) {
      const out = spawnSync(process.execPath, [self, '--child', mode, String(requests), String(promises)], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`${mode}: ${out.stderr.trim().split('\n').at(-1)}`);
      figures[mode].push(
        (JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as { cpuMsPerRequest: number })
          .cpuMsPerRequest,
      );
    }
  console.log(
    `${requests} requests per round, ${promises} awaited promises each, ${rounds} rounds; CPU ms per request (least / median):`,
  );
  for (const mode of MODES) {
    const sorted = [...figures[mode]].sort((a, b) => a - b);
    console.log(
      `  ${mode.padEnd(10)} ${sorted[0]?.toFixed(3)} / ${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)}`,
    );
  }
}
