// Writes the input and output tables of each module's README from its variables.tf and outputs.tf, between
// `<!-- inputs -->` … `<!-- /inputs -->` and `<!-- outputs -->` … `<!-- /outputs -->`:
// `node terraform/readme-tables.ts` (the tests fail when a README falls behind).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

const TERRAFORM_DIR = dirname(fileURLToPath(import.meta.url));
export const MODULE_DIRS = [
  '.',
  'modules/kms',
  'modules/audit',
  'modules/approvals',
  'modules/functions',
  'modules/iam',
  'modules/monitoring',
  'modules/witness',
  'examples/minimal',
  'examples/hardened',
];

type Body = Record<string, unknown>;

/** An expression on one line: `${…}` dropped, attributes on separate lines joined with commas. */
const unwrap = (s: string) =>
  s
    .replace(/^\$\{([\s\S]*)\}$/, '$1')
    .replace(/([^{([\s,])[ \t]*\n\s*(?=[A-Za-z_"])/g, '$1, ')
    .replace(/\s+/g, ' ');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function hcl(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.startsWith('${') ? unwrap(value) : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(hcl).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Body);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k} = ${hcl(v)}`).join(', ')} }`;
  }
  return String(value);
}

async function blocksOf(path: string, kind: 'variable' | 'output'): Promise<[string, Body][]> {
  if (!existsSync(path)) return [];
  const source = readFileSync(path, 'utf8');
  const json = (await parse(path, source)) as Record<string, Record<string, Body[]>>;
  // In the file's order (the parser sorts keys).
  const names = [...source.matchAll(new RegExp(`^${kind} "([^"]+)"`, 'gm'))].map((m) => m[1] ?? '');
  return names.map((name) => [name, json[kind]?.[name]?.[0] ?? {}]);
}

/** The markdown tables of one module. */
export async function tablesFor(dir: string): Promise<{ inputs: string; outputs: string }> {
  const vars = await blocksOf(join(dir, 'variables.tf'), 'variable');
  const outs = await blocksOf(join(dir, 'outputs.tf'), 'output');
  const inputs = [
    '| name | type | default | description |',
    '| --- | --- | --- | --- |',
    ...vars.map(
      ([name, b]) =>
        `| \`${name}\` | \`${cell(unwrap(String(b['type'] ?? 'any')))}\` | ${
          'default' in b ? `\`${cell(hcl(b['default']))}\`` : 'required'
        } | ${cell(String(b['description'] ?? ''))} |`,
    ),
  ].join('\n');
  const outputs = [
    '| name | description |',
    '| --- | --- |',
    ...outs.map(([name, b]) => `| \`${name}\` | ${cell(String(b['description'] ?? ''))} |`),
  ].join('\n');
  return { inputs, outputs };
}

/** The README with its tables replaced by current ones. */
export async function renderReadme(dir: string, readme: string): Promise<string> {
  const { inputs, outputs } = await tablesFor(dir);
  return readme
    .replace(/<!-- inputs -->[\s\S]*?<!-- \/inputs -->/, `<!-- inputs -->\n${inputs}\n<!-- /inputs -->`)
    .replace(/<!-- outputs -->[\s\S]*?<!-- \/outputs -->/, `<!-- outputs -->\n${outputs}\n<!-- /outputs -->`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const m of MODULE_DIRS) {
    const dir = join(TERRAFORM_DIR, m);
    const path = join(dir, 'README.md');
    const before = readFileSync(path, 'utf8');
    const after = await renderReadme(dir, before);
    if (after !== before) {
      writeFileSync(path, after);
      console.log(`updated ${join('terraform', m, 'README.md')}`);
    }
  }
}
