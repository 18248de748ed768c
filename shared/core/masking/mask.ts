// Masks a query result under a profile: column rules per (nested) column, then content detectors over strings.

import type { Cell, ColumnSchema } from '../../ports/warehouse.ts';
import { globMatch } from '../glob.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import { isGenericColumnName, profileColumn } from './column-profile.ts';
import { contextKind, DetectorSet, type RedactionStats } from './detectors.ts';
import { MaskingError } from './errors.ts';
import { DETECTOR_KINDS, tagFor, tagForClass } from './kinds.ts';
import { nameWords } from './names.ts';
import {
  BUILTIN_PROFILES,
  type MaskingProfile,
  type MaskingProfiles,
  type MaskingStrategy,
} from './profile.ts';
import {
  type CellMasker,
  canonicalType,
  columnMasker,
  computedStrategy,
  hmacHex,
  needsKey,
  STRICTNESS,
  type StrategyEnv,
  strictnessOf,
  yearMask,
} from './strategies.ts';

/** Where a result column came from, as the executor's SQL analysis and the classification tell it. */
export interface ColumnLineage {
  /** The table the column reads. */
  table?: TableRef;
  /** The column it reads (dotted for nested fields), when it differs from the output name or is known. */
  sourceColumn?: string;
  /** PHI class from the classification (`ssn`, `name`, `date`, `contact`, `address`, `mrn`, `free_text`, …). */
  phiClass?: string;
  /** Full BigQuery policy tag names on the source column. */
  policyTags?: string[];
  /**
   * For a column computed from several source columns (`CONCAT(first_name, ' ', last_name)`), or from a
   * whole row (`sourceColumn: '*'`): one lineage per source. The column gets the strictest of the
   * strategies its sources would get; `table`, `sourceColumn`, `phiClass` and `policyTags` above are then
   * ignored. A computed column never gets a partial mask (`last_four`, `zip3`, a year, a hash: which part of a
   * computed value is safe to show cannot be told): such strategies withhold it, and `scrub` replaces it whole.
   */
  sources?: ColumnLineage[];
  /**
   * The column folds many rows into one scalar (STRING_AGG, `TO_JSON_STRING(ARRAY_AGG(…))`): its values cannot
   * be counted against the value limit, so one read from PHI is withheld under every profile.
   */
  collects?: boolean;
}

/** What the classification (the policy's lists merged with BigQuery metadata) says about source columns. */
export interface ColumnCatalog {
  /** PHI class and policy tags of `column` (dotted for nested fields) of `table`; undefined if unknown. */
  describe(table: TableRef, column: string): { phiClass?: string; policyTags?: string[] } | undefined;
  /** Every column path of `table` with a PHI class or policy tag, for whole-row reads (`TO_JSON_STRING(p)`). */
  phiColumns(table: TableRef): string[];
  /** The table holds PHI (by label, listing or any PHI column). */
  phiTable?(table: TableRef): boolean;
}

/** A query result to mask, with what is known about its columns. */
export interface MaskingInput {
  schema: ColumnSchema[];
  rows: Record<string, Cell>[];
  /** Lineage by output column name (dotted paths for nested fields; children inherit from parents). */
  columns?: Record<string, ColumnLineage>;
  /** The day the result is released (YYYY-MM-DD), for Safe Harbor's ages-over-89 rule on dates. */
  asOf?: string;
  /** Classes and policy tags of source columns, for lineage that names a table and column but no class. */
  catalog?: ColumnCatalog;
}

/** Key material, decrypted by the caller (KMS) once per instance. */
export interface MaskingKeys {
  /** HMAC-SHA256 key for `sha256`, `date_shift` and the hash fall-backs of `last_four`, `first_four`, `email_mask`. */
  hmacKey?: Uint8Array;
}

/** What was masked, for the audit trail and the caller: names, strategies and counts, never values. */
export interface MaskingSummary {
  profile: string;
  /** Columns a rule masked (dotted paths for nested fields), with the strategy used; `keep` columns are omitted. */
  columns: { column: string; strategy: string; phiClass?: string }[];
  /** Identifiers the content detectors replaced, per kind. */
  detectors: { kind: string; count: number }[];
  /** Content flagged for review but not masked: `biometric`, `image`. */
  flags: string[];
}

/** The masked rows and the summary. */
export interface MaskedResult {
  rows: Record<string, Cell>[];
  summary: MaskingSummary;
}

interface CompiledRule {
  columns: readonly string[] | undefined;
  name: RegExp | undefined;
  phiClasses: ReadonlySet<string> | undefined;
  policyTags: readonly string[] | undefined;
  types: ReadonlySet<string> | undefined;
  strategy: MaskingStrategy;
}

/** A profile ready to mask with: rules and detectors compiled. Build once per policy and reuse. */
export interface CompiledMaskingProfile {
  readonly name: string;
  readonly profile: MaskingProfile;
  /** Detectors for `keep` columns; undefined when the profile turns detection off. */
  readonly detectors: DetectorSet | undefined;
  /** Detectors for `scrub` columns (the profile's, or all built-ins when its detection is off). */
  readonly scrubDetectors: DetectorSet;
  readonly rules: readonly CompiledRule[];
}

const imageOnly = new DetectorSet({ kinds: ['image'] });
const compiledCache = new WeakMap<MaskingProfile, Map<string, CompiledMaskingProfile>>();

/** Compiles a validated profile (cached per profile object and name). */
export function compileMaskingProfile(name: string, profile: MaskingProfile): CompiledMaskingProfile {
  let byName = compiledCache.get(profile);
  const hit = byName?.get(name);
  if (hit) return hit;
  try {
    const d = profile.detectors;
    const exclude = new Set<string>(d.exclude);
    const kinds = (d.kinds ?? DETECTOR_KINDS).filter((k) => !exclude.has(k));
    const options = {
      kinds,
      ...(d.mrn ? { mrn: d.mrn } : {}),
      ...(d.healthPlan ? { healthPlan: d.healthPlan } : {}),
      ...(d.account ? { account: d.account } : {}),
      custom: d.custom,
    };
    const set = new DetectorSet(options);
    const compiled: CompiledMaskingProfile = {
      name,
      profile,
      detectors: d.enabled ? set : undefined,
      scrubDetectors: d.enabled ? set : new DetectorSet({ ...options, kinds: DETECTOR_KINDS }),
      rules: profile.rules.map((r) => ({
        columns: r.match.columns,
        name: r.match.namePattern === undefined ? undefined : new RegExp(r.match.namePattern, 'i'),
        phiClasses: r.match.phiClasses ? new Set(r.match.phiClasses) : undefined,
        policyTags: r.match.policyTags,
        types: r.match.types ? new Set(r.match.types.map(canonicalType)) : undefined,
        strategy: r.strategy,
      })),
    };
    if (!byName) {
      byName = new Map();
      compiledCache.set(profile, byName);
    }
    byName.set(name, compiled);
    return compiled;
  } catch {
    throw new MaskingError('invalid_profile', `masking profile "${name}" does not compile`);
  }
}

/**
 * The compiled profile `name`: a built-in (`safe-harbor`, `none`) or one of the policy's. An unknown name
 * throws, so a decision naming a missing profile releases nothing.
 */
export function resolveMaskingProfile(name: string, profiles: MaskingProfiles = {}): CompiledMaskingProfile {
  const profile = Object.hasOwn(BUILTIN_PROFILES, name)
    ? BUILTIN_PROFILES[name]
    : Object.hasOwn(profiles, name)
      ? profiles[name]
      : undefined;
  if (!profile) throw new MaskingError('unknown_profile', `unknown masking profile "${name}"`);
  return compileMaskingProfile(name, profile);
}

interface Lineage {
  table: TableRef | undefined;
  source: string | undefined;
  phiClass: string | undefined;
  policyTags: readonly string[];
  /** Several sources (a computed column): the strictest of their strategies applies. */
  sources: Lineage[] | undefined;
  /** Folds many rows into one scalar (see {@link ColumnLineage.collects}). */
  collects: boolean;
}

/** The lineage of field `name` of a STRUCT whose lineage is `p`; a whole row's field is the row's column. */
function childLineage(p: Lineage, name: string): Lineage {
  return {
    table: p.table,
    source: p.source === undefined ? undefined : p.source === '*' ? name : `${p.source}.${name}`,
    phiClass: p.source === '*' ? undefined : p.phiClass,
    policyTags: p.source === '*' ? [] : p.policyTags,
    sources: p.sources?.map((s) => childLineage(s, name)),
    collects: p.collects,
  };
}

/** Fills a lineage's class and policy tags from the catalog when it names a table and column but no class. */
function classify(lin: Lineage, catalog: ColumnCatalog | undefined): Lineage {
  if (catalog === undefined || lin.table === undefined || lin.source === undefined) return lin;
  if (lin.phiClass !== undefined || lin.policyTags.length > 0) return lin;
  if (lin.source === '*') return lin;
  // A nested field inherits its enclosing column's class.
  for (
    let path = lin.source;
    path !== '';
    path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : ''
  ) {
    const d = catalog.describe(lin.table, path);
    if (d !== undefined && (d.phiClass !== undefined || (d.policyTags?.length ?? 0) > 0))
      return { ...lin, phiClass: d.phiClass, policyTags: d.policyTags ?? [] };
  }
  return lin;
}

/** The single-source lineages a (possibly computed, possibly whole-row) column reads; empty when none. */
function expandSources(lin: Lineage, catalog: ColumnCatalog | undefined): Lineage[] {
  const list = lin.sources ?? [lin];
  const out: Lineage[] = [];
  for (const s of list) {
    if (s.sources !== undefined) out.push(...expandSources(s, catalog));
    else if (s.source === '*' && s.table !== undefined) {
      // A whole row read into one value: every PHI column of the table is a source, and the row itself is PHI
      // when the table is (labelled PHI without classified columns).
      const phiRow = catalog?.phiTable?.(s.table) === true;
      out.push({ ...s, source: undefined, ...(phiRow ? { phiClass: 'phi' } : {}) });
      for (const c of catalog?.phiColumns(s.table) ?? [])
        out.push(classify({ ...s, source: c, phiClass: undefined, policyTags: [] }, catalog));
    } else out.push(classify(s, catalog));
  }
  return out;
}

/** A source the classification calls PHI. */
function isPhiSource(lin: Lineage): boolean {
  return lin.phiClass !== undefined || lin.policyTags.length > 0;
}

/**
 * The strictest of several sources' strategies. Two different format-keeping strategies (an SSN's last four
 * and a ZIP3 in one CONCAT) cannot both hold, so the value is replaced.
 */
function strictest(candidates: { strategy: MaskingStrategy; lin: Lineage }[]): {
  strategy: MaskingStrategy;
  lin: Lineage;
} {
  let best = candidates[0]!;
  for (const c of candidates) if (strictnessOf(c.strategy) < strictnessOf(best.strategy)) best = c;
  if (strictnessOf(best.strategy) === STRICTNESS.formatKeeping) {
    const key = JSON.stringify(best.strategy);
    if (
      candidates.some(
        (c) => strictnessOf(c.strategy) === STRICTNESS.formatKeeping && JSON.stringify(c.strategy) !== key,
      )
    )
      return { strategy: { type: 'replace' }, lin: best.lin };
  }
  return best;
}

/** How one column (or nested field) of the result is masked. */
interface PlanNode {
  key: string;
  path: string;
  type: string;
  repeated: boolean;
  children: PlanNode[] | undefined;
  strategy: MaskingStrategy | undefined;
  masker: CellMasker | undefined;
  detectors: DetectorSet | undefined;
  ctxKind: string | undefined;
  json: boolean;
  dateTyped: boolean;
  phiClass: string | undefined;
}

interface Plan {
  nodes: PlanNode[];
  /** Top-level name columns whose values seed name detection in the row's other strings. */
  seeders: PlanNode[];
  summaryColumns: MaskingSummary['columns'];
}

interface RowState {
  stats: RedactionStats;
  asOfYear: number | undefined;
  seeds: Set<string> | undefined;
}

function ruleMatches(rule: CompiledRule, path: string, type: string, lin: Lineage): boolean {
  if (rule.types && !rule.types.has(type)) return false;
  if (rule.phiClasses && (lin.phiClass === undefined || !rule.phiClasses.has(lin.phiClass))) return false;
  if (rule.policyTags && !lin.policyTags.some((t) => rule.policyTags!.some((p) => globMatch(p, t))))
    return false;
  if (rule.columns) {
    if (!lin.table) return false;
    const full = `${formatTableRef(lin.table)}.${lin.source ?? path}`;
    if (!rule.columns.some((p) => globMatch(p, full))) return false;
  }
  if (rule.name) {
    const re = rule.name;
    const leaf = path.slice(path.lastIndexOf('.') + 1);
    const names = [path, leaf];
    if (lin.source !== undefined) names.push(lin.source, lin.source.slice(lin.source.lastIndexOf('.') + 1));
    if (!names.some((n) => re.test(n))) return false;
  }
  return true;
}

function strategyFor(
  profile: CompiledMaskingProfile,
  path: string,
  type: string,
  lin: Lineage,
): MaskingStrategy {
  for (const rule of profile.rules) if (ruleMatches(rule, path, type, lin)) return rule.strategy;
  const phi = lin.phiClass !== undefined || lin.policyTags.length > 0;
  return phi ? profile.profile.phiDefault : profile.profile.default;
}

/**
 * True when `profile` releases the PHI column `column` (of class `phiClass`) of `table` exactly as stored: its
 * rule is `keep` and no detector may rewrite it (free text under detectors is not released as stored). A
 * query may filter, join, group or sort only on such columns: a predicate on a masked column is an oracle for
 * what the mask hides. Rules that match on types or policy tags cannot be told here without the column's
 * type and tags; one that would mask counts as masking (fail closed).
 */
export function releasesAsStored(
  profile: CompiledMaskingProfile,
  table: TableRef,
  column: string,
  phiClass: string,
): boolean {
  const lin: Lineage = {
    table,
    source: column,
    phiClass,
    policyTags: [],
    sources: undefined,
    collects: false,
  };
  const asStored = (strategy: MaskingStrategy): boolean =>
    strategy.type === 'keep' && !(phiClass === 'free_text' && profile.detectors !== undefined);
  for (const rule of profile.rules) {
    if (rule.types !== undefined || rule.policyTags !== undefined) {
      const untyped = { ...rule, types: undefined, policyTags: undefined };
      if (rule.strategy.type !== 'keep' && ruleMatches(untyped, column, '', lin)) return false;
      continue;
    }
    if (ruleMatches(rule, column, '', lin)) return asStored(rule.strategy);
  }
  return asStored(profile.profile.phiDefault);
}

const DETECTOR_KIND_SET: ReadonlySet<string> = new Set(DETECTOR_KINDS);

function buildPlan(
  profile: CompiledMaskingProfile,
  input: MaskingInput,
  env: StrategyEnv,
  hasKey: boolean,
): Plan {
  const columns = input.columns ?? {};
  const summaryColumns: MaskingSummary['columns'] = [];
  const shiftColumn = (patientKey: string): string | undefined => {
    for (const c of input.schema) if (c.name === patientKey) return c.name;
    for (const c of input.schema) {
      const src = columns[c.name]?.sourceColumn;
      if (src !== undefined && (src === patientKey || src.slice(src.lastIndexOf('.') + 1) === patientKey))
        return c.name;
    }
    return undefined;
  };
  const build = (
    field: ColumnSchema,
    prefix: string,
    parent: Lineage | undefined,
    inArray: boolean,
  ): PlanNode => {
    if (typeof field?.name !== 'string' || typeof field.type !== 'string')
      throw new MaskingError('invalid_input', 'the result schema is malformed');
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    const own = Object.hasOwn(columns, path) ? columns[path] : undefined;
    const inherited = parent === undefined ? undefined : childLineage(parent, field.name);
    const mine = own === undefined ? undefined : toLineage(own);
    // A column's own lineage wins; what it leaves out comes from its enclosing STRUCT.
    let lin: Lineage = {
      table: mine?.table ?? inherited?.table,
      source: mine?.source ?? inherited?.source,
      phiClass: mine?.phiClass ?? inherited?.phiClass,
      policyTags: own?.policyTags ?? inherited?.policyTags ?? [],
      sources: mine?.sources ?? inherited?.sources,
      collects: mine?.collects === true || inherited?.collects === true,
    };
    const type = canonicalType(field.type);
    const repeated = field.mode?.toUpperCase() === 'REPEATED';
    if (type === 'STRUCT' || (field.fields && field.fields.length > 0)) {
      return {
        key: field.name,
        path,
        type,
        repeated,
        children: (field.fields ?? []).map((f) => build(f, path, lin, inArray || repeated)),
        strategy: undefined,
        masker: undefined,
        detectors: undefined,
        ctxKind: undefined,
        json: false,
        dateTyped: false,
        phiClass: lin.phiClass,
      };
    }
    let sources = expandSources(lin, input.catalog);
    // A computed value (an expression, or a whole row in one value) never gets a partial mask.
    const computed = lin.sources !== undefined || lin.source === '*';
    // A top-level column that nothing classifies and whose names say nothing: its class is read from its
    // values, and a column of PHI shapes is masked as a column of that class (the profile's rules apply).
    if (
      prefix === '' &&
      !repeated &&
      !computed &&
      type === 'STRING' &&
      profile.detectors !== undefined &&
      !sources.some(isPhiSource) &&
      isUnnamedColumn(field.name, lin.source) &&
      strategyFor(profile, path, type, lin).type === 'keep'
    ) {
      const inferred = profileColumn(columnValues(input.rows, field.name));
      if (inferred !== undefined) {
        lin = { ...lin, phiClass: inferred };
        sources = [lin];
      }
    }
    const ruleFor = (s: Lineage): MaskingStrategy => {
      const r = strategyFor(profile, path, type, s);
      if (!computed) return r;
      // Text the profile keeps only because its detectors scan it (free text, or PHI of no known class, under
      // detectors) is protected as written; rewritten (REVERSE, TRANSLATE, SPLIT, SUBSTR), it is not.
      const scanned =
        r.type === 'keep' &&
        profile.detectors !== undefined &&
        (s.phiClass === 'free_text' || s.phiClass === 'phi');
      // A computed value's strategy (Strategy.onComputed): partial masks withhold, `scrub` replaces.
      return computedStrategy(scanned ? { type: 'scrub' } : r);
    };
    const chosen =
      sources.length === 0
        ? { strategy: ruleFor(lin), lin }
        : strictest(sources.map((s) => ({ strategy: ruleFor(s), lin: s })));
    // Rows folded into one scalar cannot be counted against the value limit: withheld when they are PHI.
    const uncountable = lin.collects && !inArray && !repeated && sources.some(isPhiSource);
    const strategy: MaskingStrategy = uncountable ? { type: 'nullify' } : chosen.strategy;
    lin = chosen.lin;
    if (needsKey(strategy) && !hasKey)
      throw new MaskingError('missing_key', `masking "${path}" with ${strategy.type} needs the masking key`);
    if (strategy.type === 'date_year_mask' && strategy.over89 === 'nullify' && env.asOfYear === undefined)
      throw new MaskingError('missing_as_of', `masking "${path}" with date_year_mask needs asOf`);
    const ctxKind =
      (lin.source !== undefined ? contextKind(lin.source) : undefined) ?? contextKind(field.name);
    const kind = ctxKind !== undefined && DETECTOR_KIND_SET.has(ctxKind) ? ctxKind : undefined;
    const tag = kind ? tagFor(kind) : tagForClass(lin.phiClass);
    const masker = columnMasker(strategy, type, tag, env, shiftColumn);
    if (strategy.type !== 'keep')
      summaryColumns.push({
        column: path,
        strategy: strategy.type,
        ...(lin.phiClass ? { phiClass: lin.phiClass } : {}),
      });
    const scanning = strategy.type === 'scrub' ? profile.scrubDetectors : profile.detectors;
    // BYTES (base64) are only checked for image content; their text is not language.
    const detectors =
      masker !== undefined || scanning === undefined ? undefined : type === 'BYTES' ? imageOnly : scanning;
    return {
      key: field.name,
      path,
      type,
      repeated,
      children: undefined,
      strategy,
      masker,
      detectors,
      ctxKind,
      json: type === 'JSON',
      dateTyped: type === 'DATE' || type === 'DATETIME' || type === 'TIMESTAMP',
      phiClass: lin.phiClass,
    };
  };
  const toLineage = (c: ColumnLineage): Lineage => ({
    table: c.table,
    source: c.sourceColumn,
    phiClass: c.phiClass,
    policyTags: c.policyTags ?? [],
    sources: c.sources?.map(toLineage),
    collects: c.collects === true,
  });
  if (!Array.isArray(input.schema)) throw new MaskingError('invalid_input', 'the result schema is malformed');
  const nodes = input.schema.map((f) => build(f, '', undefined, false));
  const seeders =
    profile.profile.detectors.seedNamesFromRow &&
    (profile.detectors !== undefined || nodes.some((n) => n.strategy?.type === 'scrub'))
      ? nodes.filter((n) => n.children === undefined && (n.phiClass === 'name' || n.ctxKind === 'name'))
      : [];
  return { nodes, seeders, summaryColumns };
}

/** True when neither the output name nor the source column's name tells what the column holds. */
function isUnnamedColumn(name: string, source: string | undefined): boolean {
  return (
    contextKind(name) === undefined &&
    isGenericColumnName(name) &&
    (source === undefined || (contextKind(source) === undefined && isGenericColumnName(source)))
  );
}

/** The values of top-level column `key`, row by row (rows that are not objects are skipped). */
function* columnValues(rows: readonly Record<string, Cell>[], key: string): Generator<Cell> {
  for (const row of rows)
    if (row !== null && typeof row === 'object' && !Array.isArray(row)) yield own(row, key);
}

type JsonValue = Cell | { rawJSON: string };
interface JsonApi {
  rawJSON(text: string): { rawJSON: string };
  isRawJSON(value: unknown): value is { rawJSON: string };
}
const JSON_API = JSON as unknown as JSON & JsonApi;

/** JSON.parse that keeps numbers exactly as written (big integers, long decimals). */
function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function (
    this: unknown,
    _key: string,
    value: unknown,
    context?: { source?: string },
  ) {
    if (typeof value === 'number' && context?.source !== undefined && String(value) !== context.source)
      return JSON_API.rawJSON(context.source);
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** Sets an own property, even one named `__proto__` (which plain assignment would turn into a prototype). */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** An own property's value, or null (never one inherited from a prototype). */
function own(obj: { readonly [k: string]: Cell }, key: string): Cell {
  return Object.hasOwn(obj, key) ? (obj[key] ?? null) : null;
}

/** Masks one cell of a node (an element, for repeated nodes). */
function maskElement(
  node: PlanNode,
  value: Cell,
  row: Readonly<Record<string, Cell>>,
  state: RowState,
): Cell {
  if (value === null || value === undefined) return null;
  if (node.children !== undefined) {
    if (typeof value !== 'object' || Array.isArray(value)) return maskLoose(node, value, row, state);
    const out: Record<string, Cell> = {};
    for (const child of node.children)
      put(out, child.key, maskNode(child, own(value, child.key), row, state));
    return out;
  }
  if (typeof value === 'object') {
    // A JSON value already parsed by the adapter: keys give context, as in a JSON string.
    if (node.json && node.masker === undefined && node.detectors !== undefined)
      return maskJsonValue(node.detectors, value, node.ctxKind, state, { changed: false }) as Cell;
    return maskLoose(node, value, row, state);
  }
  if (node.masker !== undefined) return node.masker(value, row);
  if (node.detectors !== undefined && typeof value === 'string') return scanString(node, value, state);
  return value;
}

function maskNode(node: PlanNode, value: Cell, row: Readonly<Record<string, Cell>>, state: RowState): Cell {
  if (value === null || value === undefined) return value ?? null;
  if (node.repeated && Array.isArray(value)) {
    const s = node.strategy?.type;
    if (s === 'nullify' || s === 'default_value') return [];
    const out: Cell[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = maskElement(node, value[i]!, row, state);
    return out;
  }
  return maskElement(node, value, row, state);
}

/**
 * A value whose shape disagrees with the schema (an array or object where a scalar was declared, a scalar
 * where a STRUCT was): every scalar in it is masked as the node would mask one; object keys give context.
 */
function maskLoose(
  node: PlanNode,
  value: Cell,
  row: Readonly<Record<string, Cell>>,
  state: RowState,
  ctxKind = node.ctxKind,
): Cell {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v) => maskLoose(node, v, row, state, ctxKind));
  if (typeof value === 'object') {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(value))
      put(out, k, maskLoose(node, v, row, state, contextKind(k) ?? ctxKind));
    return out;
  }
  if (node.masker !== undefined) return node.masker(value, row);
  if (node.children === undefined) {
    return node.detectors !== undefined && typeof value === 'string'
      ? node.detectors.redact(value, ctxKind, state.stats, state.seeds)
      : value;
  }
  // A scalar where a STRUCT was declared: scanned with its fields' detectors, kept only if every field keeps
  // its values, and otherwise withheld.
  const detectors = nodeDetectorsOf(node);
  if (detectors !== undefined)
    return typeof value === 'string' ? detectors.redact(value, ctxKind, state.stats, state.seeds) : value;
  return allKept(node) ? value : null;
}

/** For a struct: the detectors of its first scanned leaf, if any. */
function nodeDetectorsOf(node: PlanNode): DetectorSet | undefined {
  for (const c of node.children ?? []) {
    const d = c.children ? nodeDetectorsOf(c) : c.detectors;
    if (d) return d;
  }
  return undefined;
}

/** True when every leaf under a struct keeps its value as it is. */
function allKept(node: PlanNode): boolean {
  return (node.children ?? []).every((c) => (c.children ? allKept(c) : c.masker === undefined));
}

function scanString(node: PlanNode, value: string, state: RowState): Cell {
  const detectors = node.detectors!;
  if (node.json) return scanJson(detectors, value, node.ctxKind, state);
  const out = detectors.redact(value, node.ctxKind, state.stats, state.seeds);
  // A typed date found whole keeps its type: it is year-masked (Safe Harbor keeps years) instead of tagged.
  if (node.dateTyped && out === '[DATE]') return yearMask(value, 'nullify', state.asOfYear);
  return out;
}

/** Parses a JSON value, masks its strings (keys give context), and re-serialises it only if something changed. */
function scanJson(detectors: DetectorSet, text: string, ctxKind: string | undefined, state: RowState): Cell {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(text);
  } catch {
    return detectors.redact(text, ctxKind, state.stats, state.seeds);
  }
  const walk = { changed: false };
  const masked = maskJsonValue(detectors, parsed, ctxKind, state, walk);
  return walk.changed ? JSON.stringify(masked as JsonValue) : text;
}

/**
 * Masks the strings (and, under a telling key, the numbers) of a parsed JSON value; object keys are the context
 * of their values. Sets `walk.changed` when anything was replaced.
 */
function maskJsonValue(
  detectors: DetectorSet,
  v: unknown,
  kind: string | undefined,
  state: RowState,
  walk: { changed: boolean },
): unknown {
  if (typeof v === 'string') {
    const r = detectors.redact(v, kind, state.stats, state.seeds);
    if (r !== v) walk.changed = true;
    return r;
  }
  if (typeof v === 'number' || JSON_API.isRawJSON(v)) {
    if (kind === undefined) return v;
    const s = typeof v === 'number' ? String(v) : v.rawJSON;
    const r = detectors.redact(s, kind, state.stats, state.seeds);
    if (r === s) return v;
    walk.changed = true;
    return r;
  }
  if (Array.isArray(v)) return v.map((x) => maskJsonValue(detectors, x, kind, state, walk));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      put(out, k, maskJsonValue(detectors, x, contextKind(k), state, walk));
    return out;
  }
  return v;
}

/**
 * Masks a query result under a compiled profile. Pure: no I/O, input untouched, same input and key give the
 * same output. Column rules apply per leaf column (nested STRUCT fields and ARRAY elements included); then the
 * content detectors run over every string of every column the rules keep, JSON values parsed and re-serialised.
 * Any failure throws {@link MaskingError}, so the caller releases nothing (fail closed).
 */
export function maskResult(
  profile: CompiledMaskingProfile,
  input: MaskingInput,
  keys: MaskingKeys,
): MaskedResult {
  let where = 'planning';
  try {
    if (input === null || typeof input !== 'object' || !Array.isArray(input.rows))
      throw new MaskingError('invalid_input', 'the result to mask is malformed');
    let asOfYear: number | undefined;
    if (input.asOf !== undefined) {
      const m = /^(\d{4})-\d{2}-\d{2}$/.exec(input.asOf);
      if (!m) throw new MaskingError('invalid_input', 'asOf must be YYYY-MM-DD');
      asOfYear = Number(m[1]);
    }
    const key = keys.hmacKey;
    const hasKey = key instanceof Uint8Array && key.length >= 16;
    const env: StrategyEnv = {
      hmac: hasKey
        ? hmacHex(key)
        : () => {
            throw new MaskingError('missing_key', 'the masking key is missing');
          },
      asOfYear,
    };
    const plan = buildPlan(profile, input, env, hasKey);
    const state: RowState = { stats: { counts: new Map(), flags: new Set() }, asOfYear, seeds: undefined };
    const rows: Record<string, Cell>[] = new Array(input.rows.length);
    const { nodes, seeders } = plan;
    for (let r = 0; r < input.rows.length; r++) {
      where = `row ${r}`;
      const row = input.rows[r];
      if (row === null || typeof row !== 'object' || Array.isArray(row))
        throw new MaskingError('invalid_input', `row ${r} is not an object`);
      if (seeders.length > 0) {
        let seeds: Set<string> | undefined;
        for (const s of seeders) {
          const v = row[s.key];
          if (typeof v === 'string' && v.length > 1) {
            seeds ??= new Set();
            nameWords(v, seeds);
          }
        }
        state.seeds = seeds;
      }
      const out: Record<string, Cell> = {};
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        put(out, node.key, maskNode(node, own(row, node.key), row, state));
      }
      rows[r] = out;
    }
    const summary: MaskingSummary = {
      profile: profile.name,
      columns: plan.summaryColumns,
      detectors: [...state.stats.counts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([kind, count]) => ({ kind, count })),
      flags: [...state.stats.flags].sort(),
    };
    return { rows, summary };
  } catch (err) {
    if (err instanceof MaskingError) throw err;
    // The original error may quote a value, so only its type and where it happened are kept.
    throw new MaskingError(
      'internal',
      `masking failed at ${where} (${err instanceof Error ? err.name : typeof err})`,
    );
  }
}
