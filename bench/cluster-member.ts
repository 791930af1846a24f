/**
 * One member of the `bench:cluster` failover run, a child process of `cluster.ts`: argv = redis
 * url, key prefix, lease ms, command log file, lock count. It joins the cluster on the system
 * clock (`createRelockCluster`), is given every lock (`door-0` … `door-<n-1>`, reportsLockState
 * false, so a fire is one command), and then talks JSON lines:
 *
 * - out, once: `{ type: 'ready', member, owned, joinMs, addMs }` after `createRelockCluster` and
 *   `addLocks` resolved;
 * - out, as they happen: `{ type: 'event', event, member, count, at }` for every cluster event
 *   (claimed, released, lease-lost, error);
 * - in `{ op: 'owned' }` → `{ type: 'reply', owned: [ids] }`;
 * - in `{ op: 'start', seconds, lockIds? }` → starts the autolock of every lock it owns (of
 *   `lockIds`, if given), all at once, and replies `{ type: 'reply', started: { id: endsAt },
 *   failed, reasons, ms }`;
 * - in `{ op: 'stop' }` → `cluster.stop()`, replies, exits.
 *
 * The driver appends one JSON line per command (lock, member, pid, token, time) to the shared
 * log: one `appendFileSync` (O_APPEND) of one short line each, so the lines of three processes
 * never interleave.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRelockCluster } from '../src/cluster/relock-cluster.js';

const [redis, prefix, lease, log, count] = process.argv.slice(2) as [string, string, string, string, string];
const send = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
let member = 'joining';
const t0 = Date.now();
const cluster = await createRelockCluster({
  redis,
  prefix,
  leaseMs: Number(lease),
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  driver: {
    lock: async (lock, { fencingToken }) => {
      appendFileSync(
        log,
        `${JSON.stringify({ lockId: lock.id, member, pid: process.pid, token: fencingToken, at: Date.now() })}\n`,
      );
    },
  },
});
member = cluster.member;
const joinMs = Date.now() - t0;
cluster.subscribe((event) => {
  if (!event.type.startsWith('cluster.')) return;
  const e = event as { type: string; member: string; lockIds?: readonly string[]; message?: string };
  member = cluster.member;
  send({
    type: 'event',
    event: e.type,
    member: e.member,
    count: e.lockIds?.length ?? 0,
    ...(e.message === undefined ? {} : { message: e.message }),
    at: Date.now(),
  });
});
await cluster.addLocks(
  Array.from({ length: Number(count) }, (_, i) => ({
    id: `door-${i}`,
    name: `Door ${i}`,
    reportsLockState: false,
    autolock: { enabled: true },
  })),
);
send({ type: 'ready', member: cluster.member, owned: cluster.ownedLockIds().length, joinMs, addMs: Date.now() - t0 });

for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { op: string; seconds?: number; lockIds?: string[] };
  if (message.op === 'owned') {
    send({ type: 'reply', owned: cluster.ownedLockIds() });
  } else if (message.op === 'start') {
    const started = Date.now();
    const ids = message.lockIds?.filter((id) => cluster.owns(id)) ?? cluster.ownedLockIds();
    const results = await Promise.allSettled(ids.map((id) => cluster.startAutolock(id, message.seconds)));
    const ends: Record<string, number> = {};
    const failed: string[] = [];
    const reasons = new Set<string>();
    results.forEach((result, i) => {
      const id = ids[i] as string;
      if (result.status === 'rejected') reasons.add(String(result.reason).slice(0, 300));
      const endsAt = result.status === 'fulfilled' && cluster.owns(id) ? cluster.status(id).endsAt : null;
      if (endsAt === null || endsAt === undefined) failed.push(id);
      else ends[id] = endsAt;
    });
    send({ type: 'reply', started: ends, failed, reasons: [...reasons].slice(0, 3), ms: Date.now() - started });
  } else if (message.op === 'stop') {
    await cluster.stop();
    send({ type: 'reply', stopped: true });
    process.exit(0);
  }
}
