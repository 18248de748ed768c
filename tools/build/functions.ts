// Bundles each Cloud Function (functions/<name>/index.ts) into dist/functions/<name>/: a minified ESM main.js, the
// chunks it loads lazily, assets, a two-line index.js that turns on Node's compile cache before loading main.js,
// the compile-cache.js that fills that cache during the deployment's build (`npm run gcp-build`), and a
// package.json: the source directory Terraform archives and uploads (`npm run build:functions`).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The deployable functions; a folder that does not exist (yet) is skipped. */
export const FUNCTION_NAMES = ['gateway', 'executor', 'notifier'] as const;

/**
 * Packages left out of the bundle and installed by Cloud Build from the generated package.json.
 * The functions framework must stay external: the runtime starts it from node_modules and it looks up the
 * functions that index.js registered in its own module instance (a bundled copy would register them
 * elsewhere); gateway/body-parsing.ts also patches the framework's body-parser through node_modules.
 */
export const EXTERNAL_PACKAGES = ['@google-cloud/functions-framework'] as const;

/** Packages that must never reach a deployed bundle (local-only, native). */
export const FORBIDDEN_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings'] as const;

// CommonJS dependencies call require() and read __dirname; an ESM bundle has neither unless it defines them.
const ESM_BANNER = [
  "import { createRequire as __wardenCreateRequire } from 'node:module';",
  "import { fileURLToPath as __wardenFileURLToPath } from 'node:url';",
  "import { dirname as __wardenDirname } from 'node:path';",
  'const require = __wardenCreateRequire(import.meta.url);',
  'const __filename = __wardenFileURLToPath(import.meta.url);',
  'const __dirname = __wardenDirname(__filename);',
].join('\n');

/**
 * Modules that a dependency requires only to re-export them to callers who might want them, and that Warden
 * never uses: the generated static protobuf classes of each gapic client (`build/protos/protos.js`, required by
 * its index; the clients themselves load `protos.json`) and google-gax's IAM and Locations protos (required by
 * its index and its fallback entry), each several hundred kB; and zod's 40-odd message locales, of which zod
 * itself loads English. Warden uses the message types as types only (erased at build time) and zod in English,
 * so the bundle replaces exactly these imports, from exactly these files: about 3 MB less for the gateway, and
 * less to parse at start-up. The same module imported from anywhere else is bundled as usual (Firestore's
 * serializer, for one, needs firestore-api's protos.js). A replaced protobuf module throws, when touched, an
 * error that says why; `z.locales` keeps `en` only.
 */
export const UNUSED_RE_EXPORTS: readonly { importer: string; request: string; keep?: string }[] = [
  ...['kms', 'pubsub', 'pubsub-api'].map((p) => ({
    importer: `@google-cloud/${p}/build/src/index.js`,
    request: '../protos/protos',
  })),
  ...['index.js', 'fallback.js'].flatMap((file) =>
    ['iam_service', 'locations'].map((proto) => ({
      importer: `google-gax/build/src/${file}`,
      request: `../protos/${proto}`,
    })),
  ),
  ...['core/index.js', 'classic/external.js', 'mini/external.js'].map((file) => ({
    importer: `zod/v4/${file}`,
    request: '../locales/index.js',
    keep: "export { default as en } from './en.js';",
  })),
  // fetch-blob (under node-fetch) requires a Web Streams polyfill only where Node has no global ReadableStream
  // and no node:stream/web: never on Node 24.
  { importer: 'fetch-blob/streams.cjs', request: 'web-streams-polyfill/dist/ponyfill.es2018.js' },
];

const STUB_NAMESPACE = 'warden-unused-re-export';

/** The esbuild plugin that replaces {@link UNUSED_RE_EXPORTS}. */
export function unusedReExportsStub(): Plugin {
  return {
    name: STUB_NAMESPACE,
    setup(b) {
      b.onResolve({ filter: /^(\.\.\/(protos|locales)\/|web-streams-polyfill\/)/ }, (args) => {
        const hit = UNUSED_RE_EXPORTS.find(
          (r) => r.request === args.path && args.importer.endsWith(`node_modules/${r.importer}`),
        );
        if (!hit) return undefined;
        return {
          path: `${hit.importer} imports ${hit.request}`,
          namespace: STUB_NAMESPACE,
          pluginData: { keep: hit.keep, resolveDir: join(dirname(args.importer), dirname(hit.request)) },
        };
      });
      b.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, (args) => {
        const { keep, resolveDir } = args.pluginData as { keep?: string; resolveDir: string };
        if (keep) return { loader: 'js', contents: keep, resolveDir };
        const message =
          `The bundle leaves out a module nothing used (${args.path}): tools/build/functions.ts replaces it; ` +
          'import its message types only as types, or drop it from UNUSED_RE_EXPORTS.';
        return {
          loader: 'js',
          contents: `const message = ${JSON.stringify(message)};
module.exports = new Proxy({}, {
  get(_target, key) {
    if (typeof key === 'symbol' || key === '__esModule' || key === 'default' || key === 'then') return undefined;
    throw new Error(message);
  },
});`,
        };
      });
    },
  };
}

/**
 * How every deployable bundle is built, whatever its entry and output: Node 24 ESM with require/__dirname
 * defined, unused re-exports left out, the framework external.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  external: [...EXTERNAL_PACKAGES],
  // `yaml`'s ES module build (the package's `default` export condition; the same parser), which esbuild can
  // tree-shake, instead of its CommonJS `node` build, which it cannot: 18 kB less in the gateway. The two differ
  // only where Warden never goes: warnings go to console.warn instead of process.emitWarning, and !!binary
  // (a YAML 1.1 tag the policy's core schema does not load) decodes with atob.
  // `html-entities` likewise: Cloud Storage imports its ES module build and @google-cloud/common requires its
  // CommonJS build, so both copies (and both 34 kB entity tables) were bundled; the ES build serves both.
  alias: {
    yaml: join(REPO_ROOT, 'node_modules', 'yaml', 'browser', 'index.js'),
    'html-entities': join(REPO_ROOT, 'node_modules', 'html-entities', 'dist', 'esm', 'index.js'),
  },
  banner: { js: ESM_BANNER },
  plugins: [unusedReExportsStub()],
} as const satisfies BuildOptions;

export interface BuiltFunction {
  name: string;
  dir: string;
  /** Bytes of the whole folder: index.js, main.js, its chunks, assets, compile-cache.js, package.json. */
  bytes: number;
  packages: string[];
  /** The bundled files of dependencies, as paths from node_modules/ (`html-entities/dist/esm/index.js`). */
  dependencyFiles: string[];
}

/** Bundles one function into `outRoot/<name>`; throws if a forbidden package is pulled in. */
export async function buildFunction(name: string, outRoot: string): Promise<BuiltFunction> {
  const entry = join(REPO_ROOT, 'functions', name, 'index.ts');
  const dir = join(outRoot, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outdir: dir,
    entryNames: 'main',
    // Modules imported with `await import()` (the Google client libraries, see shared/adapters/clients.ts) go
    // to chunks/ and are compiled only when a client is first built, not at cold start.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    ...BUNDLE_OPTIONS,
    minify: true,
    // Stack traces in Cloud Logging keep readable function names.
    keepNames: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: REPO_ROOT,
  });
  const packages = packagesIn(result.metafile);
  const forbidden = packages.filter((p) => (FORBIDDEN_PACKAGES as readonly string[]).includes(p));
  if (forbidden.length > 0)
    throw new Error(`functions/${name} pulls ${forbidden.join(', ')} into its bundle: fix the import graph.`);
  await copyAssets(result.metafile, dir);
  await writeFile(join(dir, 'index.js'), COMPILE_CACHE_LOADER);
  await writeFile(join(dir, 'compile-cache.js'), COMPILE_CACHE_PRIMER);
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(await packageJsonFor(name), null, 2)}\n`);
  const dependencyFiles = Object.keys(result.metafile.inputs)
    .filter((input) => input.includes('node_modules/'))
    .map((input) => input.replace(/.*node_modules\//, ''));
  return { name, dir, bytes: folderBytes(dir), packages, dependencyFiles };
}

/**
 * The folder of Node's compile cache in a bundle: made by `npm run gcp-build` during the deployment's build, and
 * by a local run's exit; never uploaded (Terraform's archive leaves it out) and never counted in the bundle size.
 */
export const COMPILE_CACHE_DIR = 'compile-cache';

/**
 * The bundle's entry (package.json `main`, what the functions framework loads). Node's module compile cache
 * (https://nodejs.org/api/module.html#module-compile-cache) keeps V8's code cache of each module on disk: with it
 * turned on before main.js and its chunks are read, a cold start deserialises their bytecode instead of
 * compiling about 4 MB of JavaScript (docs/performance.md, "Cold start"). `portable` keys each entry by its path from the
 * cache folder, so a cache made in the build's /workspace serves wherever the folder runs. Node checks every
 * entry against the module's source hash and against its own version and V8 flags, and compiles as before on
 * any mismatch or when the folder cannot be read; enabling it never throws. NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off.
 */
export const COMPILE_CACHE_LOADER = `// Generated by tools/build/functions.ts: turns on Node's compile cache (./${COMPILE_CACHE_DIR}, filled by
// \`npm run gcp-build\` during the deployment's build), then loads the function (main.js).
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
enableCompileCache({ directory: fileURLToPath(new URL('./${COMPILE_CACHE_DIR}', import.meta.url)), portable: true });
await import('./main.js');
`;

/**
 * `npm run gcp-build`: Cloud Functions' Node.js buildpack runs a package's `gcp-build` script during the
 * deployment's build (https://cloud.google.com/docs/buildpacks/nodejs, GOOGLE_NODE_RUN_SCRIPTS), with the Node
 * the function will run on, so the cache it makes is the one the instances can use. It compiles every module of
 * the bundle without running the function: the environment is emptied first, so main.js stops at its
 * configuration check (the same error as a start without configuration) before anything is built or
 * connected, and the chunks it would load later are imported one by one (a library's own top-level code only).
 * It never fails the build: a cache that cannot be made leaves the function compiling as before.
 */
export const COMPILE_CACHE_PRIMER = `// Generated by tools/build/functions.ts; run by \`npm run gcp-build\` during the deployment's build: fills
// ./${COMPILE_CACHE_DIR} with V8's code cache of main.js and every chunk (see index.js). Exits 0 whatever happens.
import { readdirSync } from 'node:fs';
import { constants, enableCompileCache, flushCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const on = enableCompileCache({ directory: here('./${COMPILE_CACHE_DIR}'), portable: true });
if (on.status !== constants.compileCacheStatus.ENABLED) {
  console.log(\`compile cache not made: \${on.message ?? 'disabled'}\`);
  process.exit(0);
}
for (const key of Object.keys(process.env)) delete process.env[key];
let modules = 0;
for (const file of ['./main.js', ...readdirSync(here('./chunks')).filter((f) => f.endsWith('.js')).map((f) => \`./chunks/\${f}\`)]) {
  modules++;
  // main.js throws its configuration error once its imports are compiled and evaluated: expected here.
  await import(file).catch(() => {});
}
flushCompileCache();
console.log(\`compile cache: \${modules} modules compiled into \${on.directory}\`);
process.exit(0);
`;

/** Bytes of every file under `dir` (a deployable folder: what is uploaded, before npm install), node_modules aside. */
export function folderBytes(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === COMPILE_CACHE_DIR) continue;
    const p = join(dir, entry.name);
    n += entry.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

/** The generated package.json: ESM, index.js, and only the external packages at the repository's versions. */
export async function packageJsonFor(name: string): Promise<Record<string, unknown>> {
  const root = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    engines?: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const dependencies: Record<string, string> = {};
  for (const p of EXTERNAL_PACKAGES) {
    const version = root.dependencies[p];
    if (!version) throw new Error(`${p} is not a dependency in package.json`);
    dependencies[p] = version;
  }
  return {
    name: `warden-${name}`,
    version: root.version,
    private: true,
    type: 'module',
    main: 'index.js',
    // Run by Cloud Functions' buildpack during the build (see COMPILE_CACHE_PRIMER).
    scripts: { 'gcp-build': 'node compile-cache.js' },
    ...(root.engines ? { engines: root.engines } : {}),
    dependencies,
  };
}

/**
 * Source modules that read files beside them (`new URL('./assets/x', import.meta.url)`) find them next to
 * index.js once bundled, so every `assets/` folder beside a bundled source file is copied to `<dir>/assets/`.
 * Two folders holding the same file name would shadow each other: that stops the build.
 */
export async function copyAssets(metafile: Metafile, dir: string): Promise<string[]> {
  const folders = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes('node_modules/')) continue;
    const folder = join(REPO_ROOT, dirname(input), 'assets');
    if (existsSync(folder)) folders.add(folder);
  }
  const copied = new Map<string, string>();
  for (const folder of [...folders].sort()) {
    for (const file of await readdir(folder, { recursive: true })) {
      const previous = copied.get(file);
      if (previous)
        throw new Error(
          `assets/${file} exists in ${relative(REPO_ROOT, previous)} and ${relative(REPO_ROOT, folder)}`,
        );
      copied.set(file, folder);
    }
    await cp(folder, join(dir, 'assets'), { recursive: true });
  }
  return [...copied.keys()].sort();
}

/** Package names (`@scope/name` or `name`) of the node_modules inputs of a bundle. */
export function packagesIn(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(
      input.replace(/.*node_modules\//, 'node_modules/'),
    );
    if (m?.[1]) names.add(m[1]);
  }
  return [...names].sort();
}

/** Builds every function that exists; returns what was built. */
export async function buildFunctions(
  outRoot = join(REPO_ROOT, 'dist', 'functions'),
): Promise<BuiltFunction[]> {
  const built: BuiltFunction[] = [];
  for (const name of FUNCTION_NAMES) {
    if (!existsSync(join(REPO_ROOT, 'functions', name, 'index.ts'))) continue;
    built.push(await buildFunction(name, outRoot));
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const f of await buildFunctions()) {
      console.log(`${f.name.padEnd(9)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB  ${f.dir}`);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
