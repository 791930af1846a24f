/**
 * One relock process of a cluster, for the failover tests: argv = redis url, key prefix, lease
 * ms, command log file, lock count. It joins the cluster on the system clock, is given every
 * lock, and answers lines on stdin (JSON): `{ op: 'start', plan: { [lockId]: seconds } }` starts
 * the autolock of each lock of the plan it owns and replies with their end times;
 * `{ op: 'cancel', lockIds }` cancels those it owns and replies with what it cancelled;
 * `{ op: 'owned' }` replies with the locks it owns. The driver appends one JSON line per command
 * (lock, member, token, time) to the shared log: O_APPEND writes of one short line each.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRelockCluster } from '../../src/cluster/relock-cluster.js';

const [redis, prefix, lease, log, count] = process.argv.slice(2) as [string, string, string, string, string];
let joined: { readonly member: string } | undefined;
const cluster = await createRelockCluster({
  redis,
  prefix,
  leaseMs: Number(lease),
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  driver: {
    lock: async (lock, { fencingToken }) => {
      appendFileSync(
        log,
        `${JSON.stringify({ lockId: lock.id, member: joined?.member ?? 'joining', pid: process.pid, token: fencingToken, at: Date.now() })}\n`,
      );
    },
  },
});
joined = cluster;
await cluster.addLocks(
  Array.from({ length: Number(count) }, (_, i) => ({
    id: `door-${i}`,
    name: `Door ${i}`,
    reportsLockState: false,
    autolock: { enabled: true },
  })),
);
const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
reply({ ready: cluster.member, owned: cluster.ownedLockIds().length });

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { op: string; plan?: Record<string, number>; lockIds?: string[] };
  if (message.op === 'start') {
    const ends: Record<string, number> = {};
    for (const [lockId, seconds] of Object.entries(message.plan ?? {})) {
      if (!cluster.owns(lockId)) continue;
      await cluster.startAutolock(lockId, seconds);
      ends[lockId] = cluster.status(lockId).endsAt as number;
    }
    reply({ started: ends });
  } else if (message.op === 'cancel') {
    const cancelled: string[] = [];
    for (const lockId of message.lockIds ?? []) {
      if (!cluster.owns(lockId)) continue;
      await cluster.cancelAutolock(lockId);
      cancelled.push(lockId);
    }
    reply({ cancelled, at: Date.now() });
  } else if (message.op === 'owned') {
    reply({ owned: cluster.ownedLockIds() });
  } else if (message.op === 'stop') {
    await cluster.stop();
    reply({ stopped: true });
    process.exit(0);
  }
}
