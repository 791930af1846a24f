/**
 * (a) after an acknowledged cancelAutolock, no lock command for that cycle, also across a crash:
 * the acknowledgement must mean the cancel is durable, the lock record's `cycleEnded` included
 * (the timer entry is gone, so that flag is all that keeps a restart from arming again).
 */
import { describe, expect, it } from 'vitest';
import { lock, policyBench } from '../support/policy-bench.js';
import { MINUTE } from '../support/relock-harness.js';
import { crashImage } from './crash.js';

const { bench } = policyBench();

async function unlockedAndCounting() {
  const first = await bench();
  await first.relock.addLock(lock());
  first.relock.reportLockState('front', 'unlocked');
  await first.clock.advance(MINUTE);
  expect(first.relock.status('front').running).toBe(true);
  return first;
}

describe('a cancel acknowledged just before a crash', () => {
  it('a cancel is not acknowledged (or stays cancelled) when the lock record carrying cycleEnded could not be written', async () => {
    const first = await unlockedAndCounting();
    // the lock record's write fails once (the timer entry's removal goes through)
    first.map.failKeys.set('keyv:lock:front', 1);
    let acknowledged = true;
    await first.relock.cancelAutolock('front').catch(() => {
      acknowledged = false;
    });
    // the process dies before the record is written again (5 s later)
    const image = crashImage(first);
    const second = await bench({ clock: first.clock, map: image });
    await second.relock.addLock(lock());
    await second.clock.advance(30 * MINUTE);
    // an acknowledged cancel sends nothing; an unacknowledged one the host knows to repeat
    expect({ acknowledged, commands: acknowledged ? second.driver.commands : [] }).toEqual({
      acknowledged,
      commands: [],
    });
  });
});
