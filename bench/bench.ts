/**
 * `npm run bench`: relock beside the bare baseline and the XState floor, in one run, on the same
 * machine, at 10,000 locks.
 *
 * - bare baseline (`baseline.ts`): a Map of setTimeout handles, one keyv call per write;
 * - XState floor (`floor.ts`): the smallest honest statechart per lock (one actor, a delayed event
 *   for the deadline, every store call an event to one shared store actor that replies with one);
 * - relock, with its defaults, driven as a host drives it.
 * Every workload (`workloads.ts`) runs each side on the in-memory Keyv and on @keyv/sqlite (WAL,
 * synchronous NORMAL) as `createKeyvStore` opens them (W3 and W4: in memory), one side at a time;
 * W1, W2 and W5 run three rounds (the machine is shared: each side's median round is shown, every
 * round kept). It prints the three columns and the ratios relock ÷ baseline and relock ÷ floor,
 * checks the issue-12 targets, and writes bench/results.json. A script, not a test.
 *
 * Options (a filtered run writes no results.json; for profiles see profiles.sh):
 *   --only W1,W2,W3,W4,W5,R   workloads (R: the resource checks of resources.ts)
 *   --store memory|sqlite     --side baseline|floor|relock     --locks N (default 10000)
 *   --rounds R                rounds of W1, W2 and W5 (default 3; the table shows each side's median)
 *   --windows FILE            writes the timed parts' windows (labels <workload>-<store>-<side>) on
 *                             the CPU profile's clock, for `profile.ts --window` (see profiles.sh)
 *   --heap-sample FILE        W4 writes a sampling heap profile of what is live at its measure
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { medianRows, printRows, ratio } from './report.js';
import { resourceRows } from './resources.js';
import { checkSeed } from './sides.js';
import { cleanUp, fmt, openStore, printTable, SIDES, type SideName, type StoreKind, windows } from './support.js';
import { type Row, w1, w2, w3, w4, w5 } from './workloads.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}
const only = option('only')?.split(',');
const stores = (option('store')?.split(',') ?? ['memory', 'sqlite']) as StoreKind[];
const sides = (option('side')?.split(',') ?? [...SIDES]) as SideName[];
const n = Number(option('locks') ?? 10_000);
const rounds = Number(option('rounds') ?? 3);
const filtered =
  process.argv.includes('--windows') ||
  only !== undefined ||
  option('store') !== undefined ||
  option('side') !== undefined ||
  n !== 10_000;
const wanted = (workload: string) => only === undefined || only.includes(workload);

interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | null;
}

function targets(rows: readonly Row[]): Target[] {
  const find = (workload: Row['workload'], store: StoreKind) =>
    rows.find((row) => row.workload === workload && row.store === store && row.locks === 10_000);
  const list: Target[] = [];
  const add = (name: string, value: number | null | undefined, limit: number, measured: (v: number) => string) =>
    list.push(
      value === null || value === undefined
        ? { name, measured: 'not measured', met: null }
        : { name, measured: measured(value), met: value <= limit },
    );
  const x = (v: number) => `${v.toFixed(2)}×`;
  const w1m = find('W1', 'memory');
  const w1s = find('W1', 'sqlite');
  const w2s = find('W2', 'sqlite');
  const w3m = find('W3', 'memory');
  const w4m = find('W4', 'memory');
  const w5m = find('W5', 'memory');
  const w5s = find('W5', 'sqlite');
  add('W1 memory: relock ≤ 1.5× the XState floor', w1m && ratio(w1m, 'floor'), 1.5, x);
  add('W1 sqlite: relock ≤ 0.5× the bare baseline', w1s && ratio(w1s, 'baseline'), 0.5, x);
  add('W2 sqlite: relock < 0.5 s with lock records', w2s?.sides.relock?.value, 499.999, (v) => `${fmt(v)} ms`);
  add(
    'W3: relock p99 < 10 ms with ≥ 10 s head-room',
    w3m?.problems.some((problem) => problem.startsWith('relock') && problem.includes('head-room'))
      ? Number.POSITIVE_INFINITY
      : w3m?.sides.relock?.value,
    9.999,
    (v) => `${fmt(v, 1)} ms`,
  );
  add('W4: relock < 6 KB heap per lock', w4m?.sides.relock?.value, 5_999.999, (v) => `${fmt(v)} B`);
  add('W5 memory: relock within 2× of the XState floor', w5m && ratio(w5m, 'floor'), 2, x);
  add('W5 sqlite: relock ≤ 1.5× the bare baseline', w5s && ratio(w5s, 'baseline'), 1.5, x);
  return list;
}

function gitState(): { commit: string; dirty: string[] } {
  try {
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src', { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '');
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: [] };
  }
}

const started = performance.now();
const git = gitState();
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  /** The machine is shared: the 1-minute load average when the run began and when it ended. */
  loadStart: +(loadavg()[0] ?? 0).toFixed(2),
  loadEnd: 0,
};
console.log(
  `relock bench, ${new Date().toISOString()}, commit ${git.commit}${git.dirty.length > 0 ? ` + ${git.dirty.length} uncommitted files in src/` : ''}, ` +
    `${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadStart}, ${n.toLocaleString('en-US')} locks`,
);

let seedCheck: string | null = 'not run';
if (wanted('W2')) {
  seedCheck = await checkSeed(await openStore('memory'), await openStore('memory'));
  console.log(
    seedCheck === null
      ? 'W2 seed: the lock records and timer entries seeded agree with what a relock system writes'
      : `W2 seed DIFFERS from what relock writes: ${seedCheck}`,
  );
}

const runs: Row[] = [];
const run = async (row: Promise<Row>, round?: number) => {
  const done = await row;
  runs.push(done);
  const short = (side: SideName) => {
    const measure = done.sides[side];
    return measure === undefined ? '–' : fmt(measure.value, 1);
  };
  console.log(
    `${done.workload} ${done.store}${round === undefined ? '' : ` (round ${round})`}: baseline ${short('baseline')}, floor ${short('floor')}, relock ${short('relock')} ${done.unit}`,
  );
};
for (let round = 1; round <= rounds; round++) {
  for (const kind of stores) {
    if (wanted('W1')) await run(w1(kind, n, sides), round);
    if (wanted('W2')) await run(w2(kind, n, sides), round);
    if (wanted('W5')) await run(w5(kind, n, sides), round);
  }
}
if (wanted('W3') && stores.includes('memory')) await run(w3('memory', n, sides));
if (wanted('W4')) await run(w4(n, sides, option('heap-sample')));

const rows = medianRows(runs);

console.log('');
printRows(rows);
const checked = targets(rows);
console.log('');
printTable(
  ['target (10,000 locks)', 'measured', 'met'],
  checked.map((target) => [target.name, target.measured, target.met === null ? '–' : target.met ? 'yes' : 'NO']),
);
console.log('W6 (linear to 100,000 locks): npm run bench:scale');

const resources = wanted('R') ? await resourceRows() : [];
const seconds = (performance.now() - started) / 1000;
machine.loadEnd = +(loadavg()[0] ?? 0).toFixed(2);
console.log(
  `done in ${seconds.toFixed(0)} s; load average ${machine.loadStart} at the start, ${machine.loadEnd} at the end`,
);
if (!filtered) {
  writeFileSync(
    new URL('./results.json', import.meta.url).pathname.replace('/.tmp/build', ''),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        git,
        machine,
        seconds,
        rounds,
        seedCheck,
        rows,
        runs,
        targets: checked,
        resources,
      },
      null,
      2,
    )}\n`,
  );
}
const windowsFile = option('windows');
if (windowsFile !== undefined) writeFileSync(windowsFile, `${JSON.stringify(windows, null, 2)}\n`);
cleanUp();
process.exit(0);
