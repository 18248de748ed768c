// The import rules `npm run check` enforces: no import cycle (between files, or between the folders of
// shared/core); no import from the product (shared/, functions/, the shipped cli/) into the dev stack (dev/) or
// the stand-ins (standins/), or from the pure core into I/O; and the stand-ins, their own workspace package,
// import nothing outside it and no package their package.json does not declare.
//
// Our own small checker rather than dependency-cruiser or madge: dependency-cruiser 18 refuses TypeScript 7.0
// (it supports typescript <7.0 or >=7.1) and would need swc as a second dependency, and madge brings its own
// TypeScript 5 and has no folder-level cycles or forbidden-import rules. Sources here are erasable TypeScript
// with explicit `.ts` specifiers, so a scanner of import statements and a strongly-connected-components pass
// over the graph is all it takes.
//
//   node tools/build/import-rules.ts [--root DIR]    exit 1 and one line per violation, else a summary line

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An import the product must not make: files under one of `from` may not import anything under `to`. */
export interface ForbiddenRule {
  name: string;
  /** Repository-relative folder prefixes (`shared/core/`). */
  from: string[];
  /** Repository-relative folder prefixes, or package name prefixes (`@google-cloud/`). */
  to: string[];
  /** Instead of `to`: every file of the repository outside this folder (`standins/`). */
  outside?: string;
  /** Tests and their helpers (`*.test.ts`, `test-*.ts`) under `from` are not held to the rule: nothing ships them. */
  exceptTests?: boolean;
  /** Imports allowed by name: file `from` may import file `to`, by dynamic `import()` only (never statically). */
  lazy?: { from: string; to: string }[];
  /**
   * Held to the rule through everything a file under `from` reaches (its imports' imports, dynamic ones too),
   * not only its own imports; the violation names the path.
   */
  transitive?: boolean;
  why: string;
}

/** A workspace package whose sources may import only the packages its package.json declares (and `node:`). */
export interface PackageRule {
  name: string;
  /** The package's folder (`standins/`); its package.json is `<dir>package.json`. */
  dir: string;
  why: string;
}

/** The forbidden imports (issue 23: three houses, the product, the dev stack and the stand-ins). */
export const FORBIDDEN: ForbiddenRule[] = [
  {
    name: 'product-into-dev',
    from: ['shared/', 'functions/'],
    to: ['cli/', 'dev/', 'standins/', 'tools/', 'bench/', 'emulator-tests/'],
    why: 'the product does not depend on the CLI, the dev stack, the stand-ins, the tools, the bench or the emulator tests',
  },
  {
    name: 'cli-into-dev',
    from: ['cli/', 'tools/'],
    to: ['dev/', 'standins/', 'bench/', 'emulator-tests/'],
    exceptTests: true,
    // `warden start` and `warden token` are the two commands that need the local stack.
    lazy: [{ from: 'cli/cli.ts', to: 'dev/commands.ts' }],
    why:
      'the shipped warden command and the bundler do not depend on the dev stack or the stand-ins ' +
      '(cli/cli.ts loads dev/commands.ts lazily, for warden start and warden token)',
  },
  {
    name: 'standins-stand-alone',
    from: ['standins/'],
    to: [],
    outside: 'standins/',
    why: 'the stand-ins are their own package (standins/package.json): they import nothing of Warden',
  },
  {
    name: 'shared-into-functions',
    from: ['shared/'],
    to: ['functions/'],
    // A shared adapter's test may drive a function's handler through functions/test-support/rig.ts.
    exceptTests: true,
    why: 'shared/ is what the functions are built from: it never imports a function (the test rig lives in functions/test-support/)',
  },
  {
    // The composition roots make every wiring decision over ports, so tests compose the functions on in-memory
    // ports as production does on Google's (functions/*/ports.ts, the only files that build clients).
    name: 'compose-pure',
    from: [
      'functions/gateway/compose.ts',
      'functions/executor/compose.ts',
      'functions/notifier/compose.ts',
      'shared/adapters/function-compose.ts',
    ],
    to: [
      '@google-cloud/bigquery',
      '@google-cloud/firestore',
      '@google-cloud/kms',
      '@google-cloud/pubsub',
      '@google-cloud/storage',
      '@grpc/',
      'google-auth-library',
      'shared/adapters/clients.ts',
    ],
    transitive: true,
    why: 'a composition root (compose.ts) reaches no Google client library: clients are built in its ports.ts',
  },
  {
    name: 'core-is-pure',
    from: ['shared/core/'],
    to: ['@google-cloud/', 'shared/adapters/', 'functions/', 'shared/mcp/'],
    why: 'shared/core is pure domain logic: no GCP client, adapter, function or MCP wiring',
  },
];

/** The workspace packages held to their own package.json. */
export const PACKAGES: PackageRule[] = [
  {
    name: 'standins-undeclared-package',
    dir: 'standins/',
    why: 'a stand-in imports only what standins/package.json declares',
  },
];

/** Folders scanned for `.ts` sources, relative to the repository root. */
export const SOURCE_DIRS = [
  'shared',
  'functions',
  'cli',
  'dev',
  'standins',
  'tools',
  'bench',
  'emulator-tests',
  'bin',
  'terraform',
  'deploy',
];

/** The folder whose subfolders must not import each other in a cycle. */
export const LAYERED_DIR = 'shared/core';

export interface Violation {
  rule: 'file-cycle' | 'folder-cycle' | ForbiddenRule['name'] | PackageRule['name'];
  message: string;
}

/** One import: the importing file and what it names (a repository-relative path, or a package specifier). */
export interface ImportEdge {
  from: string;
  to: string;
  /** True when `to` is a file of the repository, false for a package (`zod`, `node:fs`). */
  local: boolean;
  /** True for `import('…')`, loaded when that line runs rather than with the importing module. */
  dynamic?: boolean;
}

type Token = { kind: 'id' | 'str' | 'punct'; value: string };

// After these, a `/` starts a regular expression rather than a division.
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
]);

/**
 * The tokens of `source` that import statements are made of: identifiers, string literals and punctuation.
 * Comments, template literals (apart from their `${…}` code) and regular expressions are skipped, so an import
 * written inside a test's template string or a comment is not taken for one.
 */
function tokenize(source: string): Token[] {
  const out: Token[] = [];
  const braces: number[] = []; // open `{` count per `${` we are inside
  let i = 0;
  const n = source.length;
  const template = (): void => {
    // i is just after a backtick or the `}` closing a `${`
    while (i < n) {
      const c = source[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        return;
      } else if (c === '$' && source[i + 1] === '{') {
        i += 2;
        braces.push(0);
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < n && source[j] !== c && source[j] !== '\n') {
        if (source[j] === '\\') j++;
        value += source[j] ?? '';
        j++;
      }
      out.push({ kind: 'str', value });
      i = j + 1;
    } else if (c === '`') {
      i++;
      template();
    } else if (c === '{') {
      if (braces.length > 0) braces[braces.length - 1]!++;
      out.push({ kind: 'punct', value: c });
      i++;
    } else if (c === '}') {
      i++;
      if (braces.length > 0 && braces[braces.length - 1] === 0) {
        braces.pop();
        template();
      } else {
        if (braces.length > 0) braces[braces.length - 1]!--;
        out.push({ kind: 'punct', value: c });
      }
    } else if (c === '/') {
      const prev = out.at(-1);
      const regex =
        prev === undefined ||
        (prev.kind === 'punct' && !')]}'.includes(prev.value)) ||
        (prev.kind === 'id' && BEFORE_REGEX.has(prev.value));
      if (!regex) {
        out.push({ kind: 'punct', value: c });
        i++;
        continue;
      }
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n') {
        const d = source[j]!;
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      i = j + 1;
      while (i < n && /[a-z]/i.test(source[i]!)) i++;
      out.push({ kind: 'id', value: '<regex>' }); // a value, never a specifier
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(source[j]!)) j++;
      out.push({ kind: 'id', value: source.slice(i, j) });
      i = j;
    } else if (/\s/.test(c)) i++;
    else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(source[j]!)) j++;
      out.push({ kind: 'id', value: source.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return out;
}

/**
 * The module specifiers `source` imports: static imports and re-exports (type-only ones too: a type import
 * is a dependency of the design, and the cycle it makes is one), side-effect imports and `import('…')`.
 */
export function importSpecifiers(source: string): string[] {
  return importsOf(source).map((i) => i.spec);
}

/** {@link importSpecifiers}, each with whether it is a dynamic `import('…')`. */
export function importsOf(source: string): { spec: string; dynamic: boolean }[] {
  const tokens = tokenize(source);
  const specs: { spec: string; dynamic: boolean }[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'id' || (t.value !== 'import' && t.value !== 'export')) continue;
    const before = tokens[k - 1];
    if (before?.kind === 'punct' && before.value === '.') continue; // x.import
    const next = tokens[k + 1];
    if (t.value === 'import' && next?.kind === 'str') {
      specs.push({ spec: next.value, dynamic: false }); // import 'x'
      continue;
    }
    if (t.value === 'import' && next?.kind === 'punct' && next.value === '(') {
      const arg = tokens[k + 2];
      const after = tokens[k + 3];
      if (arg?.kind === 'str' && after?.kind === 'punct' && (after.value === ')' || after.value === ','))
        specs.push({ spec: arg.value, dynamic: true });
      continue;
    }
    // import … from 'x' / export … from 'x': the first string after the keyword, if `from` precedes it.
    for (let m = k + 1; m < tokens.length; m++) {
      const u = tokens[m]!;
      if (u.kind === 'punct' && u.value === ';') break;
      if (u.kind === 'str') {
        const prev = tokens[m - 1]!;
        if (prev.kind === 'id' && prev.value === 'from') specs.push({ spec: u.value, dynamic: false });
        break;
      }
    }
  }
  return specs;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Every import of the `.ts`/`.js` sources under `dirs` of `root`, local targets resolved to files. */
export function collectImports(root: string, dirs: string[] = SOURCE_DIRS): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const d of dirs) {
    const dir = join(root, d);
    if (!existsSync(dir)) continue;
    for (const file of sourceFiles(dir)) {
      const from = toPosix(relative(root, file));
      for (const { spec, dynamic } of importsOf(readFileSync(file, 'utf8'))) {
        const path = spec.startsWith('file:') ? fileURLToPath(spec) : spec;
        if (!path.startsWith('.') && !path.startsWith('/')) {
          edges.push({ from, to: spec, local: false, dynamic });
          continue;
        }
        let target = resolve(dirname(file), path);
        if (!existsSync(target) && target.endsWith('.js') && existsSync(`${target.slice(0, -3)}.ts`))
          target = `${target.slice(0, -3)}.ts`;
        if (existsSync(target) && statSync(target).isDirectory()) target = join(target, 'index.ts');
        edges.push({ from, to: toPosix(relative(root, target)), local: true, dynamic });
      }
    }
  }
  return edges;
}

/** Strongly connected components of more than one node (or one node importing itself), each as found. */
function cycles(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || [...next(v)].includes(v)) out.push(scc);
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** One cycle through `start` inside `scc`, as a path that ends where it starts. */
function cycleThrough(start: string, scc: Set<string>, next: (node: string) => Iterable<string>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next(v)) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = parent.get(u)!) path.unshift(u);
        path.unshift(start);
        return path;
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function adjacency(pairs: Iterable<[string, string]>): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!m.has(a)) m.set(a, new Set());
    if (!m.has(b)) m.set(b, new Set());
    m.get(a)!.add(b);
  }
  return m;
}

/** The folder of shared/core a file belongs to (`shared/core/policy`), or the file itself at its top. */
function coreUnit(file: string): string | undefined {
  if (!file.startsWith(`${LAYERED_DIR}/`)) return undefined;
  const rest = file.slice(LAYERED_DIR.length + 1);
  const slash = rest.indexOf('/');
  return slash < 0 ? file : `${LAYERED_DIR}/${rest.slice(0, slash)}`;
}

function under(path: string, prefixes: string[]): boolean {
  return prefixes.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

/** A test or a test's helper, which no deployed or shipped code loads. */
function isTestFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith('.test.ts') || name.startsWith('test-');
}

/** Whether `edge` breaks `rule`. */
function breaks(rule: ForbiddenRule, edge: ImportEdge): boolean {
  if (!under(edge.from, rule.from)) return false;
  if (rule.exceptTests && isTestFile(edge.from)) return false;
  const hit = rule.outside ? edge.local && !under(edge.to, [rule.outside]) : under(edge.to, rule.to);
  if (!hit) return false;
  return !(edge.dynamic && rule.lazy?.some((l) => l.from === edge.from && l.to === edge.to));
}

/**
 * For a transitive rule: each forbidden target `start` reaches, as the shortest import path to it (breadth
 * first over local imports, static and dynamic).
 */
function reachedBreaks(rule: ForbiddenRule, start: string, edges: ImportEdge[]): string[][] {
  const byFrom = new Map<string, ImportEdge[]>();
  for (const e of edges) {
    if (!byFrom.has(e.from)) byFrom.set(e.from, []);
    byFrom.get(e.from)!.push(e);
  }
  const parent = new Map<string, string>([[start, '']]);
  const queue = [start];
  const out: string[][] = [];
  const pathTo = (node: string): string[] => {
    const path = [node];
    for (let u = parent.get(node)!; u !== ''; u = parent.get(u)!) path.unshift(u);
    return path;
  };
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of byFrom.get(v) ?? []) {
      if (under(e.to, rule.to)) {
        out.push([...pathTo(v), e.to]);
        continue;
      }
      if (e.local && !parent.has(e.to)) {
        parent.set(e.to, v);
        queue.push(e.to);
      }
    }
  }
  return out;
}

/** The package an import specifier names (`@scope/name`, `name`), or undefined for a Node builtin. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Every violation of the import rules in `edges`, file cycles first, sorted within each rule. `declared` maps a
 * {@link PackageRule}'s folder to the packages its package.json declares (see {@link checkImports}).
 */
export function checkEdges(
  edges: ImportEdge[],
  forbidden: ForbiddenRule[] = FORBIDDEN,
  declared: Map<PackageRule, Set<string>> = new Map(),
): Violation[] {
  const out: Violation[] = [];
  const local = edges.filter((e) => e.local);
  const files = adjacency(local.map((e) => [e.from, e.to]));
  const nextFile = (v: string) => files.get(v) ?? [];
  for (const scc of cycles([...files.keys()].sort(), nextFile)) {
    const start = [...scc].sort()[0]!;
    out.push({
      rule: 'file-cycle',
      message: `import cycle: ${cycleThrough(start, new Set(scc), nextFile).join(' → ')}`,
    });
  }
  const witness = new Map<string, string>();
  const unitPairs: [string, string][] = [];
  // A test is a leaf that nothing imports: a masking test may build its input with policy's loader without
  // making masking depend on policy, so tests do not count towards folder cycles.
  for (const e of local) {
    if (e.from.endsWith('.test.ts')) continue;
    const a = coreUnit(e.from);
    const b = coreUnit(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    unitPairs.push([a, b]);
    const key = `${a}\0${b}`;
    if (!witness.has(key)) witness.set(key, `${e.from} imports ${e.to}`);
  }
  const units = adjacency(unitPairs);
  const nextUnit = (v: string) => [...(units.get(v) ?? [])].sort();
  for (const scc of cycles([...units.keys()].sort(), nextUnit)) {
    const path = cycleThrough([...scc].sort()[0]!, new Set(scc), nextUnit);
    const why = path.slice(1).map((b, i) => witness.get(`${path[i]}\0${b}`));
    out.push({
      rule: 'folder-cycle',
      message: `import cycle between ${LAYERED_DIR} folders: ${path.join(' → ')} (${why.join('; ')})`,
    });
  }
  for (const rule of forbidden.filter((r) => r.transitive)) {
    const found = [...new Set(edges.map((e) => e.from))]
      .filter((f) => under(f, rule.from) && !(rule.exceptTests && isTestFile(f)))
      .flatMap((f) => reachedBreaks(rule, f, edges))
      .map((p) => `forbidden import (${rule.name}): ${p.join(' → ')}: ${rule.why}`);
    for (const message of [...new Set(found)].sort()) out.push({ rule: rule.name, message });
  }
  for (const rule of forbidden.filter((r) => !r.transitive)) {
    const found = edges
      .filter((e) => breaks(rule, e))
      .map((e) => `forbidden import (${rule.name}): ${e.from} imports ${e.to}: ${rule.why}`);
    for (const message of [...new Set(found)].sort()) out.push({ rule: rule.name, message });
  }
  for (const [rule, names] of declared) {
    const found = edges
      .filter((e) => !e.local && under(e.from, [rule.dir]))
      .filter((e) => {
        const p = packageOf(e.to);
        return p !== undefined && !names.has(p);
      })
      .map((e) => `undeclared package (${rule.name}): ${e.from} imports ${e.to}: ${rule.why}`);
    for (const message of [...new Set(found)].sort()) out.push({ rule: rule.name, message });
  }
  return out;
}

/** What the package.json of each {@link PackageRule} under `root` declares; a missing one declares nothing. */
export function declaredPackages(
  root: string,
  rules: PackageRule[] = PACKAGES,
): Map<PackageRule, Set<string>> {
  const out = new Map<PackageRule, Set<string>>();
  for (const rule of rules) {
    if (!existsSync(join(root, rule.dir))) continue;
    const manifest = join(root, rule.dir, 'package.json');
    const pkg = existsSync(manifest)
      ? (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>)
      : {};
    out.set(
      rule,
      new Set([...Object.keys(pkg['dependencies'] ?? {}), ...Object.keys(pkg['devDependencies'] ?? {})]),
    );
  }
  return out;
}

/** The violations of the repository (or fixture) at `root`. */
export function checkImports(root: string, dirs: string[] = SOURCE_DIRS): Violation[] {
  return checkEdges(collectImports(root, dirs), FORBIDDEN, declaredPackages(root));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--root');
  const root =
    at > 0 ? resolve(process.argv[at + 1] ?? '.') : resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const edges = collectImports(root);
  const violations = checkEdges(edges, FORBIDDEN, declaredPackages(root));
  for (const v of violations) console.error(v.message);
  if (violations.length > 0) {
    console.error(`import rules: ${violations.length} violation(s)`);
    process.exit(1);
  }
  const files = new Set(edges.map((e) => e.from)).size;
  console.log(`import rules: ${files} files, ${edges.length} imports: no cycle, no forbidden import`);
}
