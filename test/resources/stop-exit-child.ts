/**
 * A host process for the stop test (test/resources/stop.test.ts): relock on the system clock over
 * a store whose lock-record writes always fail, so a record retry timer is set; then `stop()`.
 * It prints one JSON line on exit: which delays it scheduled, and which of relock's timers fired
 * after `stop()` resolved (none may: a timer that fires kept the process alive until it did).
 */
import Keyv from 'keyv';
import { type Clock, systemClock } from '../../src/clock/clock.js';
import { createRelock } from '../../src/relock.js';

class RefusingRecords extends Map<string, unknown> {
  // @ts-expect-error deliberately async, as keyv awaits what a Map store returns
  override async set(key: string, value: unknown): Promise<this> {
    if (key.includes('lock:')) throw new Error('the disk is full');
    return super.set(key, value);
  }
}

let stopped = false;
const scheduled: number[] = [];
const firedAfterStop: number[] = [];
const clock: Clock = {
  now: () => systemClock.now(),
  setTimeout: (fn, ms) => {
    scheduled.push(ms);
    return systemClock.setTimeout(() => {
      if (stopped) firedAfterStop.push(ms);
      fn();
    }, ms);
  },
  clearTimeout: (handle) => systemClock.clearTimeout(handle),
};

let storeErrors = 0;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const relock = await createRelock({
  driver: { lock: async () => {} },
  store: new Keyv({ store: new RefusingRecords() }),
  clock,
  logger: quiet,
});
relock.subscribe((event) => {
  if (event.type === 'store.error') storeErrors++;
});
await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
await relock.flush();
await new Promise((resolve) => setImmediate(resolve));
await relock.stop();
stopped = true;
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify({ storeErrors, scheduled, firedAfterStop })}\n`);
});
