// `warden approvals list|show|approve|deny|cancel`: the approvals HTTP API from a terminal.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CommandTokenSource } from '../bridge/command-token-source.ts';

export const APPROVALS_USAGE = `  approvals list [--state PENDING] | show ID | approve ID --reason R --binding SHA | deny ID --reason R | cancel ID [--reason R]
            Review parked queries on the gateway's approvals API. \`show\` prints the exact SQL, the masking
            profile, the release limits and the bindingSha256; \`approve\` names that binding (--binding), so a
            request changed since you reviewed it is refused.
            --binding SHA       the bindingSha256 of the request you reviewed (required to approve)
            --url URL           the gateway (default: the local stack's)
            --token T           an ID token (default: env WARDEN_TOKEN, or --token-command)
            --token-command C   run C (split as warden bridge splits it, no shell) and use its output as the token`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs one approvals command; returns the exit code. */
export async function approvalsCommand(
  args: string[],
  stateDir: string,
  io: Io = { out: console.log, err: console.error },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'token-command': { type: 'string' },
      state: { type: 'string' },
      reason: { type: 'string' },
      binding: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const [verb, id] = positionals;
  const fail = (m: string) => {
    io.err(`warden approvals: ${m}`);
    return verb ? 1 : 2;
  };
  if (!verb || !['list', 'show', 'approve', 'deny', 'cancel'].includes(verb))
    return fail(`usage:\n${APPROVALS_USAGE}`);
  if (verb !== 'list' && !id) return fail(`${verb} needs a request id`);
  if ((verb === 'approve' || verb === 'deny') && !values.reason?.trim())
    return fail(`${verb} needs --reason`);
  if (verb === 'approve' && !/^[0-9a-f]{64}$/.test(values.binding ?? ''))
    return fail(`approve needs --binding: the bindingSha256 that "warden approvals show ${id}" prints`);
  const url = (values.url ?? localGateway(stateDir))?.replace(/\/$/, '');
  if (!url) return fail('no --url and no local stack found (run "npm start" or pass --url)');
  let token = values.token ?? process.env['WARDEN_TOKEN'];
  if (!token && values['token-command'] !== undefined) {
    try {
      // Split like a shell word list (quotes kept), run without a shell: the same rules as `warden bridge`.
      token = await new CommandTokenSource(values['token-command'], { who: 'warden approvals' }).mint();
    } catch (err) {
      io.err(err instanceof Error ? err.message : String(err));
      return 1;
    }
  }
  if (!token) return fail('an ID token is needed: --token, WARDEN_TOKEN or --token-command');

  const path =
    verb === 'list'
      ? `/approvals?${new URLSearchParams({ ...(values.state ? { state: values.state.toUpperCase() } : {}), ...(values.limit ? { limit: values.limit } : {}) })}`
      : verb === 'show'
        ? `/approvals/${encodeURIComponent(id!)}`
        : `/approvals/${encodeURIComponent(id!)}:${verb}`;
  const post = verb !== 'list' && verb !== 'show';
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method: post ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(post ? { 'content-type': 'application/json' } : {}) },
      ...(post
        ? {
            body: JSON.stringify({
              ...(values.reason ? { reason: values.reason } : {}),
              ...(verb === 'approve' ? { binding: values.binding } : {}),
            }),
          }
        : {}),
    });
  } catch {
    return fail(`could not reach ${url}`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    error?: { message?: string };
    requests?: Summary[];
  } & Summary;
  if (!res.ok) return fail(body.error?.message ?? `HTTP ${res.status}`);
  if (verb === 'list') {
    const rows = body.requests ?? [];
    if (rows.length === 0) io.out('no requests');
    for (const r of rows)
      io.out(
        `${r.id}  ${r.state.padEnd(9)}  ${r.requester?.email ?? r.requester?.subject ?? '?'}  ${r.rule}  ${r.waitingFor}`,
      );
  } else {
    io.out(JSON.stringify(body, null, 2));
  }
  return 0;
}

interface Summary {
  id: string;
  state: string;
  rule: string;
  waitingFor: string;
  requester?: { email?: string; subject?: string };
}

function localGateway(stateDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { gatewayUrl?: string })
      .gatewayUrl;
  } catch {
    return undefined;
  }
}
