/**
 * Resource checks (issue 10, items 19 and 20): heap after many add/remove cycles and reloads, and
 * how long a synchronous burst of calls on one lock blocks the event loop. Run by `npm run bench`
 * (rows in bench/results.json), or alone: `tsc -p tsconfig.bench.json && node --expose-gc
 * .tmp/build/bench/resources.js`. A script that measures and prints; the tests that hold these
 * are test/resources/heap.test.ts and test/resources/burst.test.ts.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock/manual-clock.js';
import { createRelock, type Relock } from '../src/relock.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const LOCK = { id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } };

function heapMB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

async function system(): Promise<{ relock: Relock; clock: ManualClock }> {
  const clock = new ManualClock();
  const relock = await createRelock({ driver: { lock: async () => {} }, clock, logger: quiet });
  return { relock, clock };
}

export type Row = Record<string, string | number>;

/** Heap (MB after a full GC) at 20,000 and 100,000 cycles of `cycle`. */
async function heapOver(workload: string, cycle: (relock: Relock, i: number) => Promise<void>): Promise<Row> {
  const { relock } = await system();
  await relock.addLock(LOCK);
  let at20k = 0;
  for (let i = 1; i <= 100_000; i++) {
    await cycle(relock, i);
    if (i === 20_000) at20k = heapMB();
  }
  const at100k = heapMB();
  await relock.stop();
  return {
    workload,
    at_20k_MB: +at20k.toFixed(2),
    at_100k_MB: +at100k.toFixed(2),
    growth_MB: +(at100k - at20k).toFixed(2),
  };
}

/** Milliseconds the event loop is blocked by a synchronous burst, then until it has all settled. */
async function burst(workload: string, calls: number, run: (relock: Relock) => Promise<unknown>[]): Promise<Row> {
  const { relock, clock } = await system();
  await relock.addLock(LOCK);
  const start = performance.now();
  const pending = run(relock);
  const blocking = performance.now() - start;
  await clock.advance(0);
  await Promise.allSettled(pending);
  await relock.flush();
  const settled = performance.now() - start;
  await relock.stop();
  return { workload, calls, blocking_ms: Math.round(blocking), settled_ms: Math.round(settled) };
}

export async function resourceRows(print: (row: Row) => void = (row) => console.log(JSON.stringify(row))) {
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    print(row);
  };
  add(
    await heapOver('R1 heap, add/remove cycles', async (relock, i) => {
      await relock.addLock({ id: 'cycled', name: 'Cycled', autolock: { enabled: true, dayMinutes: 5 } });
      if (i % 10 === 0) relock.reportLockState('cycled', 'unlocked');
      await relock.removeLock('cycled');
    }),
  );
  add(
    await heapOver('R2 heap, reloads', (relock, i) =>
      relock.updateLock({ ...LOCK, name: `Front ${i % 2}` }).then(() => {}),
    ),
  );
  for (const n of [2_000, 100_000]) {
    add(
      await burst('R3 burst, alternating lock reports', n, (relock) => {
        for (let i = 0; i < n; i++) relock.reportLockState('front', i % 2 === 0 ? 'unlocked' : 'locked');
        return [];
      }),
    );
    add(
      await burst('R4 burst, the same lock report', n, (relock) => {
        for (let i = 0; i < n; i++) relock.reportLockState('front', 'unlocked');
        return [];
      }),
    );
  }
  for (const n of [4_000, 20_000]) {
    add(
      await burst('R5 burst, startAutolock + cancelAutolock pairs', n, (relock) => {
        const pending: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) pending.push(relock.startAutolock('front', 60), relock.cancelAutolock('front'));
        return pending;
      }),
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await resourceRows();
  process.exit(0);
}
