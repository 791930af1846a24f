// relock on more than one process: two members of one cluster share a Redis and 4 locks.
// Each member runs in its own process in a deployment; here both run in this one, on a
// simulated clock, so the example finishes at once. Needs a Redis: REDIS_URL=redis://127.0.0.1:6379
import { createRelockCluster, type LockDriver, ManualClock, type RelockCluster } from '../src/index.js';

export async function clusterExample(redisUrl: string, log: (line: string) => void = console.log): Promise<void> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0));
  const locks = ['front', 'back', 'garage', 'shed'].map((id) => ({
    id,
    name: `${id} door`,
    reportsLockState: false, // accepted = done (no confirmation wait), to keep the example short
    autolock: { enabled: true, dayMinutes: 5, nightMinutes: 5 },
  }));
  const prefix = `example-${Date.now()}:`; // a cluster of its own on this Redis, each run
  const member = async (name: string): Promise<RelockCluster> => {
    const driver: LockDriver = {
      // fencingToken grows with every new owner of a lock: a lock that keeps the largest seen can refuse an older one
      lock: async (lock, { fencingToken }) => log(`${name} locks ${lock.id} (token ${fencingToken})`),
    };
    const cluster = await createRelockCluster({ redis: redisUrl, prefix, clock, driver, leaseMs: 10_000 });
    await cluster.addLocks(locks); // every member is given every lock
    return cluster;
  };

  const a = await member('A');
  const b = await member('B');
  await a.rebalance(); // A lets go of B's share; B claims it at its next tick
  await b.rebalance();
  log(`A owns ${a.ownedLockIds().sort().join(', ')}; B owns ${b.ownedLockIds().sort().join(', ')}`);

  // every member may receive every report: it is stored in Redis and reaches the owner
  for (const lock of locks) a.reportLockState(lock.id, 'unlocked');
  await clock.advance(1_000);

  await a.stop(); // A leaves (a crash does the same once its lease passes): B takes its locks over
  await b.rebalance();
  log(`after A left, B owns ${b.ownedLockIds().sort().join(', ')}`);
  const allFired = new Promise<void>((resolve) => {
    let fired = 0;
    b.subscribe((event) => {
      if (event.type === 'autolock.fired' && ++fired === locks.length) resolve();
    });
  });
  await clock.advance(6 * 60_000); // the countdowns end: each lock is locked once, by B
  await allFired; // (each command first asks Redis whether B still owns the lock: real I/O)
  await b.stop();
}

if (process.argv[1]?.endsWith('cluster.ts') && process.env.REDIS_URL) await clusterExample(process.env.REDIS_URL);
