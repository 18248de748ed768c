// Glob patterns for policy and identity matching: `*` matches any run of characters.

const compiled = new Map<string, RegExp>();

/** True when `value` matches `pattern`, where `*` matches any run of characters (case-sensitive). */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  let re = compiled.get(pattern);
  if (!re) {
    // Patterns come from the policy and configuration, so the cache is bounded by their size.
    re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    compiled.set(pattern, re);
  }
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
