// Warden's approvers' console in the browser: OIDC sign-in (authorization code + PKCE), then the approvals
// API with the ID token as Bearer. Plain DOM, no framework; data is only ever written as text, never as HTML.

const base = document.body.dataset.base ?? '';
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const who = /** @type {HTMLElement} */ (document.getElementById('who'));
const TOKEN_KEY = 'warden.console.idToken';
const FLOW_KEY = 'warden.console.signIn';
const RUNNING = new Set(['APPROVED', 'EXECUTING']);

/** Builds an element: attributes (strings; `class`, `for`, aria-*), children (nodes or text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function showError(message) {
  show(h('h1', {}, 'Something went wrong'), h('p', { role: 'alert', class: 'error' }, message));
}

// --- sign-in (RFC 6749 4.1 with RFC 7636 PKCE; OpenID Connect Core 3.1) ---------------------------------------

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The claims of a JWT, for display and expiry only: the gateway verifies the signature on every call. */
function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The stored ID token while it has more than 30 s left. */
function currentToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token ? claimsOf(token) : undefined;
  if (!token || !claims || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now() + 30_000) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  return token;
}

async function signIn(config) {
  const verifier = randomString(32);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomString(16);
  const nonce = randomString(16);
  const returnTo = location.pathname + location.search;
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

async function finishSignIn(config) {
  const params = new URLSearchParams(location.search);
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) ?? 'null');
  sessionStorage.removeItem(FLOW_KEY);
  if (params.get('error'))
    throw new Error(`Sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
  if (!flow || !params.get('code') || params.get('state') !== flow.state)
    throw new Error('Sign-in failed: the answer does not match a sign-in started here. Try again.');
  const res = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: config.redirectUri,
      client_id: config.clientId,
      code_verifier: flow.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.id_token !== 'string')
    throw new Error('Sign-in failed: the token exchange was refused.');
  if (claimsOf(body.id_token)?.nonce !== flow.nonce)
    throw new Error('Sign-in failed: the token is not for this sign-in.');
  sessionStorage.setItem(TOKEN_KEY, body.id_token);
  const target =
    typeof flow.returnTo === 'string' && flow.returnTo.startsWith(`${base}/console`) ? flow.returnTo : '';
  history.replaceState(
    null,
    '',
    target && !target.startsWith(`${base}/console/callback`) ? target : `${base}/console`,
  );
}

function showSignIn(config, note) {
  who.replaceChildren();
  const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
  button.addEventListener('click', () => void signIn(config).catch((e) => showError(e.message)));
  show(
    h('h1', {}, 'Sign in'),
    note ? h('p', { role: 'status' }, note) : '',
    h('p', {}, 'Approvers review parked queries here. Sign in with your organization account.'),
    button,
  );
  button.focus();
}

function showWho(token) {
  const c = claimsOf(token) ?? {};
  const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
  out.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.assign(`${base}/console`);
  });
  const groups = Array.isArray(c.groups) && c.groups.length ? ` (${c.groups.join(', ')})` : '';
  who.replaceChildren(h('span', { class: 'me' }, `${c.email ?? c.sub}${groups}`), ' ', out);
}

// --- the approvals API ---------------------------------------------------------------------------------------

class SignedOut extends Error {}

async function api(method, path, body) {
  const token = currentToken();
  if (!token) throw new SignedOut('Your session has ended.');
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    throw new SignedOut('Your session has ended.');
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? `The gateway answered ${res.status}.`);
  return json;
}

// --- formatting ---------------------------------------------------------------------------------------------

const SQL_KEYWORDS = new Set(
  `SELECT FROM WHERE AND OR NOT JOIN LEFT RIGHT INNER OUTER FULL CROSS ON AS GROUP BY ORDER LIMIT OFFSET HAVING
  UNION ALL DISTINCT WITH CASE WHEN THEN ELSE END IN IS NULL LIKE BETWEEN EXISTS INSERT UPDATE DELETE MERGE INTO
  VALUES SET CREATE TABLE VIEW DROP ALTER ASC DESC OVER PARTITION WINDOW QUALIFY EXCEPT INTERSECT USING UNNEST
  STRUCT ARRAY CAST SAFE_CAST TRUE FALSE COUNT SUM AVG MIN MAX`.split(/\s+/),
);
const SQL_TOKEN =
  /(--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(`[^`]*`)|(\b\d+(?:\.\d+)?\b)|(@@?\w+)|([A-Za-z_]\w*)/g;

/** SQL as a <pre><code> with spans per token class: text nodes only, so nothing in the SQL is ever markup. */
function highlightSql(sql) {
  const code = h('code', { class: 'sql' });
  let at = 0;
  for (const m of sql.matchAll(SQL_TOKEN)) {
    if (m.index > at) code.append(sql.slice(at, m.index));
    const [text, comment, string, ident, number, param, word] = m;
    const cls = comment
      ? 'c'
      : string
        ? 's'
        : ident
          ? 'i'
          : number
            ? 'n'
            : param
              ? 'p'
              : word && SQL_KEYWORDS.has(word.toUpperCase())
                ? 'k'
                : undefined;
    code.append(cls ? h('span', { class: `t-${cls}` }, text) : text);
    at = m.index + text.length;
  }
  code.append(sql.slice(at));
  return h('pre', { class: 'sql', tabindex: 0, 'aria-label': 'SQL' }, code);
}

/** Bytes (BigQuery reports them as a decimal string) in SI units, with the exact figure alongside. */
function formatBytes(n) {
  const v0 = typeof n === 'string' && /^\d+$/.test(n) ? Number(n) : n;
  if (typeof v0 !== 'number' || !Number.isFinite(v0)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = v0;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]} (${v0.toLocaleString()} bytes)`;
}

function timeLeft(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return 'expired';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'under a minute';
  const hours = Math.floor(min / 60);
  return hours > 0 ? `${hours} h ${min % 60} min` : `${min} min`;
}

/**
 * A time as ISO 8601 UTC to the second ("2026-03-01T09:00:00Z"): the same in every browser and time zone, and
 * as the audit trail and `warden audit report` write it, so an approver's screen and the evidence agree.
 */
function utcTime(iso) {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? String(iso) : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function time(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, utcTime(iso)) : '—';
}

function person(p) {
  if (!p) return '—';
  const groups = p.groups?.length ? ` (${p.groups.join(', ')})` : '';
  return `${p.email ?? p.subject}${groups}`;
}

function badge(state) {
  return h('span', { class: `badge state-${state.toLowerCase()}` }, state);
}

function requestLink(id, text = id) {
  return h('a', { href: `${base}/console/requests/${encodeURIComponent(id)}` }, text);
}

function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

/** The referenced tables with their PHI flags (filled in from GET /approvals/{id}/tables). */
function tablesList(r) {
  const list = h(
    'ul',
    { class: 'tables' },
    r.referencedTables.map((t) => h('li', {}, h('code', {}, t))),
  );
  api('GET', `/approvals/${encodeURIComponent(r.id)}/tables`)
    .then(({ tables }) => {
      list.replaceChildren(
        ...tables.map((t) => {
          const cols = Object.entries(t.phiColumns);
          return h(
            'li',
            {},
            h('code', {}, t.table),
            ' ',
            t.phi ? h('span', { class: 'badge phi' }, 'PHI') : h('span', { class: 'badge no-phi' }, 'no PHI'),
            cols.length
              ? h('span', { class: 'cols' }, ` ${cols.map(([c, k]) => `${c}: ${k}`).join(', ')}`)
              : '',
          );
        }),
      );
    })
    .catch(() => list.append(h('li', { class: 'muted' }, 'PHI classification unavailable')));
  return list;
}

function requestFacts(r) {
  return facts([
    ['Requester', person(r.requester)],
    ['On behalf of', r.onBehalfOf ? person(r.onBehalfOf) : 'nobody (the requester themself)'],
    ['Reason given', r.reason ?? '—'],
    ['Rule', `${r.rule} (policy ${r.policyVersion})`],
    ['PHI classes', r.phiClasses?.length ? r.phiClasses.join(', ') : 'none'],
    [
      'SQL analysis',
      r.analysis === 'partial'
        ? h(
            'strong',
            { class: 'warning' },
            'not fully analysed: every PHI column of its tables counts as read',
          )
        : 'complete',
    ],
    ['Masking profile', r.maskingProfile],
    [
      'Released at most',
      r.limits
        ? `${r.limits.values} values, ${r.limits.cells} cells, ${formatBytes(r.limits.bytes)}`
        : undefined,
    ],
    ['Bytes to process', formatBytes(r.totalBytesProcessed)],
    ['Requested', time(r.createdAt)],
    [
      'Time left',
      r.state === 'PENDING'
        ? h('span', { class: 'ttl', 'data-expires': r.expiresAt }, timeLeft(r.expiresAt))
        : undefined,
    ],
    ['Waiting for', r.state === 'PENDING' ? r.waitingFor : undefined],
    ['Tables', tablesList(r)],
  ]);
}

/** Approve or deny with a reason; on success, opens the request's page (where its execution shows). */
function reviewForm(r) {
  const fieldId = `reason-${r.id}`;
  // aria-required rather than required: the form explains a missing reason itself, in its status line.
  const reason = h('textarea', {
    id: fieldId,
    name: 'reason',
    rows: 2,
    'aria-required': 'true',
    maxlength: 2000,
  });
  const status = h('p', { role: 'status', class: 'form-status' });
  const approve = h('button', { type: 'submit', value: 'approve', class: 'primary' }, 'Approve');
  const deny = h('button', { type: 'submit', value: 'deny', class: 'danger' }, 'Deny');
  const form = h(
    'form',
    { class: 'review', 'aria-label': `Review request ${r.id}` },
    h('label', { for: fieldId }, 'Reason for your decision'),
    reason,
    h('div', { class: 'actions' }, approve, deny),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const verb = /** @type {SubmitEvent} */ (event).submitter?.value === 'deny' ? 'deny' : 'approve';
    if (!reason.value.trim()) {
      status.textContent = `A reason is required to ${verb}.`;
      reason.focus();
      return;
    }
    approve.disabled = deny.disabled = true;
    status.textContent = verb === 'approve' ? 'Approving…' : 'Denying…';
    try {
      // An approval names the binding this page shows: a request changed since is refused by the gateway.
      const body = {
        reason: reason.value.trim(),
        ...(verb === 'approve' ? { binding: r.bindingSha256 } : {}),
      };
      await api('POST', `/approvals/${encodeURIComponent(r.id)}:${verb}`, body);
      location.assign(`${base}/console/requests/${encodeURIComponent(r.id)}`);
    } catch (e) {
      if (e instanceof SignedOut) return void location.reload();
      status.textContent = e.message;
      approve.disabled = deny.disabled = false;
    }
  });
  return form;
}

// --- pages --------------------------------------------------------------------------------------------------

async function pendingPage() {
  document.title = 'Pending requests · Warden';
  const { requests } = await api('GET', '/approvals?state=PENDING&limit=100');
  const mine = claimsOf(currentToken())?.sub;
  show(
    h('h1', {}, 'Pending requests'),
    requests.length === 0
      ? h('p', {}, 'No requests are waiting for you.')
      : h(
          'ul',
          { class: 'cards' },
          requests.map((r) =>
            h(
              'li',
              {},
              h(
                'article',
                { class: 'request', 'data-request-id': r.id, 'aria-labelledby': `h-${r.id}` },
                h('h2', { id: `h-${r.id}` }, requestLink(r.id, `Request ${r.id}`), ' ', badge(r.state)),
                requestFacts(r),
                highlightSql(r.sql),
                r.requester.subject === mine
                  ? h('p', { class: 'muted' }, 'Your own request: someone else must review it.')
                  : reviewForm(r),
              ),
            ),
          ),
        ),
  );
}

async function historyPage() {
  document.title = 'History · Warden';
  const { requests } = await api('GET', '/approvals?limit=200');
  const rows = requests.map((r) =>
    h(
      'tr',
      {},
      h('td', {}, time(r.createdAt)),
      h('td', {}, requestLink(r.id, r.id.slice(0, 8))),
      h('td', {}, person(r.requester)),
      h('td', {}, r.rule),
      h('td', {}, badge(r.state)),
      h('td', {}, r.reviews.map((v) => `${v.decision} by ${v.approver}`).join('; ') || '—'),
      h('td', {}, r.execution?.finishedAt ? time(r.execution.finishedAt) : '—'),
    ),
  );
  show(
    h('h1', {}, 'History'),
    requests.length === 0
      ? h('p', {}, 'No requests yet.')
      : h(
          'table',
          { class: 'history' },
          h('caption', {}, 'Requests you may review, newest first'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Requested', 'Request', 'Requester', 'Rule', 'State', 'Decisions', 'Finished'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h('tbody', {}, rows),
        ),
  );
}

async function requestPage(id, config) {
  document.title = `Request ${id} · Warden`;
  const r = await api('GET', `/approvals/${encodeURIComponent(id)}`);
  const mine = claimsOf(currentToken())?.sub;
  const execution = h(
    'section',
    { 'aria-labelledby': 'h-exec' },
    h('h2', { id: 'h-exec' }, 'Execution'),
    executionFacts(r),
  );
  const audit = h('section', { 'aria-labelledby': 'h-audit' }, h('h2', { id: 'h-audit' }, 'Audit records'));
  show(
    h('h1', {}, `Request ${r.id} `, h('span', { id: 'state', 'aria-live': 'polite' }, badge(r.state))),
    requestFacts(r),
    h('h2', {}, 'SQL'),
    highlightSql(r.sql),
    r.params?.length ? h('p', {}, `Parameters: ${r.params.map((p) => p.name).join(', ')}`) : '',
    h('section', { 'aria-labelledby': 'h-reviews' }, h('h2', { id: 'h-reviews' }, 'Reviews'), reviewsList(r)),
    r.state === 'PENDING' && r.requester.subject !== mine ? reviewForm(r) : '',
    execution,
    audit,
  );
  void fillAudit(audit, id, config);
  // Follow the execution until it ends, so an approver sees the approved query run.
  let current = r;
  while (RUNNING.has(current.state)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    current = await api('GET', `/approvals/${encodeURIComponent(id)}`);
    document.getElementById('state')?.replaceChildren(badge(current.state));
    execution.replaceChildren(h('h2', { id: 'h-exec' }, 'Execution'), executionFacts(current));
  }
  if (current !== r) void fillAudit(audit, id, config);
}

function reviewsList(r) {
  if (r.reviews.length === 0) return h('p', {}, 'No reviews yet.');
  return h(
    'ul',
    {},
    r.reviews.map((v) =>
      h(
        'li',
        {},
        `${v.decision === 'approve' ? 'Approved' : 'Denied'} by ${v.approver}: “${v.reason}” `,
        time(v.at),
      ),
    ),
  );
}

function executionFacts(r) {
  const e = r.execution ?? {};
  return facts([
    ['State', badge(r.state)],
    ['Started', e.claimedAt ? time(e.claimedAt) : undefined],
    ['Finished', e.finishedAt ? time(e.finishedAt) : undefined],
    ['BigQuery job', e.jobId],
    ['Rows', e.rows !== undefined ? h('span', { class: 'rows' }, String(e.rows)) : undefined],
    ['Masked columns', e.maskedColumns?.length ? e.maskedColumns.join(', ') : undefined],
    ['Error', e.error ? `${e.error.kind}: ${e.error.message}` : undefined],
    [
      'Result',
      r.state === 'SUCCEEDED'
        ? 'Stored for the requester alone (get_query_result); approvers never see rows.'
        : undefined,
    ],
  ]);
}

async function fillAudit(section, id, config) {
  const heading = h('h2', { id: 'h-audit' }, 'Audit records');
  if (!config.auditRead) {
    section.replaceChildren(
      heading,
      h(
        'p',
        { class: 'muted' },
        'This gateway does not read the audit trail (CONSOLE_AUDIT_READ is off). Use the audit search and warden audit verify.',
      ),
    );
    return;
  }
  try {
    const a = await api('GET', `/approvals/${encodeURIComponent(id)}/audit`);
    const v = a.verification;
    section.replaceChildren(
      heading,
      h(
        'p',
        { class: v.ok ? 'verify ok' : 'verify failed', id: 'verification' },
        v.ok
          ? `Verified: ${a.records.length} records of this request; ${v.records} records in ${v.streams} streams check out (signatures, certificates, chains).`
          : `Verification FAILED: ${v.problems.length} problems in the streams holding this request's records.`,
      ),
      h(
        'table',
        { class: 'audit' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Time', 'Event', 'Stream / seq', 'Status'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          a.records.map((rec) =>
            h(
              'tr',
              { 'data-type': rec.type },
              h('td', {}, time(rec.time)),
              h('td', {}, h('code', {}, rec.type)),
              h('td', {}, h('code', {}, `${rec.stream} #${rec.seq}`)),
              h(
                'td',
                { class: rec.status },
                rec.status === 'verified' ? '✓ verified' : `✗ ${rec.problems.join('; ')}`,
              ),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    section.replaceChildren(heading, h('p', { class: 'error' }, e.message));
  }
}

// --- start --------------------------------------------------------------------------------------------------

async function start() {
  const res = await fetch(`${base}/console/config.json`);
  if (!res.ok) return showError('The sign-in provider is unavailable. Try again later.');
  const config = await res.json();
  const path = location.pathname.slice(base.length).replace(/\/+$/, '');
  if (path === '/console/callback') await finishSignIn(config);
  const token = currentToken();
  if (!token) return showSignIn(config);
  showWho(token);
  const route = location.pathname.slice(base.length).replace(/\/+$/, '');
  const request = /^\/console\/requests\/([^/]+)$/.exec(route);
  try {
    if (route === '/console/history') await historyPage();
    else if (request) await requestPage(decodeURIComponent(request[1]), config);
    else await pendingPage();
  } catch (e) {
    if (e instanceof SignedOut) return showSignIn(config, e.message);
    throw e;
  }
}

setInterval(() => {
  for (const el of document.querySelectorAll('.ttl')) el.textContent = timeLeft(el.dataset.expires);
}, 30_000);

start().catch((e) => showError(e.message));
