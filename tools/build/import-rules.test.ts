// Tests for the import rules `npm run check` enforces, on temporary fixture trees with deliberate violations.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkImports, importSpecifiers } from './import-rules.ts';

const CHECKER = join(dirname(fileURLToPath(import.meta.url)), 'import-rules.ts');

/** A fixture repository: path → source. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'warden-import-rules-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A clean layered core: policy reads masking and classification, masking reads classification. */
const CLEAN: Record<string, string> = {
  'shared/core/classification/classify.ts': "import { globMatch } from '../glob.ts';\nexport const c = 1;\n",
  'shared/core/glob.ts': 'export const globMatch = () => true;\n',
  'shared/core/masking/lineage.ts':
    "import { c } from '../classification/classify.ts';\nexport const m = c;\n",
  'shared/core/policy/document.ts':
    "import { m } from '../masking/lineage.ts';\nimport type { c } from '../classification/classify.ts';\n",
  'functions/gateway/index.ts': "import { m } from '../../shared/core/masking/lineage.ts';\nimport 'zod';\n",
  'dev/stack.ts': "import { m } from '../shared/core/masking/lineage.ts';\n",
  'cli/cli.ts': "import { m } from '../shared/core/masking/lineage.ts';\nimport './stack-file.ts';\n",
  'cli/stack-file.ts': 'export const REPO_ROOT = 1;\n',
  'dev/commands.ts': "export { startStack } from './stack.ts';\n",
  'standins/package.json': '{ "name": "@warden/standins", "dependencies": { "@duckdb/node-api": "1" } }\n',
  'standins/bigquery/server.ts': "import { DuckDBInstance } from '@duckdb/node-api';\nimport '../net.ts';\n",
  'standins/net.ts': "import { createServer } from 'node:net';\n",
};

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const root = fixture(files);
  roots.push(root);
  return root;
}

describe('import rules', () => {
  it('passes a layered tree without cycles or forbidden imports', () => {
    assert.deepEqual(checkImports(tree(CLEAN)), []);
  });

  it('reports a cycle between two files, type-only imports included', () => {
    const root = tree({
      ...CLEAN,
      'shared/core/query/sql-ast.ts': "import type { ColumnRef } from './sql-analysis.ts';\n",
      'shared/core/query/sql-analysis.ts': "import { analyzeAst } from './sql-ast.ts';\n",
    });
    assert.deepEqual(checkImports(root), [
      {
        rule: 'file-cycle',
        message:
          'import cycle: shared/core/query/sql-analysis.ts → shared/core/query/sql-ast.ts → shared/core/query/sql-analysis.ts',
      },
    ]);
  });

  it('reports a cycle between core folders even when no file cycle exists, naming the imports', () => {
    const root = tree({
      ...CLEAN,
      'shared/core/masking/lineage.ts':
        "import { p } from '../policy/classification.ts';\nexport const m = 1;\n",
      'shared/core/policy/classification.ts': 'export const p = 1;\n',
    });
    const v = checkImports(root);
    assert.deepEqual(
      v.map((x) => x.rule),
      ['folder-cycle'],
    );
    assert.equal(
      v[0]!.message,
      'import cycle between shared/core folders: shared/core/masking → shared/core/policy → shared/core/masking ' +
        '(shared/core/masking/lineage.ts imports shared/core/policy/classification.ts; ' +
        'shared/core/policy/document.ts imports shared/core/masking/lineage.ts)',
    );
  });

  it('does not count a test importing a folder above its own towards a folder cycle', () => {
    const root = tree({
      ...CLEAN,
      'shared/core/masking/lineage.test.ts': "import { m } from '../policy/document.ts';\n",
    });
    assert.deepEqual(checkImports(root), []);
  });

  it('reports an import from the product into the dev stack, the bench or the emulator tests', () => {
    const root = tree({
      ...CLEAN,
      'functions/gateway/wire.ts': "import { startStack } from '../../dev/stack.ts';\n",
      'shared/test-support/fake-http.ts': "const b = await import('../../bench/run.ts');\n",
      'shared/mcp/tools.ts': "export { flow } from '../../emulator-tests/flow.ts';\n",
      'bench/run.ts': 'export {};\n',
      'emulator-tests/flow.ts': 'export const flow = 1;\n',
    });
    assert.deepEqual(
      checkImports(root).map((x) => x.message.split(':').slice(0, 2).join(':')),
      [
        'forbidden import (product-into-dev): functions/gateway/wire.ts imports dev/stack.ts',
        'forbidden import (product-into-dev): shared/mcp/tools.ts imports emulator-tests/flow.ts',
        'forbidden import (product-into-dev): shared/test-support/fake-http.ts imports bench/run.ts',
      ],
    );
  });

  it('reports an import from shared/ into a function, except from a test', () => {
    const root = tree({
      ...CLEAN,
      'functions/gateway/handle.ts': 'export const createGatewayHandler = 1;\n',
      'shared/test-support/rig.ts':
        "import { createGatewayHandler } from '../../functions/gateway/handle.ts';\n",
      'shared/adapters/framework.test.ts':
        "import { createGatewayHandler } from '../../functions/gateway/handle.ts';\n",
    });
    assert.deepEqual(
      checkImports(root).map((x) => x.message.split(':').slice(0, 2).join(':')),
      [
        'forbidden import (shared-into-functions): shared/test-support/rig.ts imports functions/gateway/handle.ts',
      ],
    );
  });

  it('reports a static import from the shipped CLI or the bundler into the dev stack or the stand-ins', () => {
    const root = tree({
      ...CLEAN,
      'cli/cli.ts': "import { startStack } from '../dev/stack.ts';\n",
      'cli/bridge/bridge.ts': "import { listen } from '../../standins/net.ts';\n",
      'tools/build/functions.ts': "import { startKmsStandIn } from '../../standins/kms/server.ts';\n",
      'standins/kms/server.ts': 'export const startKmsStandIn = 1;\n',
    });
    assert.deepEqual(
      checkImports(root).map((x) => x.message.split(':').slice(0, 2).join(':')),
      [
        'forbidden import (cli-into-dev): cli/bridge/bridge.ts imports standins/net.ts',
        'forbidden import (cli-into-dev): cli/cli.ts imports dev/stack.ts',
        'forbidden import (cli-into-dev): tools/build/functions.ts imports standins/kms/server.ts',
      ],
    );
  });

  it('allows cli/cli.ts the dev stack only as a dynamic import of dev/commands.ts, and CLI tests anything', () => {
    const lazy = tree({
      ...CLEAN,
      'cli/cli.ts': "const { startStack } = await import('../dev/commands.ts');\n",
      'cli/cli.test.ts': "import { startStack } from '../dev/stack.ts';\nimport '../standins/net.ts';\n",
      'cli/bridge/test-gateway.ts': "import { listen } from '../../standins/net.ts';\n",
    });
    assert.deepEqual(checkImports(lazy), []);
    const eager = tree({
      ...CLEAN,
      'cli/cli.ts': "import { startStack } from '../dev/commands.ts';\n",
      'cli/audit/cli.ts': "const { startStack } = await import('../../dev/commands.ts');\n",
      'cli/approvals/cli.ts': "const s = await import('../../dev/stack.ts');\n",
    });
    assert.deepEqual(
      checkImports(eager).map((x) => x.message.split(':').slice(0, 2).join(':')),
      [
        'forbidden import (cli-into-dev): cli/approvals/cli.ts imports dev/stack.ts',
        'forbidden import (cli-into-dev): cli/audit/cli.ts imports dev/commands.ts',
        'forbidden import (cli-into-dev): cli/cli.ts imports dev/commands.ts',
      ],
    );
  });

  it('reports a stand-in importing anything of Warden outside its package, tests included', () => {
    const root = tree({
      ...CLEAN,
      'standins/kms/integrity.ts': "import { crc32c } from '../../shared/core/crc32c.ts';\n",
      'standins/latency.ts': "import { Rng } from '../dev/synthetic/prng.ts';\n",
      'standins/storage/server.test.ts': "import { SpyLatency } from '../../shared/test-support/spy.ts';\n",
      'standins/oidc/dev-issuer.ts': "import { REPO_ROOT } from '../../cli/stack-file.ts';\n",
      'shared/core/crc32c.ts': 'export const crc32c = 1;\n',
      'shared/test-support/spy.ts': 'export const SpyLatency = 1;\n',
      'dev/synthetic/prng.ts': 'export const Rng = 1;\n',
    });
    assert.deepEqual(
      checkImports(root).map((x) => x.message.split(':').slice(0, 2).join(':')),
      [
        'forbidden import (standins-stand-alone): standins/kms/integrity.ts imports shared/core/crc32c.ts',
        'forbidden import (standins-stand-alone): standins/latency.ts imports dev/synthetic/prng.ts',
        'forbidden import (standins-stand-alone): standins/oidc/dev-issuer.ts imports cli/stack-file.ts',
        'forbidden import (standins-stand-alone): standins/storage/server.test.ts imports shared/test-support/spy.ts',
      ],
    );
  });

  it('reports a stand-in importing a package its own package.json does not declare', () => {
    const root = tree({
      ...CLEAN,
      'standins/kms/key-store.ts': "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\n",
      'standins/kms/proto.ts': "const g = await import('@grpc/grpc-js');\n",
    });
    assert.deepEqual(
      checkImports(root).map((x) => `${x.rule} ${x.message.split(': ')[1]}`),
      [
        'standins-undeclared-package standins/kms/key-store.ts imports zod',
        'standins-undeclared-package standins/kms/proto.ts imports @grpc/grpc-js',
      ],
    );
  });

  it('reports a GCP client, an adapter, a function or MCP wiring imported into the core', () => {
    const root = tree({
      ...CLEAN,
      'shared/core/audit/sink.ts': [
        "import { Storage } from '@google-cloud/storage';",
        "import { GcsSink } from '../../adapters/storage/sink.ts';",
        "import { handle } from '../../../functions/gateway/handle.ts';",
        "import type { Tool } from '../../mcp/tools.ts';",
        "import { z } from 'zod';",
        '',
      ].join('\n'),
    });
    assert.deepEqual(
      checkImports(root).map((x) => `${x.rule} ${x.message.split(': ')[1]}`),
      [
        // Importing a function from shared/ breaks shared-into-functions as well.
        'shared-into-functions shared/core/audit/sink.ts imports functions/gateway/handle.ts',
        'core-is-pure shared/core/audit/sink.ts imports @google-cloud/storage',
        'core-is-pure shared/core/audit/sink.ts imports functions/gateway/handle.ts',
        'core-is-pure shared/core/audit/sink.ts imports shared/adapters/storage/sink.ts',
        'core-is-pure shared/core/audit/sink.ts imports shared/mcp/tools.ts',
      ],
    );
  });

  it('reports a composition root that reaches a Google client, through any number of imports, naming the path', () => {
    const pure = {
      ...CLEAN,
      'functions/gateway/compose.ts':
        "import { withDeadline } from '../../shared/adapters/deadline.ts';\nimport type { P } from './ports-types.ts';\n",
      'functions/gateway/ports-types.ts': "import type { Clock } from '../../shared/ports/clock.ts';\n",
      'functions/gateway/ports.ts':
        "import { createKmsClient } from '../../shared/adapters/clients.ts';\nimport type { P } from './compose.ts';\n",
      'shared/adapters/deadline.ts': 'export const withDeadline = 1;\n',
      'shared/adapters/clients.ts': "const k = await import('@google-cloud/kms');\n",
      'shared/ports/clock.ts': 'export interface Clock {}\n',
    };
    // ports.ts builds clients; compose.ts imports it only as the type it implements: clean.
    assert.deepEqual(checkImports(tree(pure)), []);
    const root = tree({
      ...pure,
      // The runner's file also mints ID tokens with google-auth-library: composing with it reaches a client.
      'functions/gateway/compose.ts':
        "import { HttpQueryRunner } from '../../shared/adapters/executor/runner.ts';\nimport type { P } from './ports.ts';\n",
      'shared/adapters/executor/runner.ts':
        "import { named } from '../clients.ts';\nconst g = await import('google-auth-library');\n",
      'functions/executor/compose.ts': "import { Firestore } from '@google-cloud/firestore';\n",
    });
    assert.deepEqual(
      checkImports(root)
        .filter((x) => x.rule === 'compose-pure')
        .map((x) => x.message.split(': ')[1]),
      [
        'functions/executor/compose.ts → @google-cloud/firestore',
        'functions/gateway/compose.ts → functions/gateway/ports.ts → shared/adapters/clients.ts',
        'functions/gateway/compose.ts → shared/adapters/executor/runner.ts → google-auth-library',
        'functions/gateway/compose.ts → shared/adapters/executor/runner.ts → shared/adapters/clients.ts',
      ],
    );
  });

  it('fails the command (exit 1, one line per violation) on a tree with a cycle and a forbidden import', () => {
    const root = tree({
      ...CLEAN,
      'shared/core/query/a.ts': "import { b } from './b.ts';\nexport const a = 1;\n",
      'shared/core/query/b.ts': "import { a } from './a.ts';\nexport const b = 1;\n",
      'shared/core/query/c.ts': "import { local } from '../../../dev/stack.ts';\n",
    });
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [CHECKER, '--root', root], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    assert.equal(failure?.status, 1);
    const lines = failure.stderr.trim().split('\n');
    assert.match(lines[0]!, /^import cycle: shared\/core\/query\/a\.ts → shared\/core\/query\/b\.ts → /);
    assert.match(
      lines[1]!,
      /^forbidden import \(product-into-dev\): shared\/core\/query\/c\.ts imports dev\//,
    );
    assert.equal(lines[2], 'import rules: 2 violation(s)');
  });

  it('passes the command on a clean tree', () => {
    const out = execFileSync(process.execPath, [CHECKER, '--root', tree(CLEAN)], { encoding: 'utf8' });
    assert.match(out, /no cycle, no forbidden import/);
  });
});

describe('importSpecifiers', () => {
  const cases: { name: string; source: string; want: string[] }[] = [
    {
      name: 'static, type-only, re-exports, side-effect and dynamic imports',
      source: [
        "import a from './a.ts';",
        "import type { B } from './b.ts';",
        'import {',
        '  c,',
        '  type D,',
        "} from './cd.ts';",
        "export { e } from './e.ts';",
        "export * from './f.ts';",
        "import 'g';",
        "const h = await import('./h.ts');",
      ].join('\n'),
      want: ['./a.ts', './b.ts', './cd.ts', './e.ts', './f.ts', 'g', './h.ts'],
    },
    {
      name: 'not imports written in comments, strings, template literals or regular expressions',
      source: [
        "// import x from './comment.ts';",
        "/* export { y } from './block.ts'; */",
        'const s = "import z from \'./string.ts\'";',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is source text with a template literal
        "const t = `import w from './template.ts' ${f(`x`)}`;",
        "const r = /import v from '.\\/regex.ts'/;",
        "export const from = 'not-a-specifier';",
        "import real from './real.ts';",
      ].join('\n'),
      want: ['./real.ts'],
    },
    {
      name: 'an import after a template expression with braces',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is source text with a template literal
      source: "const t = `${{ a: 1 }.a}`;\nimport k from './k.ts';\n",
      want: ['./k.ts'],
    },
  ];
  for (const c of cases) it(`finds ${c.name}`, () => assert.deepEqual(importSpecifiers(c.source), c.want));
});
