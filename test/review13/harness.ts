/**
 * Review of issue 13: the shared harness of the probes in this folder. Each test file starts
 * its own real `redis-server`; each test runs under a prefix of its own. Members run in this
 * test process on `ManualClock`s (their timers move only when a test advances a clock); only
 * Redis round trips take real time, and they are waited for with a bound that only catches a
 * hang. A member's death is its lease key deleted, as Redis does when the lease passes.
 */
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelockCluster, type RelockCluster } from '../../src/cluster/relock-cluster.js';
import type { LockConfigInput } from '../../src/model/lock-config.js';
import type { LockDriver, LockView } from '../../src/ports/lock-driver.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';

export const MINUTE = 60_000;
/** A bound on waiting for Redis I/O that only catches a hang. */
export const IO = { timeout: 10_000, interval: 20 };

export interface Command {
  readonly lockId: string;
  readonly member: string;
  readonly token: number | undefined;
}

export interface Rig {
  readonly redis: () => RedisServer;
  readonly admin: () => ReturnType<typeof createClient>;
  /** The prefix of the current test (fresh per test). */
  readonly prefix: () => string;
  /** Every command every member sent, in order. */
  readonly commands: Command[];
  /** What the members' drivers do (default: accept at once); reset after each test. */
  driverBehaviour: (lock: LockView, options: { signal: AbortSignal; fencingToken?: number }) => Promise<void>;
  join(clock: ManualClock, options?: { leaseMs?: number; actionTimeoutMs?: number }): Promise<RelockCluster>;
  /** Lets real I/O settle: a few event-loop turns and Redis round trips. */
  settle(): Promise<void>;
  advance(clock: ManualClock, ms: number): Promise<void>;
  count(lockId: string): number;
}

export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export function lockConfig(id: string, minutes = 5): LockConfigInput {
  return {
    id,
    name: `Lock ${id}`,
    reportsLockState: false,
    autolock: { enabled: true, dayMinutes: minutes, nightMinutes: minutes },
  };
}

export const locks = (n: number, minutes = 5): LockConfigInput[] =>
  Array.from({ length: n }, (_, i) => lockConfig(`door-${i}`, minutes));

/** Sets up a Redis for the file and cleans members and data after each test. */
export function useRig(): Rig {
  let redis: RedisServer | undefined;
  let admin: ReturnType<typeof createClient> | undefined;
  let prefixCount = 0;
  let prefix = 'r13-0:';
  const members: RelockCluster[] = [];
  const accept = async (): Promise<void> => {};
  const rig: Rig = {
    redis: () => redis as RedisServer,
    admin: () => admin as ReturnType<typeof createClient>,
    prefix: () => prefix,
    commands: [],
    driverBehaviour: accept,
    async join(clock, options = {}) {
      // simulated time never outruns real I/O: after each timer, every member's writes and a
      // Redis round trip (no store call times out on the simulated clock before Redis could answer)
      clock.settleWith(async () => {
        await rig.settle().catch(() => {});
        await Promise.all(members.map((member) => member.flush().catch(() => {})));
      });
      let self: RelockCluster | undefined;
      const driver: LockDriver = {
        lock: async (lock, commandOptions) => {
          rig.commands.push({ lockId: lock.id, member: self?.member ?? '?', token: commandOptions.fencingToken });
          await rig.driverBehaviour(lock, commandOptions);
        },
      };
      const member = await createRelockCluster({
        redis: (redis as RedisServer).url,
        prefix,
        leaseMs: options.leaseMs ?? 10_000,
        clock,
        logger: quiet,
        driver,
        actionTimeoutMs: options.actionTimeoutMs ?? 5_000,
      });
      self = member;
      members.push(member);
      return member;
    },
    async settle() {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await (admin as ReturnType<typeof createClient>).ping();
      }
    },
    async advance(clock, ms) {
      await clock.advance(ms);
      await rig.settle();
      await clock.advance(0);
      await rig.settle();
    },
    count(lockId) {
      return rig.commands.filter((command) => command.lockId === lockId).length;
    },
  };

  beforeAll(async () => {
    redis = await startRedis();
    admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.close().catch(() => {});
    await redis?.stop();
  });
  afterEach(async () => {
    rig.driverBehaviour = accept;
    for (const member of members.splice(0)) {
      await Promise.race([member.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 3_000))]);
    }
    rig.commands.length = 0;
    prefix = `r13-${++prefixCount}:`;
    vi.useRealTimers();
  });
  return rig;
}

/** Waits (in real time) until `check` holds, or the I/O bound passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeout = IO.timeout): Promise<boolean> {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, IO.interval));
  }
  return check();
}

export function newClock(): ManualClock {
  return new ManualClock();
}
