/**
 * A relock system in its own process on a `redis://` store, killed by the parent with SIGKILL:
 * it arms one autolock on a simulated clock that never moves (so it never fires here), prints
 * `armed <endsAt>` once the entry is durable in Redis, and waits to be killed. A day-long lease
 * means only the rule for a dead process on this host lets another system take the store over.
 * A lock command (there should be none) prints `command <id>`.
 *
 * argv: <redis url> <start epoch ms>
 */
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';

const [url, start] = process.argv.slice(2);
const clock = new ManualClock(Number(start));
const relock = await createRelock({
  store: url,
  clock,
  storeLeaseMs: 86_400_000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  driver: {
    async lock(lock) {
      process.stdout.write(`command ${lock.id}\n`);
    },
  },
});
clock.settleWith(() => relock.flush());
await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
relock.reportLockState('front', 'unlocked');
await clock.advance(0);
await relock.flush();
process.stdout.write(`armed ${relock.status('front').endsAt}\n`);
// the Redis connection keeps the process alive until it is killed
