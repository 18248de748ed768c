// `warden approvals list|show|approve|deny|cancel|break-glass|review-break-glass`: the approvals HTTP API from a
// terminal (docs/approvals.md).

import { resolve } from 'node:path';
import { CommandTokenSource } from '../bridge/command-token-source.ts';
import { describeError, parseCommandArgs, reportFailure, UsageError } from '../cli-errors.ts';
import { readStackFile } from '../stack-file.ts';

export const APPROVALS_USAGE = `  approvals list [--state PENDING --limit N] | show ID | approve ID --reason R --binding SHA | deny ID --reason R | cancel ID [--reason R]
            Review parked queries on the gateway's approvals API. \`show\` prints the exact SQL, the masking
            profile, the release limits and the bindingSha256; \`approve\` names that binding (--binding), so a
            request changed since you reviewed it is refused.
  approvals break-glass [--state pending|reviewed|all --limit N] | review-break-glass ID --outcome appropriate|inappropriate [--note TEXT]
            Review break-glass uses after the fact (45 CFR 164.312(a)(2)(ii)): \`break-glass\` lists them (pending
            by default); \`review-break-glass\` records your review in the signed audit trail. Not your own use; a
            later review of a use supersedes an earlier one.
            --binding SHA       the bindingSha256 of the request you reviewed (required to approve)
            --outcome O         appropriate or inappropriate (required to review a break-glass use)
            --note TEXT         why (optional; identifiers in it are masked before it is recorded)
            --url URL           the gateway (default: the local stack's)
            --state-dir DIR     the local stack's state (default .warden, env WARDEN_STATE_DIR)
            --token T           an ID token (default: env WARDEN_TOKEN, or --token-command)
            --token-command C   run C (split as warden bridge splits it, no shell) and use its output as the token`;

/** The options `warden approvals` takes. */
export const APPROVALS_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-command': { type: 'string' },
  state: { type: 'string' },
  reason: { type: 'string' },
  binding: { type: 'string' },
  outcome: { type: 'string' },
  note: { type: 'string' },
  limit: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `warden approvals` does to a request. */
export const APPROVALS_VERBS = [
  'list',
  'show',
  'approve',
  'deny',
  'cancel',
  'break-glass',
  'review-break-glass',
] as const;
const BREAK_GLASS_STATES = ['pending', 'reviewed', 'all'];
const OUTCOMES = ['appropriate', 'inappropriate'];

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Runs one approvals command; returns the exit code (0 done, 1 refused or failed, 2 a command-line mistake).
 * `stateDir` is the local stack's unless --state-dir names another.
 */
export async function approvalsCommand(
  args: string[],
  stateDir: string,
  io: Io = { out: console.log, err: console.error },
): Promise<number> {
  try {
    return await approvals(args, stateDir, io);
  } catch (err) {
    return reportFailure('warden approvals', err, io.err);
  }
}

async function approvals(args: string[], defaultStateDir: string, io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('warden approvals', args, APPROVALS_OPTIONS);
  if (values.help) {
    io.out(`Usage: warden ${APPROVALS_USAGE.trimStart()}`);
    return 0;
  }
  const [verb, id, ...extra] = positionals;
  const verbs = APPROVALS_VERBS.join(', ');
  if (!verb) throw new UsageError(`what to do? (${verbs})`);
  if (!(APPROVALS_VERBS as readonly string[]).includes(verb))
    throw new UsageError(`unknown action "${verb}" (${verbs})`);
  const listing = verb === 'list' || verb === 'break-glass';
  if (extra.length || (listing && id)) throw new UsageError(`unexpected argument "${extra[0] ?? id}"`);
  const fail = (m: string) => {
    io.err(`warden approvals: ${m}`);
    return 1;
  };
  // Mistakes in the command line are usage errors (exit 2), found before anything is read or sent.
  if (!listing && !id) throw new UsageError(`${verb} needs a request id`);
  if (verb === 'review-break-glass' && !OUTCOMES.includes(values.outcome ?? ''))
    throw new UsageError(
      values.outcome === undefined
        ? 'review-break-glass needs --outcome appropriate|inappropriate'
        : `--outcome "${values.outcome}" is not appropriate or inappropriate`,
    );
  if (values.note !== undefined && verb !== 'review-break-glass')
    throw new UsageError('--note is for review-break-glass');
  if (values.note !== undefined && !values.note.trim()) throw new UsageError('--note is empty');
  if (verb === 'break-glass' && values.state !== undefined && !BREAK_GLASS_STATES.includes(values.state))
    throw new UsageError(`--state "${values.state}" is not pending, reviewed or all`);
  if ((verb === 'approve' || verb === 'deny') && !values.reason?.trim())
    throw new UsageError(`${verb} needs --reason`);
  if (verb === 'approve' && !/^[0-9a-f]{64}$/.test(values.binding ?? ''))
    throw new UsageError(
      `approve needs --binding: the bindingSha256 that "warden approvals show ${id}" prints`,
    );
  if (values.limit !== undefined && !/^[1-9]\d*$/.test(values.limit))
    throw new UsageError(`--limit "${values.limit}" is not a positive integer`);
  const stateDir = values['state-dir'] ? resolve(values['state-dir']) : defaultStateDir;
  const local = values.url === undefined ? readStackFile(stateDir) : undefined;
  if (values.url === undefined && !local)
    return fail(`no --url given and no local stack in ${stateDir} (run "npm start", or pass --url)`);
  const url = (values.url ?? local!.gatewayUrl).replace(/\/$/, '');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--url "${url}" is not an http(s) URL`);
  let token = values.token ?? process.env['WARDEN_TOKEN'];
  if (!token && values['token-command'] !== undefined) {
    try {
      // Split like a shell word list (quotes kept), run without a shell: the same rules as `warden bridge`.
      token = await new CommandTokenSource(values['token-command'], { who: '--token-command' }).mint();
    } catch (err) {
      return fail(describeError(err));
    }
  }
  if (!token) throw new UsageError('an ID token is needed: --token, WARDEN_TOKEN or --token-command');

  const limit: Record<string, string> = values.limit ? { limit: values.limit } : {};
  const path = (
    verb === 'list'
      ? `/approvals?${new URLSearchParams({ ...(values.state ? { state: values.state.toUpperCase() } : {}), ...limit })}`
      : verb === 'break-glass'
        ? `/approvals/break-glass?${new URLSearchParams({ ...(values.state ? { state: values.state } : {}), ...limit })}`
        : verb === 'review-break-glass'
          ? `/approvals/break-glass/${encodeURIComponent(id!)}:review`
          : verb === 'show'
            ? `/approvals/${encodeURIComponent(id!)}`
            : `/approvals/${encodeURIComponent(id!)}:${verb}`
  ).replace(/\?$/, '');
  const post = !listing && verb !== 'show';
  const call = `${post ? 'POST' : 'GET'} ${url}${path.replace(/\?$/, '')}`;
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method: post ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(post ? { 'content-type': 'application/json' } : {}) },
      ...(post
        ? {
            body: JSON.stringify({
              ...(verb === 'review-break-glass'
                ? { outcome: values.outcome, ...(values.note ? { note: values.note } : {}) }
                : {}),
              ...(values.reason && verb !== 'review-break-glass' ? { reason: values.reason } : {}),
              ...(verb === 'approve' ? { binding: values.binding } : {}),
            }),
          }
        : {}),
    });
  } catch (err) {
    return fail(
      local
        ? `the local stack in ${stateDir} does not answer at ${url} (${describeError(err)}): is it running? ("npm start", or pass --url)`
        : `could not reach ${url} (${describeError(err)})`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as {
    error?: { message?: string };
    requests?: Summary[];
    uses?: UseSummary[];
  } & Summary &
    UseSummary;
  if (!res.ok) return fail(`${body.error?.message ?? 'refused'} (HTTP ${res.status} from ${call})`);
  if (verb === 'list') {
    const rows = body.requests ?? [];
    if (rows.length === 0) io.out('no requests');
    for (const r of rows)
      io.out(
        `${r.id}  ${r.state.padEnd(9)}  ${r.requester?.email ?? r.requester?.subject ?? '?'}  ${r.rule}  ${r.waitingFor}`,
      );
  } else if (verb === 'break-glass') {
    const uses = body.uses ?? [];
    if (uses.length === 0) io.out('no break-glass uses');
    for (const u of uses) io.out(useLine(u));
  } else if (verb === 'review-break-glass') {
    io.out(useLine(body));
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

interface UseSummary {
  requestId: string;
  status: string;
  at: string;
  rule: string;
  user?: { email?: string; subject?: string };
  review?: { reviewer: string; outcome: string; at: string };
}

/** One break-glass use on one line: id, status, when (UTC), who, rule, and the latest review. */
function useLine(u: UseSummary): string {
  const review = u.review ? `  ${u.review.outcome} by ${u.review.reviewer} at ${u.review.at}` : '';
  return `${u.requestId}  ${u.status.padEnd(8)}  ${u.at}  ${u.user?.email ?? u.user?.subject ?? '?'}  ${u.rule}${review}`;
}
