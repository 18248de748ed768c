// Preloaded (node --import) into the local stack's function processes: a server that names no host listens on
// 127.0.0.1, not on every interface, since the functions framework passes only a port to listen().

import { Server } from 'node:net';

const listen = Server.prototype.listen;
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  // listen(port) and listen(port, callback), the port a number or a numeric string (the framework passes its
  // --port argument as is): the forms that bind every interface.
  const port = args[0];
  const isPort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
  if (isPort && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;
