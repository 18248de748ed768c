// Warden's Terraform: `terraform fmt` is clean, the security properties hold on the parsed HCL, and each
// check fails on a copy of the modules where its property is broken.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayConfig } from '../functions/gateway/config.ts';
import { type CheckName, checkTerraform, readBlocks } from './checks.ts';
import { MODULE_DIRS, renderReadme } from './readme-tables.ts';

const TERRAFORM_DIR = dirname(fileURLToPath(import.meta.url));

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

function terraformFmtCheck(dir: string) {
  return spawnSync('terraform', ['fmt', '-check', '-recursive', dir], { encoding: 'utf8' });
}

/** A scratch copy of terraform/ (without .terraform). */
function copyTerraform(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-terraform-'));
  cpSync(TERRAFORM_DIR, dir, {
    recursive: true,
    filter: (src) => !src.split(/[\\/]/).includes('.terraform') && !src.endsWith('.ts'),
  });
  return dir;
}

/** Replaces `from` with `to` in a file of the copy; fails if `from` is not there (the mutation must bite). */
function replaceIn(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  assert.notEqual(after, before, `${file} does not contain ${from}`);
  writeFileSync(path, after);
}

describe('terraform/', function () {
  this.timeout(60_000);

  it('is formatted (terraform fmt -check -recursive)', function () {
    if (!hasTerraform) {
      console.warn('    terraform is not installed: skipping terraform fmt -check');
      this.skip();
    }
    const r = terraformFmtCheck(TERRAFORM_DIR);
    assert.equal(r.status, 0, `terraform fmt would change:\n${r.stdout}${r.stderr}`);
  });

  it('holds every checked property', async () => {
    assert.deepEqual(await checkTerraform(TERRAFORM_DIR), []);
  });

  it('has a root module, five modules and two examples, each with the standard files and a README', () => {
    for (const d of MODULE_DIRS)
      for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'])
        assert.doesNotThrow(() => readFileSync(join(TERRAFORM_DIR, d, f)), `${d}/${f} is missing`);
  });

  it('keeps the README input and output tables in step with the variables and outputs', async () => {
    for (const m of MODULE_DIRS) {
      const readme = readFileSync(join(TERRAFORM_DIR, m, 'README.md'), 'utf8');
      assert.match(readme, /<!-- inputs -->[\s\S]*<!-- \/outputs -->/, `${m}/README.md has no tables`);
      assert.equal(
        readme,
        await renderReadme(join(TERRAFORM_DIR, m), readme),
        `run node terraform/readme-tables.ts (${m})`,
      );
    }
  });

  it('gives the audit bucket a locked six-year retention by default', async () => {
    const blocks = await readBlocks(TERRAFORM_DIR);
    const years = blocks.find(
      (b) => b.kind === 'variable' && b.name === 'retention_years' && b.file.includes('audit'),
    );
    assert.equal(years?.body['default'], 6);
  });

  it('indexes requests by state and createdAt in both directions (console newest first, sweep oldest first), and break-glass uses by review', async () => {
    const blocks = await readBlocks(TERRAFORM_DIR);
    const orders = blocks
      .filter((b) => b.type === 'google_firestore_index' && b.file.includes('approvals'))
      .map((b) =>
        (b.body['fields'] as { field_path: string; order: string }[])
          .map((f) => `${f.field_path} ${f.order}`)
          .join(', '),
      )
      .sort();
    assert.deepEqual(orders, [
      'reviewed ASCENDING, at DESCENDING',
      'state ASCENDING, createdAt ASCENDING',
      'state ASCENDING, createdAt DESCENDING',
    ]);
  });

  it('deletes results after result_ttl_days (default 1) and derives RESULT_TTL_SECONDS from it', async () => {
    const blocks = await readBlocks(TERRAFORM_DIR);
    const ttlDays = blocks.filter((b) => b.kind === 'variable' && b.name === 'result_ttl_days');
    assert.deepEqual(
      ttlDays.map((b) => [b.file, b.body['default']]),
      [
        ['modules/approvals/variables.tf', 1],
        ['variables.tf', 1],
      ],
    );
    const root = readFileSync(join(TERRAFORM_DIR, 'main.tf'), 'utf8');
    assert.match(root, /result_ttl_days\s*=\s*var\.result_ttl_days\n/);
    assert.match(
      root,
      /result_ttl_seconds\s*=\s*coalesce\(var\.result_ttl_seconds, var\.result_ttl_days \* 86400\)/,
    );
    const rootTtl = blocks.find((b) => b.name === 'result_ttl_seconds' && b.file === 'variables.tf');
    assert.match(JSON.stringify(rootTtl?.body['validation'] ?? null), /result_ttl_days \* 86400/);
  });

  it("sets only the gateway's own configuration keys, break-glass reviewers joined by commas", () => {
    const main = readFileSync(join(TERRAFORM_DIR, 'main.tf'), 'utf8');
    const block = /gateway_environment = merge\(([\s\S]*?)\n {2}\)/.exec(main)?.[1] ?? '';
    const keys = [...block.matchAll(/\b([A-Z][A-Z0-9_]+)\s*=/g)].map((m) => m[1]!);
    assert.deepEqual(keys, ['CONSOLE_AUDIT_READ', 'BREAK_GLASS_REVIEWER_GROUPS']);
    for (const key of keys) assert.ok(key in GatewayConfig.shape, `${key} is not a gateway setting`);
    assert.match(block, /BREAK_GLASS_REVIEWER_GROUPS = join\(",", var\.break_glass_reviewer_groups\)/);
    // What the gateway reads back from the joined value.
    const parsed = GatewayConfig.shape.BREAK_GLASS_REVIEWER_GROUPS.parse(
      ['privacy-office', 'compliance'].join(','),
    );
    assert.deepEqual(parsed, ['privacy-office', 'compliance']);
  });

  it('deploys the sweeper from the gateway bundle, pushed from approval-sweep on a schedule', async () => {
    const blocks = await readBlocks(TERRAFORM_DIR);
    const locals = blocks
      .filter((b) => b.type === 'locals' && b.file.startsWith('modules/functions'))
      .flatMap((b) => b.body['locals'] as Record<string, Record<string, unknown>>[]);
    const all = locals.find((l) => l['all_functions'])?.['all_functions'] as Record<
      string,
      Record<string, string>
    >;
    assert.equal(all['sweeper']?.['source'], 'gateway');
    assert.equal(all['sweeper']?.['entry_point'], 'sweep');
    assert.match(String(all['sweeper']?.['service_account']), /var\.service_accounts\.sweeper\b/);
    const subscriptions = locals.find((l) => l['all_subscriptions'])?.['all_subscriptions'] as Record<
      string,
      unknown
    >;
    assert.ok(subscriptions['sweeper'], 'the sweeper has a push subscription');
    const job = blocks.find((b) => b.type === 'google_cloud_scheduler_job');
    assert.match(JSON.stringify(job?.body['pubsub_target']), /google_pubsub_topic\.main\[\\"sweep\\"\]/);
    const topic = blocks.find((b) => b.kind === 'variable' && b.name === 'sweep_topic');
    assert.equal(topic?.body['default'], 'approval-sweep');
    const functions = readFileSync(join(TERRAFORM_DIR, 'modules/functions/main.tf'), 'utf8');
    assert.match(
      functions,
      /sweeper_environment = merge\(local\.gateway_environment, \{\s*SWEEP_STUCK_AFTER_SECONDS/,
    );
  });

  if (hasTerraform) {
    it('fails the format check on a misformatted copy', () => {
      const dir = copyTerraform();
      try {
        replaceIn(dir, 'modules/audit/main.tf', 'is_locked        = true', 'is_locked = true');
        assert.notEqual(terraformFmtCheck(dir).status, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  const mutations: { name: string; check: CheckName; mutate: (dir: string) => void }[] = [
    {
      name: 'an unlocked retention policy',
      check: 'retention-locked',
      mutate: (d) => replaceIn(d, 'modules/audit/main.tf', /is_locked\s*=\s*true/, 'is_locked = false'),
    },
    {
      name: 'an audit bucket without retention',
      check: 'retention-locked',
      mutate: (d) => replaceIn(d, 'modules/audit/main.tf', /retention_policy \{[^}]*\}/, ''),
    },
    {
      name: 'public access prevention inherited',
      check: 'public-access-prevention',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/audit/main.tf',
          /public_access_prevention\s*=\s*"enforced"/,
          'public_access_prevention = "inherited"',
        ),
    },
    {
      name: 'public access prevention inherited on the results bucket',
      check: 'public-access-prevention',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/approvals/main.tf',
          /public_access_prevention\s*=\s*"enforced"/,
          'public_access_prevention = "inherited"',
        ),
    },
    {
      name: 'a results bucket with fine-grained ACLs',
      check: 'public-access-prevention',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/approvals/main.tf',
          /uniform_bucket_level_access\s*=\s*true/,
          'uniform_bucket_level_access = false',
        ),
    },
    {
      name: 'a bucket with fine-grained ACLs',
      check: 'public-access-prevention',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/functions/main.tf',
          /uniform_bucket_level_access\s*=\s*true/,
          'uniform_bucket_level_access = false',
        ),
    },
    {
      name: 'allUsers as an invoker of the executor',
      check: 'executor-not-public',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_cloud_run_v2_service_iam_member" "executor_public" {
  project  = var.project_id
  location = var.region
  name     = var.service_names["executor"]
  role     = "roles/run.invoker"
  member   = "allUsers"
}
`,
        ),
    },
    {
      name: 'allAuthenticatedUsers as an invoker of the approved-query target',
      check: 'executor-not-public',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(approved_invoker\s*=\s*\{ member = )local\.executor/,
          '$1"allAuthenticatedUsers"',
        ),
    },
    {
      name: 'the decrypter role for the gateway',
      check: 'gateway-no-decrypt',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_kms_crypto_key_iam_member" "gateway_credential" {
  crypto_key_id = var.keys.credential
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = local.gateway
}
`,
        ),
    },
    {
      name: 'the credential key handed to the gateway instead of the executor',
      check: 'gateway-no-decrypt',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(executor_credential\s*=\s*\{ member = )local\.executor/,
          '$1local.gateway',
        ),
    },
    {
      name: 'table data for the gateway',
      check: 'gateway-no-table-data',
      mutate: (d) =>
        replaceIn(d, 'modules/iam/main.tf', '"roles/bigquery.metadataViewer"', '"roles/bigquery.dataViewer"'),
    },
    {
      name: 'the gateway allowed to write the results bucket',
      check: 'results-least-privilege',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(gateway_results_reader\s*=\s*\{ member = local\.gateway, role = )"roles\/storage\.objectViewer"/,
          '$1"roles/storage.objectAdmin"',
        ),
    },
    {
      name: 'object creation on the whole project for the gateway',
      check: 'results-least-privilege',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_project_iam_member" "gateway_objects" {
  project = var.project_id
  role    = "roles/storage.objectCreator"
  member  = local.gateway
}
`,
        ),
    },
    {
      name: 'the executor allowed to read and delete results',
      check: 'results-least-privilege',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(executor_results_writer\s*=\s*\{ member = local\.executor, role = )"roles\/storage\.objectCreator"/,
          '$1"roles/storage.objectUser"',
        ),
    },
    {
      name: 'a results bucket without a deletion rule',
      check: 'results-expire',
      mutate: (d) =>
        replaceIn(d, 'modules/approvals/main.tf', /\n {2}lifecycle_rule \{[\s\S]*?\n {2}\}\n/, '\n'),
    },
    {
      name: 'a versioned results bucket',
      check: 'results-expire',
      mutate: (d) =>
        replaceIn(d, 'modules/approvals/main.tf', /(versioning \{\s*enabled\s*=\s*)false/, '$1true'),
    },
    {
      name: 'a results bucket that keeps deleted results (soft delete)',
      check: 'results-expire',
      mutate: (d) => replaceIn(d, 'modules/approvals/main.tf', /\n {2}soft_delete_policy \{[^}]*\}\n/, '\n'),
    },
    {
      name: 'a results bucket destroyed with its contents',
      check: 'results-expire',
      mutate: (d) =>
        replaceIn(d, 'modules/approvals/main.tf', /force_destroy\s*=\s*false/, 'force_destroy = true'),
    },
    {
      name: 'BigQuery jobs for the sweeper',
      check: 'sweeper-least-privilege',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_project_iam_member" "sweeper_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.sweeper
}
`,
        ),
    },
    {
      name: 'the sweeper publishing approval requests',
      check: 'sweeper-least-privilege',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(sweeper_decided\s*=\s*\{[^}]*topic = )var\.topic_ids\.decided/,
          '$1var.topic_ids.requested',
        ),
    },
    {
      name: 'Firestore for the sweeper on every database',
      check: 'sweeper-least-privilege',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(sweeper_firestore\s*=\s*\{[^}]*?), condition = local\.firestore_only/,
          '$1',
        ),
    },
    {
      name: 'the gateway as an invoker of the sweeper',
      check: 'sweeper-least-privilege',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(sweeper_invoker\s*=\s*\{ member = )local\.sweeper/,
          '$1local.gateway',
        ),
    },
    {
      name: 'allUsers as an invoker of the sweeper',
      check: 'executor-not-public',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(sweeper_invoker\s*=\s*\{ member = )local\.sweeper/,
          '$1"allUsers"',
        ),
    },
    {
      name: 'the masking key for the sweeper',
      check: 'gateway-no-decrypt',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_kms_crypto_key_iam_member" "sweeper_masking" {
  crypto_key_id = var.keys.masking
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = local.sweeper
}
`,
        ),
    },
    {
      name: 'a sweeper reachable from outside',
      check: 'event-functions-internal',
      mutate: (d) =>
        replaceIn(d, 'modules/functions/main.tf', /(sweeper\s*=\s*)"ALLOW_INTERNAL_ONLY"/, '$1"ALLOW_ALL"'),
    },
    {
      name: 'a push subscription without an OIDC token',
      check: 'push-authenticated',
      mutate: (d) => replaceIn(d, 'modules/functions/main.tf', /\n\s*oidc_token \{[^}]*\}/, ''),
    },
    {
      name: 'a variable without a description',
      check: 'variable-typed-described',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/kms/variables.tf',
          /\n\s*description\s*=\s*"Project that holds the key ring\."/,
          '',
        ),
    },
    {
      name: 'a variable without a type',
      check: 'variable-typed-described',
      mutate: (d) => replaceIn(d, 'variables.tf', /(variable "project_id" \{)\s*type\s*=\s*string/, '$1'),
    },
    {
      name: 'roles/editor on the project',
      check: 'no-primitive-roles',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/main.tf'),
          `
resource "google_project_iam_member" "executor_editor" {
  project = var.project_id
  role    = "roles/editor"
  member  = local.executor
}
`,
        ),
    },
    {
      name: 'roles/owner in an example',
      check: 'no-primitive-roles',
      mutate: (d) =>
        appendFileSync(
          join(d, 'examples/minimal/main.tf'),
          `
resource "google_project_iam_member" "me" {
  project = var.project_id
  role    = "roles/owner"
  member  = "user:someone@example.org"
}
`,
        ),
    },
    {
      name: 'a reference to an undeclared variable',
      check: 'references-resolve',
      mutate: (d) => replaceIn(d, 'modules/kms/main.tf', 'var.rotation_period', 'var.rotation'),
    },
    {
      name: 'a module input the module does not declare',
      check: 'references-resolve',
      mutate: (d) =>
        replaceIn(
          d,
          'main.tf',
          'key_ring_name      = var.kms_key_ring_name',
          'key_ring = var.kms_key_ring_name',
        ),
    },
    {
      name: 'a required module input left out',
      check: 'references-resolve',
      mutate: (d) => replaceIn(d, 'examples/minimal/main.tf', /\n\s*policy_file\s*=\s*var\.policy_file/, ''),
    },
    {
      name: 'Pub/Sub topics without a customer-managed key',
      check: 'cmek-every-store',
      mutate: (d) =>
        replaceIn(d, 'modules/approvals/main.tf', /\n\s*kms_key_name\s*=\s*var\.topic_kms_key_name/, ''),
    },
    {
      name: 'a Firestore database that cannot take CMEK',
      check: 'cmek-every-store',
      mutate: (d) =>
        replaceIn(d, 'modules/approvals/main.tf', /\n {2}dynamic "cmek_config" \{[\s\S]*?\n {2}\}\n/, '\n'),
    },
    {
      name: 'a configuration bucket that cannot take CMEK',
      check: 'cmek-every-store',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/functions/main.tf',
          /(versioning \{\s*enabled = true\s*\}\n)\n {2}dynamic "encryption" \{[\s\S]*?\n {2}\}\n/,
          '$1',
        ),
    },
    {
      name: 'a hardened deployment allowed without CMEK',
      check: 'hardened-requires-cmek',
      mutate: (d) => replaceIn(d, 'variables.tf', '!var.hardened || var.cmek', 'true'),
    },
    {
      name: 'the hardened example without CMEK',
      check: 'hardened-requires-cmek',
      mutate: (d) => replaceIn(d, 'examples/hardened/main.tf', /(\n\s*cmek\s*=\s*)true/, '$1false'),
    },
    {
      name: 'an audit bucket readable by allUsers',
      check: 'no-public-bucket',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/audit/main.tf'),
          `
resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.main.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
`,
        ),
    },
    {
      name: 'no alert on dead-lettered events',
      check: 'alerts-for-events',
      mutate: (d) => replaceIn(d, 'modules/monitoring/main.tf', 'dead_letters = {', 'dead_letters_off = {'),
    },
    {
      name: 'alerts deployed without notification channels',
      check: 'alerts-for-events',
      mutate: (d) =>
        replaceIn(d, 'main.tf', /\n\s*notification_channels\s*=\s*var\.notification_channels/, ''),
    },
    {
      name: 'a perimeter that leaves Cloud Storage out',
      check: 'hardened-perimeter',
      mutate: (d) => replaceIn(d, 'examples/hardened/perimeter.tf', '"storage.googleapis.com",', ''),
    },
    {
      name: 'a reference to a resource renamed away (here a grant that became a map entry)',
      check: 'references-resolve',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/outputs.tf',
          'google_project_iam_member.grant[name].id',
          'google_project_iam_member.gateway_firestore.id',
        ),
    },
    {
      name: 'a moved block to a key no map has',
      check: 'moved-resolves',
      mutate: (d) => replaceIn(d, 'modules/kms/moved.tf', 'symmetric["results"]', 'symmetric["result"]'),
    },
    {
      name: 'a moved block from a grant that is still its own block',
      check: 'moved-resolves',
      mutate: (d) =>
        appendFileSync(
          join(d, 'modules/iam/moved.tf'),
          '\nmoved {\n  from = google_project_iam_member.notifier_firestore[0]\n  to   = google_project_iam_member.grant["gateway_jobs"]\n}\n',
        ),
    },
    {
      name: 'the gateway allowed to write the witness bucket',
      check: 'witness-apart',
      mutate: (d) =>
        appendFileSync(
          join(d, 'main.tf'),
          `
resource "google_storage_bucket_iam_member" "gateway_witness" {
  bucket = module.witness[0].bucket_name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:\${module.iam.gateway_email}"
}
`,
        ),
    },
    {
      name: 'another member on the witness bucket, in the witness module',
      check: 'witness-apart',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/witness/main.tf',
          /(bucket = google_storage_bucket\.main\.name\s*role\s*=\s*"roles\/storage\.objectAdmin"\s*member\s*=\s*)local\.account/,
          '$1var.members[0]',
        ),
    },
    {
      name: 'object admin on the whole project for the executor (it reaches the witness bucket)',
      check: 'witness-apart',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/iam/main.tf',
          /(\n {2}project_grants = \{\n)/,
          '$1    executor_objects = { member = local.executor, role = "roles/storage.objectAdmin" }\n',
        ),
    },
    {
      name: 'a witness module without its bucket',
      check: 'witness-apart',
      mutate: (d) =>
        replaceIn(
          d,
          'modules/witness/main.tf',
          /resource "google_storage_bucket" "main" \{[\s\S]*?\n\}\n/,
          '',
        ),
    },
    {
      name: 'a module output that does not exist',
      check: 'references-resolve',
      mutate: (d) => replaceIn(d, 'main.tf', 'module.kms.credential_key_id', 'module.kms.credential_key'),
    },
  ];

  for (const m of mutations) {
    it(`reports ${m.check} on ${m.name}`, async () => {
      const dir = copyTerraform();
      try {
        assert.deepEqual(await checkTerraform(dir), [], 'the copy starts clean');
        m.mutate(dir);
        const violations = await checkTerraform(dir);
        assert.ok(
          violations.some((v) => v.check === m.check),
          `expected ${m.check}, got ${JSON.stringify(violations)}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
