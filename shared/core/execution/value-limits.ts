// Limits on what a result releases: values (rows plus array elements), cells and bytes, not rows alone.

import type { Cell } from '../../ports/warehouse.ts';

/** Per-call caps from the decision (45 CFR 164.514(d), minimum necessary). */
export interface ValueLimits {
  /** Released values: each row counts one, and so does each array element, nested arrays included. */
  values: number;
  /** Released cells: each scalar (or null) leaf, in rows, STRUCT fields and array elements. */
  cells: number;
  /** Released bytes: the rows as UTF-8 JSON. */
  bytes: number;
}

/** What a limited result released. */
export interface Released {
  rows: Record<string, Cell>[];
  /** Something was held back: rows, or array elements past the value or cell budget. */
  truncated: boolean;
  values: number;
  cells: number;
  bytes: number;
}

interface Budget {
  values: number;
  cells: number;
}

/**
 * Copies `value` spending the budget: one cell per scalar leaf, one value per array element. Array elements
 * past the budget are cut (`cut.hit` is set); a scalar leaf past the cell budget becomes null.
 */
function spend(value: Cell, budget: Budget, cut: { hit: boolean }): Cell {
  if (Array.isArray(value)) {
    const out: Cell[] = [];
    for (const element of value) {
      if (budget.values <= 0 || budget.cells <= 0) {
        cut.hit = true;
        break;
      }
      budget.values--;
      out.push(spend(element, budget, cut));
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(value)) {
      const copied = spend(v, budget, cut);
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: copied,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = copied;
    }
    return out;
  }
  if (budget.cells <= 0) {
    cut.hit = true;
    return null;
  }
  budget.cells--;
  return value;
}

/**
 * The rows a result may release under `limits`, in order: a row is released while the values, cells and bytes
 * released so far stay within the caps. The first row that does not fit is released with its arrays cut to
 * what is left of the budget (so `SELECT ARRAY_AGG(…)` releases the first values, not every patient in one
 * row), or not at all when even that exceeds a cap; nothing after it is released. Pure.
 */
export function limitReleased(rows: readonly Record<string, Cell>[], limits: ValueLimits): Released {
  const out: Record<string, Cell>[] = [];
  const budget: Budget = { values: limits.values, cells: limits.cells };
  let bytes = 2; // the enclosing [ ]
  let truncated = false;
  for (const row of rows) {
    if (budget.values <= 0 || budget.cells <= 0) {
      truncated = true;
      break;
    }
    const before = { ...budget };
    budget.values--;
    const cut = { hit: false };
    const copy = spend(row, budget, cut) as Record<string, Cell>;
    const size = Buffer.byteLength(JSON.stringify(copy), 'utf8') + (out.length > 0 ? 1 : 0);
    if (bytes + size > limits.bytes) {
      budget.values = before.values;
      budget.cells = before.cells;
      truncated = true;
      break;
    }
    out.push(copy);
    bytes += size;
    if (cut.hit) {
      truncated = true;
      break;
    }
  }
  if (out.length < rows.length) truncated = true;
  return {
    rows: out,
    truncated,
    values: limits.values - budget.values,
    cells: limits.cells - budget.cells,
    bytes: out.length === 0 ? 2 : bytes,
  };
}
