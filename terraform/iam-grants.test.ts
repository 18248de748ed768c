// The IAM module grants exactly the captured set (iam-grants.json), so rewriting it as data cannot add, drop
// or widen a grant unnoticed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iamGrants } from './iam-grants.ts';

const TERRAFORM_DIR = dirname(fileURLToPath(import.meta.url));

describe('terraform/modules/iam grants', () => {
  it('are the captured set (node terraform/iam-grants.ts rewrites it after a deliberate change)', async () => {
    const captured = JSON.parse(readFileSync(join(TERRAFORM_DIR, 'iam-grants.json'), 'utf8')) as string[];
    assert.deepEqual(await iamGrants(), captured);
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
});
