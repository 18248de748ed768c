// Identities and free text as Warden compares and records them: Unicode-normalised (NFKC), with the
// characters that render as nothing removed, so "ann@example.org " or a reason of zero-width spaces is seen
// for what it is.

// Format characters (zero-width space and joiners, bidi controls, soft hyphen, BOM, …).
const FORMAT = /\p{Cf}/u;
// Fillers that render blank without being whitespace or format characters.
const BLANK = new Set([
  0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180e, 0x180f, 0x2800, 0x3164, 0xffa0,
]);

/** True for a character that renders as nothing: a format character, a blank filler, or a non-space control. */
function isInvisible(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20) return cp < 0x09 || cp > 0x0d;
  if (cp >= 0x7f && cp <= 0x9f) return true;
  return BLANK.has(cp) || FORMAT.test(ch);
}

/** `text` NFKC-normalised, without invisible or control characters, whitespace runs as one space, trimmed. */
export function visibleText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) if (!isInvisible(ch)) out += ch;
  return out.replace(/\s+/gu, ' ').trim();
}

/** An email claim as policy compares it: visible text, lower case. */
export function normalizeEmail(email: string): string {
  return visibleText(email).toLowerCase();
}

/**
 * The mailbox an email delivers to, for telling people apart (separation of duties): normalised, with the
 * `+tag` of plus-addressing removed, so `ann+x@example.org` is `ann@example.org`. Stricter than comparing
 * addresses as written: two addresses that may reach one person count as one person.
 */
export function mailboxOf(email: string): string {
  const e = normalizeEmail(email);
  const at = e.lastIndexOf('@');
  if (at <= 0) return e;
  const local = e.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${e.slice(at)}`;
}
