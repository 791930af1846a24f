// relock quick start: one lock, an autolock, a door left open, a failed command and its retry.
// Runs in simulated time (ManualClock) so it finishes at once; in a host, leave `clock` out.
import { createRelock, ManualClock, type RelockEvent } from '../src/index.js';

export async function quickStart(log: (line: string) => void = console.log): Promise<RelockEvent[]> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0)); // noon UTC, 1 June
  let driverUp = true;
  const relock = await createRelock({
    store: 'memory', // or 'sqlite://./data/relock.sqlite', or any Keyv
    clock,
    daylight: { latitude: 52.37, longitude: 4.89 }, // day or night minutes, by the sun
    driver: {
      async lock(lock, { signal }) {
        if (signal.aborted || !driverUp) throw new Error(`${lock.name} did not answer`);
        log(`driver: locking ${lock.name}`);
      },
    },
    notifier: {
      notify: (n) => log(`notify ${n.id}: ${n.message}`),
      dismiss: (id) => log(`dismiss ${id}`),
    },
  });
  const events: RelockEvent[] = [];
  relock.subscribe((event) => events.push(event));

  await relock.addLock({
    id: 'front',
    name: 'Front Door',
    hasDoorSensor: true,
    // never send a lock command while the door is open; retry a failed command (30 s, 1 min, ...)
    autolock: { enabled: true, dayMinutes: 5, nightMinutes: 1, doorMode: 'never-while-open', maxAttempts: 5 },
    codeSlots: [{ number: 1, name: 'Guest', pin: '482913' }],
  });

  // The host reports what its lock and door sensor do; relock decides when to lock.
  relock.reportLockState('front', 'unlocked');
  await clock.advance(0);
  const { durationSeconds, endsAt } = relock.status('front');
  log(`autolock in ${durationSeconds} s, at ${new Date(endsAt ?? 0).toISOString()}`);

  relock.reportDoorState('front', 'open');
  await clock.advance(5 * 60_000); // the deadline passes with the door open: retry pending
  log(`pending retry: ${relock.status('front').pendingRetry}`);

  driverUp = false;
  relock.reportDoorState('front', 'closed'); // locks at once: the command fails (attempt 1 of 5), notified
  await clock.advance(0);
  log(`status: ${relock.status('front').summary}`);
  driverUp = true;
  await clock.advance(30_000); // attempt 2, 30 s later, is accepted; relock waits for the lock to confirm
  log(`status: ${relock.status('front').summary}`);
  relock.reportLockState('front', 'locked'); // the host confirms; notifications are dismissed
  await clock.advance(0);

  log(`final: ${JSON.stringify(relock.status('front'))}`);
  await relock.stop();
  return events;
}

if (import.meta.url === `file://${process.argv[1]}`) await quickStart();
