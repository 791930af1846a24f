/**
 * The crash-test workload: a relock system on an @keyv/sqlite file, in simulated time, doing
 * random autolock work until it is killed. It prints, one line each, what it is about to do
 * (`intent`), what relock has acknowledged (`ack`: the awaited call resolved), every lock
 * command (`command`) and the simulated time (`clock`), so the parent can check what a new
 * process recovers against what this one had acknowledged. After each `intent` and `ack` line
 * it waits for a newline on stdin: the parent always knows which operation may be under way.
 *
 * argv: <sqlite file> <seed> <start time ms>
 */
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';

const [file, seedText, startText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
const random = (): number => {
  // xorshift32: a deterministic workload per seed
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
let permits = 0;
let waiting: (() => void) | undefined;
process.stdin.on('data', (chunk: Buffer) => {
  permits += chunk.toString().split('\n').length - 1;
  if (permits > 0 && waiting) {
    permits--;
    const go = waiting;
    waiting = undefined;
    go();
  }
});
/** Prints a line, then waits for the parent's go-ahead. */
const step = (line: string): Promise<void> => {
  say(line);
  if (permits > 0) {
    permits--;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    waiting = resolve;
  });
};

const LOCKS = ['l0', 'l1', 'l2', 'l3'];
const clock = new ManualClock(Number(startText));
const relock = await createRelock({
  store: `sqlite://${file}`,
  clock,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  driver: {
    async lock(lock) {
      say(`command ${lock.id}`);
    },
  },
});
// simulated time never outruns the file's real I/O (a jump past a write in flight would time it out)
clock.settleWith(() => relock.flush());
await relock.addLocks(LOCKS.map((id) => ({ id, name: id, autolock: { enabled: false, dayMinutes: 5 } })));
await step('ready');
for (;;) {
  const id = pick(LOCKS);
  const op = pick(['start', 'start', 'cancel', 'advance', 'unlock', 'lock'] as const);
  if (op === 'start') {
    const seconds = 30 + Math.floor(random() * 600);
    await step(`intent start ${id}`);
    await relock.startAutolock(id, seconds);
    await step(`ack start ${id} ${relock.status(id).endsAt}`);
  } else if (op === 'cancel') {
    await step(`intent cancel ${id}`);
    await relock.cancelAutolock(id);
    await step(`ack cancel ${id}`);
  } else if (op === 'advance') {
    const target = clock.now() + Math.floor(random() * 120_000);
    await step(`intent advance ${target}`);
    await clock.advanceTo(target);
    await step(`clock ${clock.now()}`);
  } else {
    await step(`intent ${op} ${id}`);
    relock.reportLockState(id, op === 'lock' ? 'locked' : 'unlocked');
  }
}
