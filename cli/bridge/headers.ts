// Fixed headers for every gateway request (`--header NAME=VALUE`), validated so that they can neither inject
// lines nor replace the headers the bridge and the MCP transport set.

/** An HTTP field name (RFC 9110 token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the bridge or the transport owns. */
const RESERVED = new Set([
  'authorization',
  'proxy-authorization',
  'host',
  'content-length',
  'content-type',
  'accept',
  'connection',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);

/** A fixed header: lower-case name and value. */
export type FixedHeader = readonly [name: string, value: string];

/** Parses one `NAME=VALUE`; throws with a message naming the problem. */
export function parseHeader(arg: string): FixedHeader {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--header "${printable(arg)}" is not NAME=VALUE`);
  const name = trimBlanks(arg.slice(0, eq)).toLowerCase();
  const value = trimBlanks(arg.slice(eq + 1));
  if (!FIELD_NAME.test(name))
    throw new Error(`--header name "${printable(name)}" is not a valid header name`);
  if (RESERVED.has(name))
    throw new Error(
      name === 'authorization'
        ? '--header may not set authorization: the bridge sends the ID token itself'
        : `--header may not set ${name}: the bridge's transport sets it`,
    );
  if (hasControlCharacter(value))
    throw new Error(`--header ${name} has a control character (CR, LF, NUL …) in its value`);
  if (!value) throw new Error(`--header ${name} has an empty value`);
  return [name, value];
}

/** Parses every `--header`; a name given twice is an error. */
export function parseHeaders(args: readonly string[]): FixedHeader[] {
  const headers = args.map(parseHeader);
  const names = new Set<string>();
  for (const [name] of headers) {
    if (names.has(name)) throw new Error(`--header ${name} is given more than once`);
    names.add(name);
  }
  return headers;
}

/** `s` without leading and trailing spaces and tabs (CR and LF stay, to be refused). */
function trimBlanks(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** True if `s` has a control character other than tab: CR and LF would split the header, NUL is never valid. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** `s` with control characters shown as escapes, for error messages. */
function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}
