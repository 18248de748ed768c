// The IAM module grants exactly the captured set (iam-grants.json), so rewriting it as data cannot add, drop
// or widen a grant unnoticed; every grant that changed address moves there (moved.tf), so an existing
// deployment keeps its grants.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTerraform, movedBlocks, readBlocks } from './checks.ts';
import { iamGrants } from './iam-grants.ts';

const TERRAFORM_DIR = dirname(fileURLToPath(import.meta.url));
const captured = () => JSON.parse(readFileSync(join(TERRAFORM_DIR, 'iam-grants.json'), 'utf8')) as string[];

/** A scratch copy of terraform/ with `edit` applied to modules/iam/main.tf. */
function copyWith(edit: (main: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-iam-'));
  cpSync(TERRAFORM_DIR, dir, {
    recursive: true,
    filter: (src) => !src.split(/[\\/]/).includes('.terraform') && !src.endsWith('.ts'),
  });
  const main = join(dir, 'modules/iam/main.tf');
  const before = readFileSync(main, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, 'the edit must change modules/iam/main.tf');
  writeFileSync(main, after);
  return dir;
}

/** Adds an entry at the top of one of the module's grant maps. */
const addEntry = (map: string, entry: string) => (main: string) =>
  main.replace(new RegExp(`(\\n {2}${map} = \\{\\n)`), `$1    ${entry}\n`);

describe('terraform/modules/iam grants', () => {
  it('are the captured set (node terraform/iam-grants.ts rewrites it after a deliberate change)', async () => {
    assert.deepEqual(await iamGrants(), captured());
  });

  it('lists every grant with its role, member and target', async () => {
    const grants = await iamGrants();
    assert.ok(grants.length >= 40, `only ${grants.length} grants`);
    assert.ok(
      grants.includes(
        'google_storage_bucket_iam_member.gateway_results_reader: roles/storage.objectViewer → local.gateway on bucket=var.results_bucket',
      ),
      grants.join('\n'),
    );
  });

  it('lists a grant added to a map, under its key', async () => {
    const dir = copyWith(
      addEntry(
        'bucket_grants',
        'executor_extra = { member = local.executor, role = "roles/storage.objectViewer", bucket = var.audit_bucket, when = var.console_audit_read }',
      ),
    );
    try {
      const added = (await iamGrants(dir)).filter((g) => !captured().includes(g));
      assert.deepEqual(added, [
        'google_storage_bucket_iam_member.executor_extra: roles/storage.objectViewer → local.executor on bucket=var.audit_bucket when var.console_audit_read ? 1 : 0',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a basic role in a map entry caught by no-primitive-roles, naming the entry', async () => {
    const dir = copyWith(
      addEntry('project_grants', 'executor_editor = { member = local.executor, role = "roles/editor" }'),
    );
    try {
      const violations = await checkTerraform(dir);
      assert.ok(
        violations.some(
          (v) =>
            v.check === 'no-primitive-roles' &&
            v.where === 'modules/iam/main.tf: google_project_iam_member.grant["executor_editor"]',
        ),
        JSON.stringify(violations),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves every captured grant that changed address to its map key (from [0] where it had count)', async () => {
    const blocks = (await readBlocks(TERRAFORM_DIR)).filter((b) => b.file.startsWith('modules/iam/'));
    const addresses = new Set(blocks.filter((b) => b.kind === 'resource').map((b) => b.address));
    const moved = (await movedBlocks(TERRAFORM_DIR)).filter((m) => m.file.startsWith('modules/iam/'));
    const missing: string[] = [];
    for (const line of captured()) {
      const old = line.slice(0, line.indexOf(':'));
      if (addresses.has(old)) continue; // still its own block, at the same address
      const [type, name] = old.split('.');
      const from = / \? 1 : 0$/.test(line) ? `${old}[0]` : old;
      const to = `${type}.grant["${name}"]`;
      if (!addresses.has(to) || !moved.some((m) => m.from === from && m.to === to))
        missing.push(`${from} → ${to}`);
    }
    assert.deepEqual(missing, []);
    assert.ok(moved.length >= 30, `only ${moved.length} moved blocks`);
    // And no moved block points at an address that does not exist (Terraform would plan a destroy).
    assert.deepEqual(
      moved.filter((m) => !addresses.has(m.to)).map((m) => m.to),
      [],
    );
  });
});
