// The grants of terraform/modules/iam as data, read from the parsed HCL: one line per grant (resource, role,
// member, target, condition). iam-grants.json is the set captured before the module was rewritten as
// `for_each` over maps of grants (issue 23 item 6); a map entry is listed under its key, the name of the
// resource block it was, so iam-grants.test.ts keeps the two equal.
// `node terraform/iam-grants.ts` rewrites the snapshot (only when a grant is meant to change).

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBlocks } from './checks.ts';

const TERRAFORM_DIR = dirname(fileURLToPath(import.meta.url));
const TARGETS = [
  'project',
  'bucket',
  'crypto_key_id',
  'topic',
  'subscription',
  'dataset_id',
  'name',
  'service_account_id',
  'secret_id',
];

const clean = (v: unknown) =>
  typeof v === 'string' ? v.replace(/^\$\{([\s\S]*)\}$/, '$1') : JSON.stringify(v);

/** Every grant of modules/iam, sorted: `resource.name: role → member on target [if condition] [when count/for_each]`. */
export async function iamGrants(dir = TERRAFORM_DIR): Promise<string[]> {
  const blocks = await readBlocks(dir);
  return blocks
    .filter((b) => b.kind === 'resource' && /_iam_member$/.test(b.type) && b.file.startsWith('modules/iam'))
    .map((b) => {
      const target = TARGETS.filter((t) => b.body[t] !== undefined)
        .map((t) => `${t}=${clean(b.body[t])}`)
        .join(' ');
      const condition = Array.isArray(b.body['condition'])
        ? ` if ${clean((b.body['condition'] as Record<string, unknown>[])[0]?.['expression'])}`
        : '';
      // A map entry's `when` is written as the `count` it replaced, so the two forms compare equal.
      const when =
        b.when === undefined ? (b.body['count'] ?? b.body['for_each']) : `${clean(b.when)} ? 1 : 0`;
      return `${b.type}.${b.name}: ${clean(b.body['role'])} → ${clean(b.body['member'])} on ${target}${condition}${
        when === undefined ? '' : ` when ${clean(when)}`
      }`;
    })
    .sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(join(TERRAFORM_DIR, 'iam-grants.json'), `${JSON.stringify(await iamGrants(), null, 2)}\n`);
}
