/**
 * Scale benchmark (issue 3, item 7): how long adding N locks takes, and what one later add,
 * report and remove costs at 10 locks and at 10,000. A script that measures and prints; not a
 * test. Run: `npm run bench:scale` (add `-- 50000` for another N); it runs the compiled JavaScript.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock/manual-clock.js';
import { createRelock } from '../src/relock.js';

const driver = { lock: async () => {} };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function system() {
  return createRelock({ driver, clock: new ManualClock(), logger: quiet });
}

const config = (i: number) => ({
  id: `lock-${i}`,
  name: `Lock ${i}`,
  autolock: { enabled: true, dayMinutes: 5 },
  codeSlots: [{ number: 1, pin: '123456' }],
});

async function addMany(n: number, bulk = true): Promise<{ relock: Awaited<ReturnType<typeof system>>; ms: number }> {
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
    // each report is a real change: unlocked (starts and persists an autolock), then locked (cancels it)
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
const single = await addMany(n, false);
await single.relock.stop();
console.log(`add ${n} locks one addLock() call each, concurrently: ${single.ms.toFixed(0)} ms`);
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
console.log(
  `add ${n} locks in one addLocks() call (in-memory store, timers recovered, records durable): ${ms.toFixed(0)} ms`,
);
console.log(
  `children of the coordinator or any lock actor: at most ${maxChildren}; heap after: ${(heap / 1e6).toFixed(0)} MB`,
);
for (const size of [10, n]) {
  const cost = await perOp(size);
  console.log(
    `at ${String(size).padStart(6)} locks: add ${cost.add.toFixed(3)} ms, report ${cost.report.toFixed(3)} ms, remove ${cost.remove.toFixed(3)} ms per operation`,
  );
}
