// The expected-failures baseline of the MCP conformance suite and the comparison of a run against it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The baseline: scenario names the suite may fail, each with why. */
export interface ExpectedFailures {
  server: string[];
  reasons: Record<string, string>;
}

/** Reads and checks the baseline file: every entry has a reason, every reason an entry, no duplicates. */
export function readExpectedFailures(path: string): ExpectedFailures {
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as { server?: unknown; reasons?: unknown };
  const server = doc.server ?? [];
  const reasons = doc.reasons ?? {};
  if (!Array.isArray(server) || !server.every((s) => typeof s === 'string'))
    throw new Error(`${path}: "server" must be a list of scenario names`);
  if (typeof reasons !== 'object' || reasons === null || Array.isArray(reasons))
    throw new Error(`${path}: "reasons" must map scenario names to reasons`);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of server as string[]) {
    if (seen.has(name)) problems.push(`"${name}" is listed twice`);
    seen.add(name);
    const reason = (reasons as Record<string, unknown>)[name];
    if (typeof reason !== 'string' || reason.trim() === '') problems.push(`"${name}" has no reason`);
  }
  for (const name of Object.keys(reasons))
    if (!seen.has(name)) problems.push(`reason for unlisted "${name}"`);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  return { server: server as string[], reasons: reasons as Record<string, string> };
}

/** One check of one scenario, as the suite writes it to `checks.json`. */
export interface Check {
  id: string;
  name?: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  errorMessage?: string;
}

export interface ScenarioResult {
  scenario: string;
  checks: Check[];
}

/** Reads `<dir>/server-<scenario>-<timestamp>/checks.json` as the suite's `--output-dir` leaves them. */
export function readResults(dir: string): ScenarioResult[] {
  const results: ScenarioResult[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name);
    const file = join(dir, entry.name, 'checks.json');
    if (!entry.isDirectory() || !m?.[1] || !existsSync(file)) continue;
    results.push({ scenario: m[1], checks: JSON.parse(readFileSync(file, 'utf8')) as Check[] });
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

/** As the suite judges a scenario against a baseline: a FAILURE or WARNING check fails the scenario. */
export function failed(result: ScenarioResult): boolean {
  return result.checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING');
}

export interface Comparison {
  passed: string[];
  expected: string[];
  unexpected: string[];
  /** Listed as expected failures but passing now: remove them from the baseline. */
  stale: string[];
  ok: boolean;
}

export function compare(results: ScenarioResult[], baseline: ExpectedFailures): Comparison {
  const listed = new Set(baseline.server);
  const c: Comparison = { passed: [], expected: [], unexpected: [], stale: [], ok: false };
  for (const r of results) {
    if (failed(r)) (listed.has(r.scenario) ? c.expected : c.unexpected).push(r.scenario);
    else (listed.has(r.scenario) ? c.stale : c.passed).push(r.scenario);
  }
  c.ok = results.length > 0 && c.unexpected.length === 0 && c.stale.length === 0;
  return c;
}

/** A human-readable report: every check of every scenario, then the verdict. */
export function report(results: ScenarioResult[], baseline: ExpectedFailures, c: Comparison): string {
  const lines: string[] = ['', 'Conformance checks (scenario / check: status):'];
  for (const r of results) {
    const verdict = !failed(r)
      ? 'pass'
      : baseline.server.includes(r.scenario)
        ? 'expected failure'
        : 'UNEXPECTED FAILURE';
    lines.push(`  ${r.scenario} (${verdict})`);
    for (const check of r.checks) {
      if (check.status === 'INFO') continue;
      lines.push(`    ${check.id}: ${check.status}${check.errorMessage ? ` (${check.errorMessage})` : ''}`);
    }
  }
  lines.push(
    '',
    `Passed: ${c.passed.length} [${c.passed.join(', ')}]`,
    `Expected failures: ${c.expected.length}`,
  );
  for (const s of c.unexpected) lines.push(`UNEXPECTED FAILURE: ${s}`);
  for (const s of c.stale)
    lines.push(`STALE: ${s} passes now; remove it from dev/conformance/expected-failures.yaml`);
  if (results.length === 0) lines.push('NO RESULTS: the suite wrote no checks.json');
  lines.push(c.ok ? 'Conformance: OK' : 'Conformance: FAILED');
  return lines.join('\n');
}
