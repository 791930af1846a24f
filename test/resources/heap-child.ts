/**
 * A process for the heap test (test/resources/heap.test.ts), run with `node --expose-gc`: adds and
 * removes one lock (or reloads one) over and over on a simulated clock, and prints the heap used
 * after a full GC at each checkpoint, as one JSON line: `{ "<cycles>": <bytes>, ... }`.
 * Arguments: `add-remove` or `reload`, then the checkpoints in cycles (ascending).
 */
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const [mode, ...marks] = process.argv.slice(2);
const checkpoints = marks.map(Number);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const relock = await createRelock({ driver: { lock: async () => {} }, clock: new ManualClock(), logger: quiet });
await relock.addLock({ id: 'stays', name: 'Stays', autolock: { enabled: true, dayMinutes: 5 } });

const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const heaps: Record<string, number> = {};
const last = checkpoints.at(-1) ?? 0;
for (let cycle = 1; cycle <= last; cycle++) {
  if (mode === 'reload') {
    await relock.updateLock({ id: 'stays', name: `Stays ${cycle % 2}`, autolock: { enabled: true, dayMinutes: 5 } });
  } else {
    await relock.addLock({ id: 'cycled', name: 'Cycled', autolock: { enabled: true, dayMinutes: 5 } });
    if (cycle % 10 === 0) relock.reportLockState('cycled', 'unlocked'); // now and then with an autolock running
    await relock.removeLock('cycled');
  }
  if (checkpoints.includes(cycle)) {
    await relock.flush();
    heaps[cycle] = heap();
  }
}
await relock.stop();
process.stdout.write(`${JSON.stringify(heaps)}\n`);
