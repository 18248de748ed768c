// The deployable bundles: built from the sources, free of local-only packages, and able to start under the
// functions framework with nothing but their package.json dependencies (the way Cloud Functions runs them).

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { startKmsStandIn } from '../../standins/kms/server.ts';
import { freePort } from '../../standins/net.ts';
import { startStorageStandIn } from '../../standins/storage/server.ts';
import {
  BUNDLE_OPTIONS,
  type BuiltFunction,
  buildFunctions,
  COMPILE_CACHE_DIR,
  EXTERNAL_PACKAGES,
  FORBIDDEN_PACKAGES,
  folderBytes,
  REPO_ROOT,
  UNUSED_RE_EXPORTS,
} from './functions.ts';

const KEY_RING = 'projects/demo-build/locations/global/keyRings/warden';
const AUDIT_KEY_VERSION = `${KEY_RING}/cryptoKeys/audit-signing/cryptoKeyVersions/1`;
const FRAMEWORK_MAIN = 'node_modules/@google-cloud/functions-framework/build/src/main.js';
const MODULE_NOT_FOUND = /ERR_MODULE_NOT_FOUND|Cannot find (module|package)|ENOENT/;

describe('npm run build:functions', function () {
  this.timeout(120_000);
  let root: string;
  let built: BuiltFunction[];
  const children: ChildProcess[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'warden-build-'));
    built = await buildFunctions(join(root, 'functions'));
    for (const f of built) {
      // Only the framework is installed beside the bundle, as the runtime's npm install would do; its own
      // dependencies resolve from its real location.
      mkdirSync(join(f.dir, 'node_modules', '@google-cloud'), { recursive: true });
      symlinkSync(
        join(REPO_ROOT, 'node_modules', '@google-cloud', 'functions-framework'),
        join(f.dir, 'node_modules', '@google-cloud', 'functions-framework'),
      );
      copyFileSync(join(REPO_ROOT, 'dev', 'policy.yaml'), join(f.dir, 'policy.yaml'));
    }
  });

  after(() => {
    for (const c of children) c.kill();
    rmSync(root, { recursive: true, force: true });
  });

  const bundle = (name: string): BuiltFunction => {
    const f = built.find((b) => b.name === name);
    assert.ok(f, `${name} was not built`);
    return f;
  };

  it('builds the gateway and the executor', () => {
    assert.ok(built.some((b) => b.name === 'gateway'));
    assert.ok(built.some((b) => b.name === 'executor'));
  });

  it('keeps local-only packages out of every bundle and lists only the framework as a dependency', () => {
    for (const f of built) {
      for (const p of FORBIDDEN_PACKAGES) assert.ok(!f.packages.includes(p), `${f.name} bundles ${p}`);
      const pkg = JSON.parse(readFileSync(join(f.dir, 'package.json'), 'utf8'));
      assert.equal(pkg.type, 'module');
      assert.equal(pkg.main, 'index.js');
      assert.deepEqual(Object.keys(pkg.dependencies), [...EXTERNAL_PACKAGES]);
    }
  });

  it('leaves the official Cloud KMS client out of every function: they call KMS over REST (kms/rest.ts)', () => {
    for (const f of built) {
      assert.ok(!f.packages.includes('@google-cloud/kms'), `${f.name} bundles @google-cloud/kms`);
      assert.ok(f.packages.length > 0, `${f.name}: no package list to check`);
    }
  });

  it('installs no dependency of the stand-ins, and bundles none that only the stand-ins use', () => {
    const manifest = (path: string) =>
      JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Record<string, Record<string, string>>;
    const root = manifest('package.json');
    const standins = manifest('standins/package.json');
    const standinDeps = [
      ...Object.keys(standins['dependencies'] ?? {}),
      ...Object.keys(standins['devDependencies'] ?? {}),
    ];
    assert.ok(standinDeps.includes('@duckdb/node-api'), 'standins/package.json names DuckDB');
    // Packages the stand-ins bring and Warden's own dependencies do not (google-gax, for one, needs
    // @grpc/proto-loader too): the closure of the root dependencies in package-lock.json.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string> }>;
    };
    const product = new Set<string>();
    const queue = Object.keys(root['dependencies']!);
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      if (product.has(p)) continue;
      product.add(p);
      queue.push(...Object.keys(lock.packages[`node_modules/${p}`]?.dependencies ?? {}));
    }
    const standinOnly = standinDeps.filter((p) => !product.has(p));
    assert.deepEqual(standinOnly.filter((p) => ['@duckdb/node-api', '@noble/curves'].includes(p)).sort(), [
      '@duckdb/node-api',
      '@noble/curves',
    ]);
    for (const f of built) {
      const pkg = JSON.parse(readFileSync(join(f.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const installed = Object.keys((pkg['dependencies'] ?? {}) as Record<string, string>);
      assert.deepEqual(
        installed.filter((p) => standinDeps.includes(p)),
        [],
        `${f.name}'s package.json installs a stand-in dependency`,
      );
      for (const p of standinOnly) assert.ok(!f.packages.includes(p), `${f.name} bundles ${p}`);
    }
  });

  it('bundles one build of each dual-format package: the ES modules of html-entities and yaml', () => {
    for (const f of built)
      for (const [pkg, build] of [
        ['html-entities', 'html-entities/dist/esm/'],
        ['yaml', 'yaml/browser/'],
      ] as const) {
        const files = f.dependencyFiles.filter((p) => p.startsWith(`${pkg}/`));
        const others = files.filter((p) => !p.startsWith(build));
        assert.deepEqual(others, [], `${f.name} bundles a second build of ${pkg}`);
      }
    // Both are in the gateway (Cloud Storage and the policy), so the check above is not vacuous.
    const gateway = bundle('gateway').dependencyFiles;
    assert.ok(gateway.some((p) => p.startsWith('html-entities/dist/esm/')));
    assert.ok(gateway.some((p) => p.startsWith('yaml/browser/')));
  });

  it('keeps every deployable folder under the 5 MB budget (issue 10)', async () => {
    for (const f of built) {
      // The whole folder, chunks included (the policy file copied in for these tests as well).
      const bytes = folderBytes(f.dir);
      assert.ok(bytes >= f.bytes && bytes < 5_000_000, `${f.name}: ${bytes} bytes`);
    }
  });

  it('fails at start with a configuration error, not a missing module, when the environment is empty', async () => {
    for (const f of built) {
      const run = await startFunction(f.dir, f.name, await freePort(), {});
      const exit = await run.exited;
      assert.notEqual(exit, 0, `${f.name} started without configuration`);
      assert.doesNotMatch(run.output(), MODULE_NOT_FOUND);
      assert.match(run.output(), new RegExp(`${f.name} configuration is not valid`));
    }
  });

  it('fills its compile cache with gcp-build, which a start in another folder reads and a changed file ignores', () => {
    for (const f of built) {
      const pkg = JSON.parse(readFileSync(join(f.dir, 'package.json'), 'utf8'));
      assert.equal(pkg.scripts['gcp-build'], 'node compile-cache.js');
      // Built where the build runs (a copy with no cache yet), then run from another folder, as the buildpack
      // builds in one place and the instance serves the folder as it was left.
      const home = mkdtempSync(join(tmpdir(), 'warden-cache-'));
      const buildDir = join(home, 'build');
      cpSync(f.dir, buildDir, { recursive: true, filter: (src) => !src.endsWith(`/${COMPILE_CACHE_DIR}`) });
      const prime = spawnSync(process.execPath, ['compile-cache.js'], {
        cwd: buildDir,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', PROJECT_ID: 'must-not-be-seen' },
      });
      assert.equal(prime.status, 0, prime.stderr);
      assert.match(prime.stdout, /compile cache: \d+ modules compiled into /);
      assert.ok(existsSync(join(buildDir, COMPILE_CACHE_DIR)));
      const served = join(home, 'served');
      cpSync(buildDir, served, { recursive: true });
      const start = (dir: string) =>
        spawnSync(process.execPath, ['index.js'], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env['PATH'] ?? '', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
        });
      const main = /V8 code cache for ESM file:\/\/\S+\/main\.js was accepted/;
      const warm = start(served);
      // The function stops at its configuration check, having read main.js's bytecode from the cache.
      assert.match(warm.stderr, new RegExp(`${f.name} configuration is not valid`));
      assert.match(warm.stderr, main);
      // A main.js that is not the one cached is compiled from its source, and behaves the same.
      appendFileSync(join(served, 'main.js'), '\n// changed\n');
      const changed = start(served);
      assert.match(changed.stderr, new RegExp(`${f.name} configuration is not valid`));
      assert.doesNotMatch(changed.stderr, main);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('serves the gateway: health, and a 401 whose audit record is signed with KMS and stored', async () => {
    const kms = await startKmsStandIn({
      stateDir: join(root, 'kms'),
      keys: [{ name: `${KEY_RING}/cryptoKeys/audit-signing`, purpose: 'ASYMMETRIC_SIGN' }],
    });
    const storage = await startStorageStandIn({
      stateDir: join(root, 'storage'),
      buckets: [{ name: 'audit', retentionPeriodSeconds: 60, locked: false }],
    });
    try {
      const f = bundle('gateway');
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const run = await startFunction(f.dir, 'gateway', port, {
        PROJECT_ID: 'demo-build',
        PUBLIC_URL: base,
        OIDC_ISSUERS: 'https://issuer.invalid',
        POLICY_PATH: 'policy.yaml',
        EXECUTOR_URL: 'http://127.0.0.1:9/',
        AUDIT_BUCKET: 'audit',
        AUDIT_KMS_KEY_VERSION: AUDIT_KEY_VERSION,
        KMS_API_ENDPOINT: kms.endpoint,
        STORAGE_API_ENDPOINT: storage.url,
        BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:9',
        PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
        FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
      });
      await run.serving;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(res.status, 401, run.output());
      const listing = (await (await fetch(`${storage.url}/storage/v1/b/audit/o?prefix=v1/`)).json()) as {
        items?: { name: string }[];
      };
      assert.ok((listing.items ?? []).length > 0, 'no audit object was written');
      assert.doesNotMatch(run.output(), MODULE_NOT_FOUND);
    } finally {
      await kms.close();
      await storage.close();
    }
  });

  it('serves both executor targets', async () => {
    const f = bundle('executor');
    const env = {
      PROJECT_ID: 'demo-build',
      EXECUTOR_AUDIENCE: 'https://executor.invalid',
      INVOKER_EMAILS: 'gateway@demo-build.iam.gserviceaccount.com',
      CREDENTIAL_MODE: 'keyless',
      POLICY_PATH: 'policy.yaml',
      MASKING_KEY_CIPHERTEXT_PATH: 'masking.key.enc',
      MASKING_KMS_KEY: `${KEY_RING}/cryptoKeys/masking-key`,
      AUDIT_BUCKET: 'audit',
      AUDIT_KMS_KEY_VERSION: AUDIT_KEY_VERSION,
      KMS_API_ENDPOINT: '127.0.0.1:9',
      STORAGE_API_ENDPOINT: 'http://127.0.0.1:9',
      BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:9',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
      // No masking key file here: the warm-up would log its ENOENT, which the module check below would take
      // for a missing chunk (the gateway's start above keeps its warm-up on, so the bundled warm-up is covered).
      WARM_UP: 'false',
    };
    const port = await freePort();
    const http = await startFunction(f.dir, 'executor', port, env);
    await http.serving;
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const res = await fetch(`http://127.0.0.1:${port}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 401);
    const approved = await startFunction(f.dir, 'approved', await freePort(), env, 'cloudevent');
    await approved.serving;
    assert.doesNotMatch(http.output() + approved.output(), MODULE_NOT_FOUND);
  });

  it('serves the notifier when it is built', async function () {
    const f = built.find((b) => b.name === 'notifier');
    if (!f) this.skip();
    const run = await startFunction(f.dir, 'notify', await freePort(), {
      PROJECT_ID: 'demo-build',
      NOTIFIER_WEBHOOK_URL: 'https://chat.invalid/hooks/x',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
    });
    await run.serving;
    assert.doesNotMatch(run.output(), MODULE_NOT_FOUND);
  });

  /** Runs the functions framework on a bundle, as the Cloud Functions runtime does. */
  async function startFunction(
    dir: string,
    target: string,
    port: number,
    env: Record<string, string>,
    signatureType = 'http',
  ) {
    const child = spawn(
      process.execPath,
      [FRAMEWORK_MAIN, `--target=${target}`, `--signature-type=${signatureType}`, `--port=${port}`],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    let onServing: () => void = () => undefined;
    const serving = new Promise<void>((resolve, reject) => {
      onServing = resolve;
      child.once('exit', (code) => reject(new Error(`${target} exited (${code}) before serving:\n${out}`)));
    });
    serving.catch(() => undefined);
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Serving function')) onServing();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { serving, exited, output: () => out };
  }
});

describe('the bundle leaves out modules nothing uses', function () {
  this.timeout(60_000);

  it('finds every listed import where the list says, so a dependency upgrade cannot silently undo it', () => {
    const require = createRequire(join(REPO_ROOT, 'package.json'));
    for (const r of UNUSED_RE_EXPORTS) {
      const file = join(REPO_ROOT, 'node_modules', r.importer);
      const text = readFileSync(file, 'utf8');
      assert.ok(
        [`require("${r.request}")`, `from "${r.request}"`, `require('${r.request}')`].some((s) =>
          text.includes(s),
        ),
        `${r.importer} no longer imports ${r.request}`,
      );
      // The module it names exists (so the entry is not stale) …
      const relative = r.request.startsWith('.');
      assert.ok(
        relative ? require.resolve(join(dirname(file), r.request)) : createRequire(file).resolve(r.request),
      );
    }
  });

  it('replaces them with stubs that say why when touched, and keeps what is used', async () => {
    // Inside the repository (dist/ may not exist yet in a fresh clone), so the bundle resolves node_modules.
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
    const dir = mkdtempSync(join(REPO_ROOT, 'dist', 'stub-test-'));
    try {
      const result = await build({
        stdin: {
          contents: [
            "import { KeyManagementServiceClient, protos } from '@google-cloud/kms';",
            "import { IamProtos } from 'google-gax';",
            "import { z } from 'zod';",
            'export { KeyManagementServiceClient, protos, IamProtos, z };',
          ].join('\n'),
          resolveDir: REPO_ROOT,
          loader: 'ts',
        },
        outfile: join(dir, 'probe.mjs'),
        ...BUNDLE_OPTIONS,
        metafile: true,
        logLevel: 'error',
      });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(!inputs.some((i) => i.endsWith('kms/build/protos/protos.js')), 'kms protos.js was bundled');
      assert.ok(!inputs.some((i) => i.endsWith('zod/v4/locales/fr.js')), 'zod locales were bundled');
      assert.ok(
        inputs.some((i) => i.endsWith('kms/build/protos/protos.json')),
        'the client needs protos.json',
      );
      const probe = await import(pathToFileURL(join(dir, 'probe.mjs')).href);
      assert.equal(typeof probe.KeyManagementServiceClient, 'function');
      assert.throws(() => probe.protos.google, /leaves out a module nothing used .*kms.*UNUSED_RE_EXPORTS/);
      // google-gax wraps it with __importStar, which copies no keys and keeps the module as `default`.
      assert.throws(() => probe.IamProtos.default.google, /google-gax.*iam_service/);
      assert.equal(probe.z.string().safeParse(1).error.issues[0].message.includes('expected string'), true);
      assert.equal(typeof probe.z.locales.en, 'function');
      assert.equal(probe.z.locales.fr, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
