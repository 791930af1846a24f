/**
 * `npm run bench:scale`: W6, growth. W1 (start, durable) and W2 (recovery with lock records,
 * until durable) on the in-memory store at 1,000, 10,000 and 100,000 locks, for the bare
 * baseline, the XState floor and relock, each size in a fresh node process (`--expose-gc`) that
 * first runs the same workload once at 1,000 locks to warm the JIT, so no size carries the heap or
 * the cold code of another. Linear means each ×10 in locks costs at most ×11 in time. Then, as
 * before (issue 3, item 7), what adding N locks costs and what one later add, report and remove
 * cost at 10 locks and at N (simulated clock). A script that measures and prints; not a test.
 * Run: `npm run bench:scale` (add `-- 50000` for another N in the second part). A profile of one
 * size: `node --expose-gc --cpu-prof .tmp/build/bench/scale.js --child W2 100000 windows.json`, then
 * `profile.js <profile> --windows windows.json --window W2-memory-relock` (the measured run, not the warm-up).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../src/clock/manual-clock.js';
import { createRelock } from '../src/relock.js';
import { fmt, printTable, SIDES, windows } from './support.js';
import { type Row, w1, w2 } from './workloads.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const LIMIT = 11;

// a child: `scale.js --child W1|W2 <locks> [windows file]` (the file: see bench.ts --windows)
if (process.argv[2] === '--child') {
  const workload = process.argv[3] === 'W2' ? w2 : w1;
  const n = Number(process.argv[4]);
  await workload('memory', 1_000);
  const row = await workload('memory', n);
  const windowsFile = process.argv[5];
  if (windowsFile !== undefined) writeFileSync(windowsFile, `${JSON.stringify(windows, null, 2)}\n`);
  console.log(JSON.stringify(row));
  process.exit(0);
}

function child(workload: 'W1' | 'W2', n: number): Row {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', workload, String(n)],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) {
    throw new Error(`${workload} at ${n} locks failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  return JSON.parse(last) as Row;
}

const growth: Array<{ workload: string; side: string; ms: number[]; steps: number[]; linear: boolean }> = [];
for (const workload of ['W1', 'W2'] as const) {
  const rows = SIZES.map((n) => {
    const row = child(workload, n);
    console.log(
      `${workload} at ${fmt(n)} locks: ${SIDES.map((side) => `${side} ${fmt(row.sides[side]?.value)} ms`).join(', ')}${row.problems.length > 0 ? ` PROBLEMS: ${row.problems.join('; ')}` : ''}`,
    );
    return row;
  });
  for (const side of SIDES) {
    const ms = rows.map((row) => row.sides[side]?.value ?? Number.NaN);
    const steps = ms.slice(1).map((value, i) => value / (ms[i] ?? Number.NaN));
    growth.push({ workload, side, ms, steps, linear: steps.every((step) => step <= LIMIT) });
  }
}
console.log('');
printTable(
  ['workload', 'side', ...SIZES.map((n) => `${fmt(n)} locks`), '×10 steps', `linear (each ≤ ×${LIMIT})`],
  growth.map((g) => [
    g.workload,
    g.side,
    ...g.ms.map((ms) => `${fmt(ms)} ms`),
    g.steps.map((step) => `×${step.toFixed(1)}`).join(', '),
    g.linear ? 'yes' : 'NO',
  ]),
);

// Part two: adding N locks and the cost of one operation at 10 and at N locks (simulated clock).
const driver = { lock: async () => {} };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const system = () => createRelock({ driver, clock: new ManualClock(), logger: quiet });
const config = (i: number) => ({
  id: `lock-${i}`,
  name: `Lock ${i}`,
  autolock: { enabled: true, dayMinutes: 5 },
  codeSlots: [{ number: 1, pin: '123456' }],
});

async function addMany(n: number, bulk = true) {
  const relock = await system();
  const start = performance.now();
  if (bulk) await relock.addLocks(Array.from({ length: n }, (_, i) => config(i)));
  else await Promise.all(Array.from({ length: n }, (_, i) => relock.addLock(config(i))));
  await relock.flush();
  return { relock, ms: performance.now() - start };
}

async function perOp(n: number, rounds = 2000) {
  const { relock } = await addMany(n);
  let t = performance.now();
  for (let i = 0; i < rounds; i++) await relock.addLock(config(n + i));
  const add = (performance.now() - t) / rounds;
  t = performance.now();
  for (let i = 0; i < rounds; i++) {
    // each report is a real change: unlocked (starts and persists an autolock), then locked (ends it)
    relock.reportLockState(`lock-${i % n}`, 'unlocked');
    relock.reportLockState(`lock-${i % n}`, 'locked');
  }
  await relock.flush();
  const report = (performance.now() - t) / (2 * rounds);
  t = performance.now();
  for (let i = 0; i < rounds; i++) await relock.removeLock(`lock-${n + i}`);
  const remove = (performance.now() - t) / rounds;
  await relock.stop();
  return { add, report, remove };
}

const n = Number(process.argv[2] ?? 10_000);
console.log('');
const single = await addMany(n, false);
await single.relock.stop();
console.log(`add ${fmt(n)} locks, one addLock() call each, concurrently: ${fmt(single.ms)} ms`);
const { relock, ms } = await addMany(n);
const maxChildren = Math.max(
  Object.keys(relock.actor.getSnapshot().children).length,
  ...relock
    .lockIds()
    .slice(0, 100)
    .map((id) => Object.keys(relock.actor.system.get(`lock:${id}`).getSnapshot().children).length),
);
const heap = process.memoryUsage().heapUsed;
await relock.stop();
console.log(`add ${fmt(n)} locks in one addLocks() call (in-memory store, records durable): ${fmt(ms)} ms`);
console.log(`children of the coordinator or any lock actor: at most ${maxChildren}; heap after: ${fmt(heap / 1e6)} MB`);
for (const size of [10, n]) {
  const cost = await perOp(size);
  console.log(
    `at ${fmt(size).padStart(6)} locks: add ${cost.add.toFixed(3)} ms, report ${cost.report.toFixed(3)} ms, remove ${cost.remove.toFixed(3)} ms per operation`,
  );
}
process.exit(0);
