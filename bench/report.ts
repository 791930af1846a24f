/**
 * The results table of `npm run bench` and `npm run bench:cluster`: relock ÷ baseline and
 * relock ÷ floor ratios, each side's median round, and the store operations of each side.
 */
import { fmt, printTable, SIDES, type SideName } from './support.js';
import type { Measure, Row } from './workloads.js';

/** relock's figure ÷ the other side's (lower is better for relock), or null when one is missing. */
export const ratio = (row: Row, of: SideName): number | null => {
  const relock = row.sides.relock?.value;
  const other = row.sides[of]?.value;
  return relock === undefined || other === undefined || other === 0 ? null : relock / other;
};

/**
 * Prints the rows, then each side's detail and every failed check. `storeOps` is the last
 * column: SQL statements on SQLite rows (`npm run bench`) or Redis commands on Redis rows.
 */
export function printRows(rows: readonly Row[], storeOps: 'sql' | 'redis' = 'sql'): void {
  const cell = (row: Row, side: SideName) => {
    const measure = row.sides[side];
    if (measure === undefined) return '–';
    if (row.workload === 'W3') {
      const d = measure.detail ?? {};
      return `${d.p50_ms} / ${d.p99_ms} / ${d.max_ms}`;
    }
    return fmt(measure.value, row.unit === 'ms' && measure.value < 10 ? 1 : 0);
  };
  const ops = (row: Row, kind: 'keyv' | 'sql' | 'redis') =>
    row.workload === 'W4' || (kind === 'sql' && row.store !== 'sqlite') || (kind === 'redis' && row.store !== 'redis')
      ? '–'
      : SIDES.map((side) => fmt(row.sides[side]?.ops?.[kind])).join(' / ');
  const x = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`);
  printTable(
    [
      'workload',
      'store',
      'unit',
      'baseline',
      'XState floor',
      'relock',
      'relock÷base',
      'relock÷floor',
      'keyv calls b / f / r',
      storeOps === 'sql' ? 'SQL statements b / f / r' : 'Redis commands b / f / r',
    ],
    rows.map((row) => [
      row.workload,
      row.store,
      row.workload === 'W3' ? 'ms p50/p99/max' : row.unit,
      cell(row, 'baseline'),
      cell(row, 'floor'),
      cell(row, 'relock'),
      x(ratio(row, 'baseline')),
      x(ratio(row, 'floor')),
      ops(row, 'keyv'),
      ops(row, storeOps),
    ]),
  );
  for (const row of rows) {
    for (const side of SIDES) {
      const detail = row.sides[side]?.detail;
      if (detail !== undefined) console.log(`  ${row.workload} ${row.store} ${side}: ${JSON.stringify(detail)}`);
    }
    for (const problem of row.problems) console.log(`  ${row.workload} ${row.store} check failed: ${problem}`);
  }
}

/** One row for a workload and store: each side's median round (its ops and detail with it), every round's figure kept. */
function median(group: readonly Row[]): Row {
  const first = group[0] as Row;
  if (group.length === 1) return first;
  const sidesOf: Partial<Record<SideName, Measure>> = {};
  for (const side of SIDES) {
    const measures = group.map((row) => row.sides[side]).filter((m): m is Measure => m !== undefined);
    if (measures.length === 0) continue;
    const sorted = [...measures].sort((a, b) => a.value - b.value);
    const middle = sorted[Math.floor((sorted.length - 1) / 2)] as Measure;
    sidesOf[side] = {
      ...middle,
      detail: { ...middle.detail, rounds_ms: measures.map((m) => Math.round(m.value)).join(' / ') },
    };
  }
  return { ...first, sides: sidesOf, problems: [...new Set(group.flatMap((row) => row.problems))] };
}

/** The runs of every round folded into one row per workload and store, in the order first run. */
export function medianRows(runs: readonly Row[]): Row[] {
  const rows: Row[] = [];
  for (const row of runs) {
    if (rows.some((done) => done.workload === row.workload && done.store === row.store)) continue;
    rows.push(median(runs.filter((other) => other.workload === row.workload && other.store === row.store)));
  }
  return rows;
}
