// The docs use the real command line: every `warden <command> …` in README.md, docs/*.md, {cli,dev,standins}/**/README.md
// and terraform/ (*.md, *.tf) is parsed by the CLI's own parser (parseInvocation, which `warden` runs before
// every command; nothing runs), so an unknown flag, a switch given a value or an action the command lacks fails
// here. Terraform outputs that are a flag's value must name that flag.

import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, parseInvocation } from './cli.ts';
import { REPO_ROOT } from './stack-file.ts';

/** One documented invocation: where it is, the command, and its words (quotes and $(…) kept whole). */
interface Invocation {
  where: string;
  command: string;
  words: string[];
}

const INVOCATION = new RegExp(`\\bwarden (${Object.keys(COMMANDS).join('|')})\\b`, 'g');

/**
 * The invocations in `text`: from `warden <command>` to the end of its code span or line (a trailing `\`
 * continues it), an unquoted `)`, `;`, `#` or `|`, or a quote it did not open (it sits inside another
 * command's quoted argument, as `--token-command "npx warden token …"`).
 */
function findInvocations(text: string, file: string): Invocation[] {
  const found: Invocation[] = [];
  for (const m of text.matchAll(INVOCATION)) {
    const start = m.index + m[0].length;
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ where: `${file}:${line}`, command: m[1]!, words: wordsFrom(text, start) });
  }
  return found;
}

function wordsFrom(text: string, start: number): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0;
  const flush = () => {
    if (word) words.push(word);
    word = '';
  };
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      word += c;
      if (c === quote) quote = undefined;
      continue;
    }
    // `list\|show` in a Markdown table cell: alternatives, one word.
    if (c === '\\' && text[i + 1] === '|') {
      word += '|';
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i++;
      flush();
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      depth++;
      word += '$(';
      i++;
      continue;
    }
    if (depth > 0) {
      word += c;
      if (c === ')') depth--;
      continue;
    }
    if (c === '"' || c === "'") {
      // A quote that opens a word is its own; one met elsewhere closes an enclosing argument.
      if (word !== '' && !/[=]$/.test(word)) break;
      quote = c;
      word += c;
      continue;
    }
    if (c === '\n' || c === '`' || c === ')' || c === ';' || c === '#' || c === '|') break;
    if (c === ' ' || c === '\t') flush();
    else word += c;
  }
  flush();
  return words.map((w) => w.replace(/^\[+|[\]]+$/g, '')).filter(Boolean);
}

/** The flags among an invocation's words (`--from`, `--out=report.html`, `-h`), outside quotes. */
function flagsOf(words: string[]): string[] {
  return words.filter((w) => /^--?[a-z][a-z0-9-]*(=|$)/.test(w)).map((w) => w.replace(/=.*$/, ''));
}

/**
 * The command lines an invocation stands for, as the CLI would get them. Docs write shorthand: `list|show`
 * (each is parsed), a flag without its value (`search [--from --to]`: a placeholder value is given), and
 * `warden approvals …` (an action left out: the command's first is assumed).
 */
function commandLines(i: Invocation): string[][] {
  const spec = COMMANDS[i.command]!;
  const words = [...i.words];
  const isFlag = (w: string | undefined) => w !== undefined && /^--?[a-z]/.test(w);
  const args: string[] = [];
  words.forEach((w, n) => {
    args.push(w);
    const option = spec.options[w.replace(/^--/, '')];
    if (option?.type === 'string' && !w.includes('=') && (n + 1 === words.length || isFlag(words[n + 1])))
      args.push('VALUE');
  });
  if (!spec.verbs) return [[i.command, ...args]];
  const first = args[0];
  if (first === undefined || !/^[a-z]/.test(first)) return [[i.command, spec.verbs[0]!, ...args]];
  return first.split('|').map((verb) => [i.command, verb, ...args.slice(1)]);
}

/** Why the CLI refuses `argv`, or undefined when it parses. */
function refusal(argv: string[]): string | undefined {
  try {
    parseInvocation(argv);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function documents(): { file: string; text: string }[] {
  const files = [
    'README.md',
    ...globSync('docs/*.md', { cwd: REPO_ROOT }),
    // The bridge's own guide, and any other under cli/, dev/ or standins/.
    ...['cli', 'dev', 'standins'].flatMap((d) => globSync(`${d}/**/README.md`, { cwd: REPO_ROOT })),
    ...globSync('terraform/**/*.{md,tf}', { cwd: REPO_ROOT }).filter(
      (f) => !f.split('/').includes('.terraform'),
    ),
  ];
  return files.sort().map((file) => ({ file, text: readFileSync(join(REPO_ROOT, file), 'utf8') }));
}

/** Terraform outputs whose value is a `warden` flag's, and that flag. */
const OUTPUT_FLAGS: Record<string, string> = {
  audit_table: '--bigquery-table',
  table: '--bigquery-table',
  audit_bucket: '--bucket',
  bucket_name: '--bucket',
  audit_key_version: '--kms-key-version',
  credential_key: '--key',
  credential_key_id: '--key',
  mcp_url: '--url',
};

describe('documented warden invocations', () => {
  const docs = documents();
  const invocations = docs.flatMap((d) => findInvocations(d.text, d.file));

  it('finds the invocations of every command across the docs', () => {
    const commands = new Set(invocations.map((i) => i.command));
    for (const c of ['start', 'token', 'bridge', 'approvals', 'audit', 'credential', 'policy'])
      assert.ok(commands.has(c), `no documented "warden ${c}"`);
    assert.ok(invocations.length > 50, `only ${invocations.length} invocations found`);
  });

  it('parse with the command’s own parser: known flags with their values, known actions', () => {
    const bad = invocations.flatMap((i) =>
      commandLines(i).flatMap((argv) => {
        const why = refusal(argv);
        return why ? [`${i.where}: warden ${argv.join(' ')}: ${why}`] : [];
      }),
    );
    assert.deepEqual(bad, []);
  });

  it('pass each Terraform output to the flag it is the value of', () => {
    const bad: string[] = [];
    for (const i of invocations)
      i.words.forEach((w, n) => {
        const output = /^"?\$\(terraform output -raw ([\w-]+)\)"?$/.exec(w)?.[1];
        const flag = i.words[n - 1];
        if (output && OUTPUT_FLAGS[output] && flag !== OUTPUT_FLAGS[output])
          bad.push(
            `${i.where}: ${flag} "$(terraform output -raw ${output})" (it is ${OUTPUT_FLAGS[output]})`,
          );
      });
    assert.deepEqual(bad, []);
  });

  it('describe each Terraform output by the flag it is the value of', () => {
    const bad: string[] = [];
    for (const d of docs.filter((f) => f.file.endsWith('.tf')))
      for (const m of d.text.matchAll(
        /output\s+"([\w-]+)"\s*\{[^}]*?description\s*=\s*"((?:[^"\\]|\\.)*)"/g,
      )) {
        const [, name, description] = m;
        const flags = findInvocations(description!, d.file).flatMap((i) => flagsOf(i.words));
        const want = OUTPUT_FLAGS[name!];
        if (want && flags.length > 0 && !flags.includes(want))
          bad.push(`${d.file}: output "${name}" names ${flags.join(' ')}, not ${want}`);
      }
    assert.deepEqual(bad, []);
  });

  it('are found as written, without the shell around them', () => {
    const words = (s: string) => findInvocations(s, 'x')[0]!.words;
    assert.deepEqual(
      words('npx warden audit verify --bucket "$(terraform output -raw audit_bucket)" \\\n  --from T'),
      ['verify', '--bucket', '"$(terraform output -raw audit_bucket)"', '--from', 'T'],
    );
    assert.deepEqual(words('TOKEN=$(npx warden token --email a@b.c --groups x)'), [
      '--email',
      'a@b.c',
      '--groups',
      'x',
    ]);
    assert.deepEqual(words('`warden audit search [--from T --table t]` finds'), [
      'search',
      '--from',
      'T',
      '--table',
      't',
    ]);
    assert.deepEqual(words('--token-command "npx warden token --email a@b.c" --x'), ['--email', 'a@b.c']);
    assert.deepEqual(words('| `warden approvals list\\|show …` |'), ['list|show', '…']);
    assert.deepEqual(flagsOf(['--out=report.html', '-h', 'value', '"--not-a-flag"']), ['--out', '-h']);
    const lines = (s: string) => commandLines(findInvocations(s, 'x')[0]!);
    assert.deepEqual(lines('`warden audit search [--from --to T]`'), [
      ['audit', 'search', '--from', 'VALUE', '--to', 'T'],
    ]);
    assert.deepEqual(lines('`warden approvals list\\|deny …`'), [
      ['approvals', 'list', '…'],
      ['approvals', 'deny', '…'],
    ]);
    assert.deepEqual(lines('`warden approvals …`'), [['approvals', 'list', '…']]);
    assert.equal(refusal(['audit', 'search', '--table', 't']), undefined);
    assert.match(
      refusal(['audit', 'search', '--bigquery', 'p.d.t']) ?? 'accepted',
      /^unknown option --bigquery;/,
    );
    assert.match(refusal(['audit', 'verify', '--help=yes']) ?? 'accepted', /^--help takes no value$/);
    assert.match(refusal(['audit', 'check']) ?? 'accepted', /^unknown action "check"/);
  });
});
