// The HCL reader expands a resource whose for_each runs over a literal map in locals into one block per entry
// (checks.ts expandForEach), so the checks see every grant of a map as they saw separate resource blocks.

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: parsed HCL holds its expressions as ${…} strings

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBlocks } from './checks.ts';

/** Reads `files` (name → HCL) from a scratch directory. */
async function blocksOf(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'warden-for-each-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return await readBlocks(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GRANTS = `
locals {
  reader = "serviceAccount:reader@p.iam.gserviceaccount.com"
  only_policy = {
    title       = "policy-only"
    description = "The policy."
    expression  = "resource.name.startsWith(\\"projects/_/buckets/\${var.bucket}/objects/policy/\\")"
  }
  grants = {
    plain    = { member = local.reader, role = "roles/storage.objectViewer", bucket = var.bucket }
    optional = { member = local.reader, role = "roles/storage.objectCreator", bucket = var.bucket, when = var.on }
    narrowed = { member = local.reader, role = "roles/storage.objectViewer", bucket = var.bucket, condition = local.only_policy }
  }
  metrics = {
    reads  = { role = "roles/storage.objectViewer" }
    writes = { role = "roles/storage.objectCreator" }
  }
}
`;

// In a second file of the same module: locals are the module's, not the file's.
const RESOURCE = `
resource "google_storage_bucket_iam_member" "grant" {
  for_each = { for name, g in local.grants : name => g if try(g.when, true) }
  bucket   = each.value.bucket
  role     = each.value.role
  member   = each.value.member

  dynamic "condition" {
    for_each = try([each.value.condition], [])
    content {
      title      = condition.value.title
      expression = condition.value.expression
    }
  }
}

resource "google_logging_metric" "main" {
  for_each = local.metrics
  name     = "warden-\${each.key}"
  filter   = "role=\\"\${each.value.role}\\""
}

resource "google_storage_bucket_iam_member" "per_member" {
  for_each = toset(var.members)
  bucket   = var.bucket
  role     = "roles/storage.objectViewer"
  member   = each.value
}
`;

describe('readBlocks: for_each over a literal map in locals', () => {
  it('stands for one block per entry, each with its key, address, values and condition', async () => {
    const grants = (await blocksOf({ 'locals.tf': GRANTS, 'main.tf': RESOURCE })).filter(
      (b) => b.type === 'google_storage_bucket_iam_member' && b.name !== 'per_member',
    );
    assert.deepEqual(
      grants.map((b) => [b.name, b.address, b.when]),
      [
        ['narrowed', 'google_storage_bucket_iam_member.grant["narrowed"]', undefined],
        ['optional', 'google_storage_bucket_iam_member.grant["optional"]', '${var.on}'],
        ['plain', 'google_storage_bucket_iam_member.grant["plain"]', undefined],
      ],
    );
    const [narrowed, , plain] = grants;
    assert.deepEqual(plain?.body, {
      bucket: '${var.bucket}',
      role: 'roles/storage.objectViewer',
      member: '${local.reader}',
    });
    assert.equal(plain?.forEach, '${{ for name, g in local.grants : name => g if try(g.when, true) }}');
    // The dynamic block over the entry's condition is a plain block, read through local.only_policy.
    assert.deepEqual(narrowed?.body['condition'], [
      {
        title: 'policy-only',
        expression: 'resource.name.startsWith("projects/_/buckets/${var.bucket}/objects/policy/")',
      },
    ]);
    assert.equal(narrowed?.body['dynamic'], undefined);
  });

  it('splices each.key and string values into templates', async () => {
    const metrics = (await blocksOf({ 'locals.tf': GRANTS, 'main.tf': RESOURCE })).filter(
      (b) => b.type === 'google_logging_metric',
    );
    assert.deepEqual(
      metrics.map((b) => [b.body['name'], b.body['filter']]),
      [
        ['warden-reads', 'role="roles/storage.objectViewer"'],
        ['warden-writes', 'role="roles/storage.objectCreator"'],
      ],
    );
  });

  it('leaves a for_each over a variable as one block standing for its instances', async () => {
    const per = (await blocksOf({ 'locals.tf': GRANTS, 'main.tf': RESOURCE })).filter(
      (b) => b.name === 'per_member',
    );
    assert.equal(per.length, 1);
    assert.equal(per[0]?.body['for_each'], '${toset(var.members)}');
  });

  it('refuses an entry with a when that the for_each does not filter on (it would exist always)', async () => {
    await assert.rejects(
      blocksOf({ 'locals.tf': GRANTS, 'main.tf': RESOURCE.replace(' if try(g.when, true)', '') }),
      /grant \(local\.grants\): entry optional has a when that the for_each does not filter on/,
    );
  });

  it('refuses a filtered for_each over a local that is not a literal map', async () => {
    await assert.rejects(
      blocksOf({ 'main.tf': `locals {\n  grants = var.grants\n}\n${RESOURCE}` }),
      /local\.grants is not a literal map of objects/,
    );
  });

  it('refuses what it cannot expand rather than letting a check pass on it unseen', async () => {
    await assert.rejects(
      blocksOf({
        'locals.tf': GRANTS,
        'main.tf': RESOURCE.replace('member   = each.value.member', 'member   = lower(each.value.member)'),
      }),
      /cannot expand \$\{lower\(each\.value\.member\)\}/,
    );
  });
});
