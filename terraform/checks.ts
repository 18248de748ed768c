// Static checks on Warden's Terraform, on the parsed HCL (@cdktf/hcl2json): the security properties a
// reviewer would otherwise have to re-read the modules for. `terraform validate` needs the provider; these
// do not.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** One broken property, with the file and block that break it. */
export interface Violation {
  check: CheckName;
  where: string;
  message: string;
}

export type CheckName =
  | 'retention-locked'
  | 'public-access-prevention'
  | 'executor-not-public'
  | 'gateway-no-decrypt'
  | 'gateway-no-table-data'
  | 'results-least-privilege'
  | 'results-expire'
  | 'sweeper-least-privilege'
  | 'event-functions-internal'
  | 'push-authenticated'
  | 'variable-typed-described'
  | 'no-primitive-roles'
  | 'cmek-every-store'
  | 'hardened-requires-cmek'
  | 'no-public-bucket'
  | 'alerts-for-events'
  | 'hardened-perimeter'
  | 'witness-apart'
  | 'moved-resolves'
  | 'references-resolve';

type Body = Record<string, unknown>;

/**
 * One block of the parsed HCL. A resource whose `for_each` runs over a literal map in a `locals` block stands
 * for one block per entry (see expandForEach): `name` is then the entry's key and `address` its instance.
 */
export interface Block {
  file: string;
  kind: 'resource' | 'data' | 'variable' | 'other';
  type: string;
  name: string;
  body: Body;
  /** The Terraform address: `type.name`, or `type.name["key"]` for a map entry. */
  address: string;
  /** For a map entry with `when`: the expression under which the grant exists. */
  when?: string;
  /** For a map entry: the `for_each` of the resource block it was expanded from. */
  forEach?: string;
}

/** Roles that let a member decrypt with (or administer) a KMS key. */
const DECRYPT_ROLE =
  /roles\/(owner|editor|cloudkms\.(admin|cryptoKeyDecrypter|cryptoKeyEncrypterDecrypter|cryptoKeyDecrypterViaDelegation|cryptoKeyEncrypterDecrypterViaDelegation|cryptoOperator))\b/;
/** Roles that read BigQuery table data. */
const TABLE_DATA_ROLE = /roles\/bigquery\.(admin|dataViewer|dataEditor|dataOwner|user|studioAdmin)\b/;
const PRIMITIVE_ROLE = /roles\/(owner|editor|viewer)\b/;
const PUBLIC_MEMBER = /\b(allUsers|allAuthenticatedUsers)\b/;
const IAM_RESOURCE = /_iam_(member|binding|policy)$/;
/** Roles that create, overwrite or delete Cloud Storage objects. */
const STORAGE_WRITE_ROLE =
  /roles\/storage\.(admin|objectAdmin|objectCreator|objectUser|legacyBucketWriter|legacyBucketOwner|legacyObjectOwner)\b/;
/** IAM on a whole project, folder or organization: it reaches every bucket in it. */
const HIERARCHY_IAM = /^google_(project|folder|organization)_iam_/;
/** Warden's function accounts (module iam's locals, the service_accounts input, the notifier's account). */
const FUNCTION_ACCOUNT = /gateway|executor|sweeper|notifier/;
/** Accounts that run the gateway's code: the gateway itself and the sweeper (its `sweep` target). */
const GATEWAY_CODE = /gateway|sweeper/;
/** The sweeper's Cloud Run service (`var.service_names["sweeper"]`, quotes escaped or not). */
const SWEEPER_SERVICE = /service_names\[\\?"sweeper\\?"\]/;
/** Functions fed by Pub/Sub push only: never reachable from outside the project's network. */
const EVENT_FUNCTIONS = ['approved', 'sweeper', 'notifier'];

/**
 * What the sweeper may hold, each on one resource: the gateway's Firestore (conditioned on Warden's
 * database), audit signing and audit object creation, publishing approval-decided, reading the policy, and
 * being invoked (Pub/Sub push with its own token).
 */
const SWEEPER_GRANTS: { role: string; on: (b: Body) => boolean; what: string }[] = [
  {
    role: 'roles/datastore.user',
    on: (b) => /firestore_iam|resource\.name/.test(text(b['condition'])),
    what: "Warden's database only (an IAM condition)",
  },
  {
    role: 'roles/cloudkms.signer',
    on: (b) => /keys\.audit\b/.test(text(b['crypto_key_id'])),
    what: 'the audit key',
  },
  {
    role: 'roles/storage.objectCreator',
    on: (b) => /audit_bucket/.test(text(b['bucket'])),
    what: 'the audit bucket',
  },
  {
    role: 'roles/pubsub.publisher',
    on: (b) => /topic_ids\.decided\b/.test(text(b['topic'])),
    what: 'the approval-decided topic',
  },
  {
    role: 'roles/storage.objectViewer',
    on: (b) => /config_bucket/.test(text(b['bucket'])) && /objects\/policy\//.test(text(b['condition'])),
    what: 'the policy objects of the configuration bucket (an IAM condition)',
  },
  {
    role: 'roles/run.invoker',
    on: (b) => SWEEPER_SERVICE.test(text(b['name'])),
    what: "the sweeper's own service",
  },
];

/**
 * The stores that hold PHI, parked SQL, approval events or audit records, and how each names its customer-managed
 * key (an attribute, or a block that may be `dynamic`).
 */
const STORES: Record<string, { attribute?: string; block?: string }> = {
  google_storage_bucket: { block: 'encryption' },
  google_firestore_database: { block: 'cmek_config' },
  google_pubsub_topic: { attribute: 'kms_key_name' },
  google_bigquery_dataset: { block: 'default_encryption_configuration' },
};

/** The events a HIPAA deployment must alert on (terraform/modules/monitoring, locals.alerts). */
export const ALERTED_EVENTS = [
  'break_glass',
  'approvals_expired',
  'dead_letters',
  'audit_write_failures',
  'verify_failures',
] as const;

/** IAM and ACL resources on a bucket or its objects. */
const BUCKET_ACCESS =
  /^google_storage_(bucket_iam_(member|binding|policy)|bucket_access_control|bucket_acl|default_object_access_control|default_object_acl|object_access_control|object_acl)$/;

/** True when the body sets `name` directly or through a `dynamic "name"` block. */
function hasBlock(body: Body, name: string): boolean {
  if (body[name] !== undefined) return true;
  const dynamic = body['dynamic'];
  const all = Array.isArray(dynamic) ? (dynamic as Body[]) : dynamic ? [dynamic as Body] : [];
  return all.some((d) => d[name] !== undefined);
}

/** Every `.tf` file under `dir`, skipping `.terraform`. */
export function terraformFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.terraform' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...terraformFiles(path));
    else if (entry.name.endsWith('.tf')) out.push(path);
  }
  return out.sort();
}

/** Parses every file into blocks (resources, data sources, variables), map entries expanded. */
export async function readBlocks(dir: string): Promise<Block[]> {
  const parsed: { file: string; json: Record<string, unknown> }[] = [];
  for (const path of terraformFiles(dir))
    parsed.push({
      file: relative(dir, path),
      json: (await parse(path, readFileSync(path, 'utf8'))) as Record<string, unknown>,
    });
  // The locals of each module (a module is a directory: its locals are shared by all its files).
  const locals = new Map<string, Body>();
  for (const { file, json } of parsed)
    for (const block of (json['locals'] ?? []) as Body[])
      locals.set(dirname(file), { ...locals.get(dirname(file)), ...block });

  const blocks: Block[] = [];
  for (const { file, json } of parsed) {
    for (const [kind, content] of Object.entries(json)) {
      if (kind === 'resource' || kind === 'data') {
        for (const [type, byName] of Object.entries(content as Record<string, Record<string, Body[]>>))
          for (const [name, bodies] of Object.entries(byName))
            for (const body of bodies) {
              const block: Block = { file, kind, type, name, body, address: `${type}.${name}` };
              blocks.push(
                ...(kind === 'resource' ? expandForEach(block, locals.get(dirname(file)) ?? {}) : [block]),
              );
            }
      } else if (kind === 'variable') {
        for (const [name, bodies] of Object.entries(content as Record<string, Body[]>))
          for (const body of bodies)
            blocks.push({ file, kind, type: 'variable', name, body, address: `var.${name}` });
      } else {
        blocks.push({ file, kind: 'other', type: kind, name: '', body: { [kind]: content }, address: kind });
      }
    }
  }
  return blocks;
}

/** `for_each = local.M` or `for_each = { for k, g in local.M : k => g if try(g.when, true) }`. */
const FOR_EACH_LOCAL =
  /^\$\{\s*(?:local\.(\w+)|\{\s*for\s+(\w+)\s*,\s*(\w+)\s+in\s+local\.(\w+)\s*:\s*\2\s*=>\s*\3(\s+if\s+try\(\3\.when,\s*true\))?\s*\})\s*\}$/;
const WHOLE_EACH_VALUE = /^\$\{\s*each\.value\.(\w+)\s*\}$/;
/** A dynamic block with one instance when the entry has the attribute: `for_each = try([each.value.X], [])`. */
const DYNAMIC_OPTIONAL = /^\$\{\s*try\(\[\s*each\.value\.(\w+)\s*\],\s*\[\]\)\s*\}$/;
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A resource whose `for_each` runs over a literal map of objects in the module's locals (optionally filtered
 * by each entry's `when`), expanded into one block per entry, as Terraform would plan it: `each.key` and
 * `each.value.X` replaced by the entry's key and values (a value `local.Y` naming a literal object is read
 * through), and a `dynamic` block over `try([each.value.X], [])` made a plain block when the entry has X. Any
 * other `for_each` (over a variable, or a computed map) leaves the block standing for all its instances. An
 * expression the reader cannot expand is an error: a check must never pass on a grant it did not see.
 */
export function expandForEach(block: Block, locals: Body): Block[] {
  const forEach = block.body['for_each'];
  const m = typeof forEach === 'string' ? FOR_EACH_LOCAL.exec(forEach) : null;
  if (!m) return [block];
  const name = m[1] ?? m[4] ?? '';
  const entries = locals[name];
  if (!isObject(entries) || !Object.values(entries).every(isObject)) {
    if (m[4])
      throw new Error(`${block.file}: ${block.address}: local.${name} is not a literal map of objects`);
    return [block];
  }
  const where = `${block.file}: ${block.address} (local.${name})`;
  const resolve = (v: unknown): unknown => {
    const ref = typeof v === 'string' ? /^\$\{\s*local\.(\w+)\s*\}$/.exec(v) : null;
    return ref && isObject(locals[ref[1] ?? '']) ? locals[ref[1] ?? ''] : v;
  };
  return Object.entries(entries as Record<string, Body>).map(([key, entry]) => {
    if (entry['when'] !== undefined && !m[5])
      throw new Error(`${where}: entry ${key} has a when that the for_each does not filter on`);
    const sub = (v: unknown, it?: { name: string; value: Body }): unknown => {
      if (typeof v === 'string') {
        const whole = WHOLE_EACH_VALUE.exec(v);
        if (whole) return resolve(entry[whole[1] ?? '']);
        if (it) {
          const own = new RegExp(`^\\$\\{\\s*${it.name}\\.value\\.(\\w+)\\s*\\}$`).exec(v);
          if (own) return it.value[own[1] ?? ''];
        }
        if (/^\$\{\s*each\.key\s*\}$/.test(v)) return key;
        // Inside a template: `${each.key}`, and `${each.value.X}` of a string entry, spliced in as text.
        const spliced = v.replace(
          /\$\{\s*each\.(key|value\.(\w+))\s*\}/g,
          (whole, _, attr: string | undefined) => {
            if (attr === undefined) return key;
            const x = entry[attr];
            if (typeof x !== 'string') throw new Error(`${where}: cannot splice ${whole} of entry ${key}`);
            return x;
          },
        );
        if (
          /\beach\.(value|key)\b/.test(spliced) ||
          (it && new RegExp(`\\b${it.name}\\.value\\b`).test(spliced))
        )
          throw new Error(`${where}: cannot expand ${spliced} for entry ${key}`);
        return spliced;
      }
      if (Array.isArray(v)) return v.map((x) => sub(x, it));
      if (!isObject(v)) return v;
      const out: Body = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'dynamic' && !it) {
          const kept: Body = {};
          for (const [blockName, list] of Object.entries(x as Record<string, Body[]>))
            for (const d of list) {
              const opt = typeof d['for_each'] === 'string' ? DYNAMIC_OPTIONAL.exec(d['for_each']) : null;
              if (!opt) {
                kept[blockName] = [...((kept[blockName] as Body[] | undefined) ?? []), sub(d) as Body];
                continue;
              }
              const value = resolve(entry[opt[1] ?? '']);
              if (value === undefined) continue;
              if (!isObject(value)) throw new Error(`${where}: ${opt[1]} of entry ${key} is not an object`);
              out[blockName] = ((d['content'] as Body[] | undefined) ?? []).map((c) =>
                sub(c, { name: blockName, value }),
              );
            }
          if (Object.keys(kept).length) out['dynamic'] = kept;
        } else {
          const y = sub(x, it);
          if (y !== undefined) out[k] = y;
        }
      }
      return out;
    };
    const { for_each: _, ...rest } = block.body;
    const body = sub(rest) as Body;
    const when = entry['when'];
    return {
      ...block,
      name: key,
      body,
      address: `${block.type}.${block.name}["${key}"]`,
      forEach: forEach as string,
      ...(when === undefined ? {} : { when: typeof when === 'string' ? when : JSON.stringify(when) }),
    };
  });
}

/** The `moved` blocks of every file: addresses without the `${…}`. */
export async function movedBlocks(dir: string): Promise<{ file: string; from: string; to: string }[]> {
  const strip = (v: unknown) => String(v).replace(/^\$\{([\s\S]*)\}$/, '$1');
  return (await readBlocks(dir))
    .filter((b) => b.type === 'moved')
    .flatMap((b) =>
      ((b.body['moved'] ?? []) as Body[]).map((m) => ({
        file: b.file,
        from: strip(m['from']),
        to: strip(m['to']),
      })),
    );
}

const first = (v: unknown): Body | undefined => (Array.isArray(v) ? (v[0] as Body | undefined) : undefined);
const where = (b: Block) =>
  `${b.file}: ${b.kind === 'resource' ? b.address : `${b.kind === 'variable' ? 'variable' : b.type}.${b.name}`}`;
const text = (v: unknown) => JSON.stringify(v ?? '');

/** Runs every check on the Terraform under `dir`; an empty list means every property holds. */
export async function checkTerraform(dir: string): Promise<Violation[]> {
  const blocks = await readBlocks(dir);
  const v: Violation[] = [];
  const add = (check: CheckName, b: Block, message: string) => v.push({ check, where: where(b), message });

  const buckets = blocks.filter((b) => b.kind === 'resource' && b.type === 'google_storage_bucket');
  const auditBuckets = buckets.filter((b) => b.file.startsWith(join('modules', 'audit')));
  if (auditBuckets.length === 0)
    v.push({ check: 'retention-locked', where: 'modules/audit', message: 'no audit bucket found' });
  for (const b of auditBuckets) {
    const retention = first(b.body['retention_policy']);
    if (retention?.['is_locked'] !== true)
      add('retention-locked', b, 'the audit bucket needs retention_policy { is_locked = true }');
    if (retention?.['retention_period'] === undefined)
      add('retention-locked', b, 'the audit bucket needs a retention_period');
  }
  const resultsBuckets = buckets.filter((b) => b.file.startsWith(join('modules', 'approvals')));
  if (resultsBuckets.length === 0)
    v.push({ check: 'results-expire', where: 'modules/approvals', message: 'no results bucket found' });
  for (const b of resultsBuckets) {
    const rules = Array.isArray(b.body['lifecycle_rule']) ? (b.body['lifecycle_rule'] as Body[]) : [];
    const deletes = rules.some(
      (r) => text(r['action']).includes('"type":"Delete"') && first(r['condition'])?.['age'] !== undefined,
    );
    if (!deletes)
      add('results-expire', b, 'the results bucket needs a lifecycle_rule deleting objects by age');
    if (first(b.body['versioning'])?.['enabled'] === true)
      add('results-expire', b, 'the results bucket must not keep noncurrent versions (versioning)');
    if (first(b.body['soft_delete_policy'])?.['retention_duration_seconds'] !== 0)
      add(
        'results-expire',
        b,
        'the results bucket needs soft_delete_policy { retention_duration_seconds = 0 }',
      );
    if (b.body['retention_policy'] !== undefined)
      add('results-expire', b, 'a retention policy would keep results past their deletion');
    if (b.body['force_destroy'] !== false)
      add('results-expire', b, 'the results bucket needs force_destroy = false');
  }
  for (const b of buckets) {
    if (b.body['public_access_prevention'] !== 'enforced')
      add('public-access-prevention', b, 'public_access_prevention must be "enforced"');
    if (b.body['uniform_bucket_level_access'] !== true)
      add('public-access-prevention', b, 'uniform_bucket_level_access must be true');
  }

  for (const b of blocks.filter((x) => x.kind === 'resource' && IAM_RESOURCE.test(x.type))) {
    const body = text(b.body);
    const members = text([b.body['member'], b.body['members'], b.body['policy_data']]);
    const role = text(b.body['role']);
    if (PUBLIC_MEMBER.test(body)) {
      const target = text([b.body['name'], b.body['service'], b.body['cloud_function']]);
      if (/executor|approved/.test(target) || !/gateway/.test(target))
        add(
          'executor-not-public',
          b,
          `allUsers/allAuthenticatedUsers may invoke only the gateway (target ${target})`,
        );
    }
    if (GATEWAY_CODE.test(members)) {
      if (DECRYPT_ROLE.test(role) || DECRYPT_ROLE.test(body))
        add(
          'gateway-no-decrypt',
          b,
          `the gateway's (or sweeper's) account must not hold a decrypting role (${role})`,
        );
      if (TABLE_DATA_ROLE.test(role) || TABLE_DATA_ROLE.test(body))
        add(
          'gateway-no-table-data',
          b,
          `the gateway's (or sweeper's) account must not read table data (${role})`,
        );
      if (HIERARCHY_IAM.test(b.type) && STORAGE_WRITE_ROLE.test(role))
        add(
          'results-least-privilege',
          b,
          `${role} on the project would let the gateway write the results bucket`,
        );
    }
    if (/results_bucket/.test(text(b.body['bucket']))) {
      if (GATEWAY_CODE.test(members)) {
        if (role !== '"roles/storage.objectViewer"')
          add('results-least-privilege', b, `the gateway only reads the results bucket (${role})`);
      } else if (/executor/.test(members)) {
        if (role !== '"roles/storage.objectCreator"')
          add('results-least-privilege', b, `the executor only creates results (${role})`);
      } else
        add(
          'results-least-privilege',
          b,
          `only the gateway and the executor use the results bucket (${members})`,
        );
    }
    if (/sweeper/.test(members)) {
      const grant = SWEEPER_GRANTS.find((g) => role === JSON.stringify(g.role));
      if (!grant) add('sweeper-least-privilege', b, `the sweeper needs no ${role}`);
      else if (!grant.on(b.body))
        add('sweeper-least-privilege', b, `the sweeper holds ${grant.role} only on ${grant.what}`);
    }
    // The sweeper's service: invoked by its own account (Pub/Sub mints that token), by no one else.
    const member = b.body['member'];
    const onlySweeper =
      typeof member === 'string' && /sweeper/.test(member) && !b.body['members'] && !b.body['policy_data'];
    if (SWEEPER_SERVICE.test(text(b.body['name'])) && !onlySweeper)
      add('sweeper-least-privilege', b, `only the sweeper's push identity may invoke it (${members})`);
  }

  const functionLocals = blocks
    .filter((b) => b.type === 'locals' && b.file.startsWith(join('modules', 'functions')))
    .flatMap((b) => (Array.isArray(b.body['locals']) ? (b.body['locals'] as Body[]) : []));
  const ingress = functionLocals.find((l) => l['ingress'] !== undefined)?.['ingress'] as Body | undefined;
  for (const f of EVENT_FUNCTIONS)
    if (ingress?.[f] !== 'ALLOW_INTERNAL_ONLY')
      v.push({
        check: 'event-functions-internal',
        where: 'modules/functions: locals.ingress',
        message: `${f} is fed by Pub/Sub push only: its ingress must be ALLOW_INTERNAL_ONLY (is ${text(ingress?.[f])})`,
      });

  for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'google_pubsub_subscription')) {
    const push = first(b.body['push_config']);
    if (push && first(push['oidc_token'])?.['service_account_email'] === undefined)
      add(
        'push-authenticated',
        b,
        'a push subscription needs oidc_token (the function admits only that identity)',
      );
  }

  for (const b of blocks.filter((x) => x.kind === 'variable')) {
    if (typeof b.body['type'] !== 'string') add('variable-typed-described', b, 'the variable has no type');
    const d = b.body['description'];
    if (typeof d !== 'string' || d.trim() === '')
      add('variable-typed-described', b, 'the variable has no description');
  }

  for (const b of blocks) {
    const m = PRIMITIVE_ROLE.exec(text(b.body));
    if (m)
      add('no-primitive-roles', b, `basic role ${m[0]} (grant a predefined role on the resource instead)`);
  }
  // CMEK on every store of the modules (each may be switched off, but must be able to take the key).
  for (const b of blocks.filter(
    (x) => x.kind === 'resource' && STORES[x.type] && x.file.startsWith('modules'),
  )) {
    const store = STORES[b.type] ?? {};
    const has = store.attribute ? b.body[store.attribute] !== undefined : hasBlock(b.body, store.block ?? '');
    if (!has)
      add(
        'cmek-every-store',
        b,
        `${b.type} takes no customer-managed key (${store.attribute ?? store.block})`,
      );
  }
  const root = blocks.filter((b) => b.file === 'variables.tf' && b.kind === 'variable');
  const hardened = root.find((b) => b.name === 'hardened');
  if (!hardened || !/!var\.hardened \|\| var\.cmek\b/.test(text(hardened.body['validation'])))
    v.push({
      check: 'hardened-requires-cmek',
      where: 'variables.tf: variable.hardened',
      message:
        'variable hardened needs a validation refusing hardened without cmek (!var.hardened || var.cmek)',
    });
  const example = blocks
    .filter((b) => b.type === 'module' && b.file === join('examples', 'hardened', 'main.tf'))
    .flatMap((b) => Object.values((b.body['module'] ?? {}) as Record<string, Body[]>).flat());
  const warden = example[0];
  if (warden?.['hardened'] !== true || warden?.['cmek'] !== true)
    v.push({
      check: 'hardened-requires-cmek',
      where: 'examples/hardened/main.tf: module.warden',
      message: 'the hardened example must set hardened = true and cmek = true',
    });

  for (const b of blocks.filter((x) => x.kind === 'resource' && BUCKET_ACCESS.test(x.type)))
    if (PUBLIC_MEMBER.test(text(b.body)) || /public-?read|allUsers|allAuthenticatedUsers/i.test(text(b.body)))
      add('no-public-bucket', b, 'a bucket or object is shared with allUsers/allAuthenticatedUsers');

  const monitoringLocals = blocks
    .filter((b) => b.type === 'locals' && b.file.startsWith(join('modules', 'monitoring')))
    .flatMap((b) => (Array.isArray(b.body['locals']) ? (b.body['locals'] as Body[]) : []));
  const alerts = monitoringLocals.find((l) => l['alerts'] !== undefined)?.['alerts'] as Body | undefined;
  const policies = blocks.filter(
    (b) => b.type === 'google_monitoring_alert_policy' && b.file.startsWith(join('modules', 'monitoring')),
  );
  const forEachAlerts = policies.some((p) => /local\.alerts/.test(text(p.forEach ?? p.body['for_each'])));
  for (const event of ALERTED_EVENTS)
    if (!alerts?.[event] || !forEachAlerts)
      v.push({
        check: 'alerts-for-events',
        where: 'modules/monitoring: locals.alerts',
        message: `no alert policy for ${event}`,
      });
  if (
    !text(
      blocks.find(
        (b) => b.type === 'module' && b.file === 'main.tf' && text(b.body).includes('./modules/monitoring'),
      )?.body,
    ).includes('notification_channels')
  )
    v.push({
      check: 'alerts-for-events',
      where: 'main.tf: module.monitoring',
      message: 'the root module must deploy modules/monitoring with notification_channels',
    });

  const perimeter = blocks.find(
    (b) =>
      b.type === 'google_access_context_manager_service_perimeter' &&
      b.file.startsWith(join('examples', 'hardened')),
  );
  // The perimeter's body and the locals of its file (where the service list usually lives).
  const restricted =
    perimeter &&
    text([
      perimeter.body,
      blocks.filter((b) => b.type === 'locals' && b.file === perimeter.file).map((b) => b.body),
    ]);
  for (const service of ['bigquery', 'storage', 'cloudkms', 'firestore', 'pubsub'])
    if (!restricted?.includes(`${service}.googleapis.com`))
      v.push({
        check: 'hardened-perimeter',
        where: 'examples/hardened: google_access_context_manager_service_perimeter',
        message: `the hardened example's perimeter must restrict ${service}.googleapis.com`,
      });

  // The witness's bucket: its own account alone may use it, and none of Warden's function accounts may write
  // any bucket through the project (the witness may share Warden's project). modules/witness, docs/operations.md.
  const witnessFile = join('modules', 'witness');
  if (!buckets.some((b) => b.file.startsWith(witnessFile)))
    v.push({ check: 'witness-apart', where: 'modules/witness', message: 'no witness bucket found' });
  for (const b of blocks.filter((x) => x.kind === 'resource' && IAM_RESOURCE.test(x.type))) {
    const members = text([b.body['member'], b.body['members'], b.body['policy_data']]);
    const onWitness = b.file.startsWith(witnessFile)
      ? /google_storage_bucket\.main\b/.test(text(b.body['bucket']))
      : /witness/.test(text(b.body['bucket']));
    if (onWitness && (FUNCTION_ACCOUNT.test(members) || !/local\.account\b/.test(members)))
      add('witness-apart', b, `only the witness's own account may use the witness bucket (${members})`);
    if (
      FUNCTION_ACCOUNT.test(members) &&
      HIERARCHY_IAM.test(b.type) &&
      STORAGE_WRITE_ROLE.test(text(b.body['role']))
    )
      add(
        'witness-apart',
        b,
        `${text(b.body['role'])} on the project would let a function write the witness bucket`,
      );
  }

  // A moved block carries state from an address no longer declared to one that is (a `to` that names nothing
  // would leave the object to be destroyed): https://developer.hashicorp.com/terraform/language/modules/develop/refactoring
  const declared = new Set(
    blocks.filter((b) => b.kind === 'resource').map((b) => `${dirname(b.file)}: ${b.address}`),
  );
  const strip = (x: unknown) => String(x).replace(/^\$\{([\s\S]*)\}$/, '$1');
  for (const b of blocks.filter((x) => x.type === 'moved'))
    for (const m of (b.body['moved'] ?? []) as Body[]) {
      const [from, to] = [strip(m['from']), strip(m['to'])];
      const here = (address: string) => declared.has(`${dirname(b.file)}: ${address}`);
      if (!here(to))
        v.push({
          check: 'moved-resolves',
          where: `${b.file}: moved to ${to}`,
          message: `${to} is not declared`,
        });
      if (here(from.replace(/\[0\]$/, '')))
        v.push({
          check: 'moved-resolves',
          where: `${b.file}: moved from ${from}`,
          message: `${from} is still declared`,
        });
    }

  v.push(...(await checkReferences(dir)));
  return v;
}
interface ModuleDir {
  /** Declared resources and data sources: `type.name`, `data.type.name`. */
  resources: Set<string>;
  variables: Map<string, Body>;
  outputs: Set<string>;
  locals: Set<string>;
  modules: Map<string, { file: string; body: Body }>;
  /** Every string in the parsed files (expressions are strings), with its file. */
  strings: { file: string; value: string }[];
}

async function readModuleDir(root: string, dir: string): Promise<ModuleDir> {
  const m: ModuleDir = {
    resources: new Set(),
    variables: new Map(),
    outputs: new Set(),
    locals: new Set(),
    modules: new Map(),
    strings: [],
  };
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith('.tf')) continue;
    const path = join(dir, entry);
    const file = relative(root, path);
    const json = (await parse(path, readFileSync(path, 'utf8'))) as Record<string, unknown>;
    for (const [name, bodies] of Object.entries((json['variable'] ?? {}) as Record<string, Body[]>))
      m.variables.set(name, bodies[0] ?? {});
    for (const [kind, prefix] of [
      ['resource', ''],
      ['data', 'data.'],
    ] as const)
      for (const [type, byName] of Object.entries((json[kind] ?? {}) as Record<string, Body>))
        for (const name of Object.keys(byName)) m.resources.add(`${prefix}${type}.${name}`);
    for (const name of Object.keys((json['output'] ?? {}) as Body)) m.outputs.add(name);
    for (const block of (json['locals'] ?? []) as Body[])
      for (const name of Object.keys(block)) m.locals.add(name);
    for (const [name, bodies] of Object.entries((json['module'] ?? {}) as Record<string, Body[]>))
      m.modules.set(name, { file, body: bodies[0] ?? {} });
    const walk = (x: unknown): void => {
      if (typeof x === 'string') m.strings.push({ file, value: x });
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') Object.values(x).forEach(walk);
    };
    // A moved block names an address that no longer exists, by design.
    const { moved: _, ...referring } = json;
    walk(referring);
  }
  return m;
}

const META_ARGUMENTS = new Set(['source', 'version', 'depends_on', 'count', 'for_each', 'providers']);

/**
 * Part of what `terraform validate` would catch, without the provider: every `var.`, `local.` and
 * `module.<name>.<output>` reference names something declared, and every call of a local module passes only
 * inputs the module declares, and every input it requires.
 */
export async function checkReferences(root: string): Promise<Violation[]> {
  const v: Violation[] = [];
  const add = (where: string, message: string) => v.push({ check: 'references-resolve', where, message });
  const cache = new Map<string, ModuleDir>();
  const load = async (d: string) => {
    const key = resolve(d);
    let m = cache.get(key);
    if (!m) {
      m = await readModuleDir(root, key);
      cache.set(key, m);
    }
    return m;
  };
  for (const d of [...new Set(terraformFiles(root).map((f) => dirname(f)))]) {
    const m = await load(d);
    for (const { file, value } of m.strings) {
      for (const [, name = ''] of value.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g))
        if (!m.variables.has(name)) add(file, `var.${name} is not declared`);
      for (const [, name = ''] of value.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g))
        if (!m.locals.has(name)) add(file, `local.${name} is not declared`);
      // Resources of the Google provider (a renamed block leaves its references behind).
      for (const [ref = ''] of value.matchAll(/(?<![\w.])(?:data\.)?google_[a-z0-9_]+\.[A-Za-z_][\w-]*/g))
        if (!m.resources.has(ref)) add(file, `${ref} is not declared`);
      for (const [, mod = '', out = ''] of value.matchAll(
        /(?<![\w.])module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)/g,
      )) {
        const call = m.modules.get(mod);
        if (!call) add(file, `module.${mod} is not declared`);
        else if (!(await load(join(d, String(call.body['source'])))).outputs.has(out))
          add(file, `module.${mod} has no output ${out}`);
      }
    }
    for (const [name, call] of m.modules) {
      const source = String(call.body['source']);
      if (!source.startsWith('.')) continue;
      const target = await load(join(d, source));
      for (const arg of Object.keys(call.body))
        if (!META_ARGUMENTS.has(arg) && !target.variables.has(arg))
          add(call.file, `module.${name}: ${source} has no input ${arg}`);
      for (const [input, body] of target.variables)
        if (!('default' in body) && !(input in call.body))
          add(call.file, `module.${name}: required input ${input} is not set`);
    }
  }
  return v;
}
