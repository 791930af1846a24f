/**
 * `npm run bench:cluster`: relock on Redis and across processes. A script that measures and
 * prints (not a test); it starts its own `redis-server` on 127.0.0.1 on a free port (`redis.ts`)
 * and stops it by its pid at the end, also on an error.
 *
 * Part 1 (`W`): W1, W2 and W5 of `workloads.ts` on Redis, for the bare baseline (one keyv call
 * per write, on @keyv/redis), the XState floor and relock, on a store opened as relock opens
 * `store: 'redis://…'` (`createKeyvStore`; each side on an emptied database, W2 on the same
 * seeded data), at 10,000 locks, three rounds, each side's median shown, with the same table and
 * ratios as `npm run bench`, plus the Redis commands each side sent during the timed part.
 *
 * Part 2 (`F`): failover at 3 processes × 10,000 locks. Three cluster members
 * (`cluster-member.ts`, child processes on the system clock, lease `--lease`, default 5 s) start
 * together and are given every lock; the bench times how long until the members have claimed
 * every lock as rendezvous hashing places it over the three (each member's claims and releases
 * are events with a time). Each member then starts the autolock of every lock it owns for
 * `--seconds` (default 10 s); one second before the first end, member 0 is SIGKILLed, so every
 * end falls a little after the kill. Every driver appends each command to one shared log. The
 * bench reports the time from the kill to the last fire of the killed member's locks, the
 * lateness of those fires past their ends (p50 / p99 / max), the lateness of the survivors' own
 * locks, when the killed member's lease expired in Redis (its PTTL read at the kill) and when the
 * survivors claimed its locks, and checks that every lock fired exactly once, none from the
 * killed process, each taken-over lock with a newer fencing token.
 *
 * Writes bench/results-cluster.json (an unfiltered run only). Options:
 *   --only W,F   --locks N (10000)   --rounds R (3)   --lease MS (5000)   --seconds S (10)
 *   --out FILE       writes the results there (also for a filtered run)
 *   --cpu-prof DIR   the members run with `node --cpu-prof --cpu-prof-dir DIR` (the survivors
 *                    write their profile when stopped; the killed one writes none)
 *   --windows FILE   writes the failover's parts (startup, start, failover: kill to last fire) on
 *                    the CPU profile's clock, for `profile.ts --windows FILE --window failover`
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { rendezvousOwner } from '../src/cluster/rendezvous.js';
import { type BenchRedis, startBenchRedis } from './redis.js';
import { medianRows, printRows } from './report.js';
import { cleanUp, closeRedis, fmt, pause, percentiles, printTable, useRedis } from './support.js';
import { type Row, w1, w2, w5 } from './workloads.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}
const only = option('only')?.split(',');
const n = Number(option('locks') ?? 10_000);
const rounds = Number(option('rounds') ?? 3);
const leaseMs = Number(option('lease') ?? 5_000);
const seconds = Number(option('seconds') ?? 10);
const cpuProfDir = option('cpu-prof');
const filtered = only !== undefined || n !== 10_000 || option('lease') !== undefined || option('seconds') !== undefined;
const wanted = (part: string) => only === undefined || only.includes(part);
/** A wall-clock instant (ms) on the CPU profile's clock (CLOCK_MONOTONIC, µs). */
const onProfileClock = (ms: number) => Math.round(Number(process.hrtime.bigint() / 1000n) + (ms - Date.now()) * 1000);
const profileWindows: Array<{ label: string; startUs: number; endUs: number }> = [];
const load = () => loadavg().map((value) => +value.toFixed(2));

// ---------------------------------------------------------------------------------------------
// part 2: the members

interface Command {
  readonly lockId: string;
  readonly member: string;
  readonly pid: number;
  readonly token: number;
  readonly at: number;
}

interface ClusterEventLine {
  readonly event: string;
  readonly member: string;
  readonly count: number;
  readonly at: number;
  readonly message?: string;
}

type Line = Record<string, unknown> & { type: string };

class Member {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: ClusterEventLine[] = [];
  readonly ready: Promise<Line>;
  readonly #replies: Array<(line: Line) => void> = [];
  stderr = '';
  /** When its ready line came (joined and given every lock). */
  readyAt = 0;

  constructor(args: string[]) {
    const file = new URL('./cluster-member.js', import.meta.url).pathname;
    const flags = cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir];
    this.child = spawn(process.execPath, [...flags, file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    let ready: (line: Line) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      ready = resolve;
      this.child.once('exit', (code, signal) => reject(new Error(`member exited (${code ?? signal}): ${this.stderr}`)));
    });
    this.ready.catch(() => {});
    createInterface({ input: this.child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      if (line.type === 'ready') {
        this.readyAt = Date.now();
        ready(line);
      } else if (line.type === 'event') this.events.push(line as unknown as ClusterEventLine);
      else this.#replies.shift()?.(line);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  ask(message: Record<string, unknown>, timeoutMs = 120_000): Promise<Line> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${this.pid}: no reply to ${message.op}`)), timeoutMs);
      this.#replies.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(): void {
    if (this.alive() && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
  }
}

const members: Member[] = [];
process.once('exit', () => {
  for (const member of members) member.kill();
});

/** A node-redis client of the parent's, to read the killed member's lease left (PTTL). */
interface Probe {
  connect(): Promise<unknown>;
  pTTL(key: string): Promise<number>;
  mGet(keys: string[]): Promise<Array<string | null>>;
  destroy(): void;
  on(event: 'error', listener: () => void): unknown;
}

function readLog(file: string): Command[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Command);
}

const round1 = (value: number) => +value.toFixed(1);
const spread = (values: readonly number[]) => {
  const { p50, p99, max } = percentiles(values);
  return { p50_ms: round1(p50), p99_ms: round1(p99), max_ms: round1(max), count: values.length };
};

async function failover(redis: BenchRedis) {
  const dir = mkdtempSync(join(tmpdir(), 'relock-bench-cluster-'));
  const log = join(dir, 'commands.log');
  const prefix = `bench${Date.now()}:`;
  const problems: string[] = [];
  const loadAt: Record<string, number[]> = { start: load() };
  try {
    // 1. three members start together and claim every lock
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) members.push(new Member([redis.url, prefix, String(leaseMs), log, String(n)]));
    const readies = await Promise.all(members.map((member) => member.ready));
    const readyMs = members.map((member) => member.readyAt - t0);
    const all = Array.from({ length: n }, (_, i) => `door-${i}`);
    let ownedBy: Set<string>[] = [];
    let ids: string[] = [];
    /** Waits until every lock is owned where rendezvous hashing over the three places it, each claim complete. */
    const settle = async () => {
      const settleDeadline = Date.now() + 120_000;
      for (;;) {
        const replies = await Promise.all(members.map((member) => member.ask({ op: 'owned' })));
        ownedBy = replies.map((reply) => new Set(reply.owned as string[]));
        // a member's id changes only if it lost its lease (then it rejoins under a new one)
        const memberIds = members.map((member, i) => member.events.at(-1)?.member ?? (readies[i]?.member as string));
        const placed = all.every((id) => ownedBy[memberIds.indexOf(rendezvousOwner(id, memberIds) as string)]?.has(id));
        const total = ownedBy.reduce((sum, set) => sum + set.size, 0);
        // and each member's claims are done (its claimed event comes once the takeover is complete)
        const told = members.map((member) =>
          member.events.reduce(
            (sum, event) =>
              sum +
              (event.event === 'cluster.claimed' ? event.count : event.event === 'cluster.error' ? 0 : -event.count),
            0,
          ),
        );
        if (placed && total === n && told.every((count, i) => count === ownedBy[i]?.size)) {
          ids = memberIds;
          break;
        }
        if (Date.now() > settleDeadline) throw new Error(`the members did not settle on a placement (${total} owned)`);
        await pause(250);
      }
    };
    await settle();
    const placementEvents = members.flatMap((member) => member.events);
    const settledAt = Math.max(...placementEvents.map((event) => event.at));
    const claimMs = settledAt - t0;
    const claims = placementEvents.filter((event) => event.event === 'cluster.claimed');
    const releases = placementEvents.filter((event) => event.event === 'cluster.released');
    const startup = {
      claim_all_ms: claimMs,
      ready_ms: readyMs,
      owned: ownedBy.map((set) => set.size),
      claim_events: claims.length,
      locks_claimed_in_all: claims.reduce((sum, event) => sum + event.count, 0),
      release_events: releases.length,
      locks_released_in_all: releases.reduce((sum, event) => sum + event.count, 0),
      lease_lost: placementEvents
        .filter((event) => event.event === 'cluster.lease-lost')
        .map((event) => ({ member: members.findIndex((m) => m.events.includes(event)), locks_dropped: event.count })),
      /** Every cluster event of the start-up: member index, event, locks, ms since the spawn. */
      timeline: members
        .flatMap((member, i) =>
          member.events.map((event) => ({
            m: i,
            event: event.event.slice(8),
            count: event.count,
            at_ms: event.at - t0,
          })),
        )
        .sort((a, b) => a.at_ms - b.at_ms),
      errors: placementEvents.filter((event) => event.event === 'cluster.error').map((event) => event.message),
    };
    console.log(
      `failover: 3 members started and claimed ${fmt(n)} locks in ${fmt(claimMs)} ms (shares ${startup.owned.join(' / ')}; ` +
        `${fmt(startup.locks_claimed_in_all)} claims, ${fmt(startup.locks_released_in_all)} releases, ` +
        `${startup.lease_lost.length} leases lost on the way)`,
    );
    loadAt.claimed = load();
    profileWindows.push({ label: 'startup', startUs: onProfileClock(t0), endUs: onProfileClock(settledAt) });

    // 2. every lock's autolock started for `seconds`, all members at once; a start a member's
    // store refuses (its lease passed while it worked) is asked again once the placement settles
    const ends = new Map<string, number>();
    const startAttempts: Array<{ ms: number; started: number[]; refused: number[]; reasons: string[] }> = [];
    const startedAt = Date.now();
    let started: Line[] = [];
    for (let attempt = 1; ends.size < n; attempt++) {
      if (attempt > 4) throw new Error(`${ends.size} of ${n} autolocks started: ${JSON.stringify(startAttempts)}`);
      if (attempt > 1) await settle();
      const lockIds = attempt === 1 ? undefined : all.filter((id) => !ends.has(id));
      const at = Date.now();
      started = await Promise.all(members.map((member) => member.ask({ op: 'start', seconds, lockIds })));
      for (const reply of started) {
        for (const [id, end] of Object.entries(reply.started as Record<string, number>)) ends.set(id, end);
      }
      startAttempts.push({
        ms: Date.now() - at,
        started: started.map((reply) => Object.keys(reply.started as object).length),
        refused: started.map((reply) => (reply.failed as string[]).length),
        reasons: [...new Set(started.flatMap((reply) => reply.reasons as string[]))].slice(0, 3),
      });
    }
    const startMs = Date.now() - startedAt;
    profileWindows.push({ label: 'start', startUs: onProfileClock(startedAt), endUs: onProfileClock(Date.now()) });
    if (startAttempts.length > 1) {
      problems.push(
        `starts refused by the store (a member's lease passed while it was alive): ${startAttempts
          .map((a) => a.refused.join('+'))
          .join(', then ')}`,
      );
    }
    // who owns what now (a member that lost its lease and rejoined has other locks than it started)
    await settle();
    const ownerOf = new Map<string, number>();
    ownedBy.forEach((set, i) => {
      for (const id of set) ownerOf.set(id, i);
    });
    console.log(
      `failover: ${fmt(ends.size)} autolocks started in ${fmt(startMs)} ms, ${startAttempts.length} attempt(s) ` +
        `(first attempt per member: ${startAttempts[0]?.started.join(' / ')} started, ${startAttempts[0]?.refused.join(' / ')} refused)`,
    );

    // 3. member 0 killed one second before the first end
    const endValues = [...ends.values()];
    const firstEnd = Math.min(...endValues);
    const lastEnd = Math.max(...endValues);
    const wait = firstEnd - 1_000 - Date.now();
    if (wait < 0) problems.push(`the starts overran: the kill came ${-wait} ms late, after some ends`);
    await pause(Math.max(0, wait));
    const victim = members[0] as Member;
    const victimId = ids[0] as string;
    const { createClient } = (await import('@keyv/redis')) as unknown as { createClient(o: { url: string }): Probe };
    const probe = createClient({ url: redis.url });
    probe.on('error', () => {});
    await probe.connect();
    const victimLocks = [...ownerOf.entries()].filter(([, i]) => i === 0).map(([id]) => id);
    // the killed member's fencing token of each of its locks, read before the kill
    const owners = await probe.mGet(victimLocks.map((id) => `${prefix}own:${id}`));
    const victimTokens = new Map(
      victimLocks.map((id, i) => [id, Number(owners[i]?.slice((owners[i]?.lastIndexOf('|') ?? 0) + 1) ?? Number.NaN)]),
    );
    loadAt.kill = load();
    const killedAt = Date.now();
    victim.kill();
    const leaseLeftMs = await probe.pTTL(`${prefix}member:${victimId}`);
    probe.destroy();
    console.log(
      `failover: member 0 (pid ${victim.pid}, ${fmt(victimLocks.length)} locks) SIGKILLed ${fmt(firstEnd - killedAt)} ms before the first end, ` +
        `${fmt(lastEnd - killedAt)} ms before the last; its lease had ${fmt(leaseLeftMs)} ms left`,
    );

    // 4. every command in the log, then a while longer for a duplicate to show
    const deadline = lastEnd + 2 * leaseMs + 60_000;
    while (readLog(log).length < n && Date.now() < deadline) await pause(100);
    await pause(Math.max(2_000, leaseMs / 2));
    const commands = readLog(log);
    loadAt.fired = load();

    const perLock = new Map<string, Command[]>();
    for (const command of commands) perLock.set(command.lockId, [...(perLock.get(command.lockId) ?? []), command]);
    const twice = [...perLock.values()].filter((list) => list.length > 1).length;
    const missing = all.filter((id) => !perLock.has(id));
    if (twice > 0) problems.push(`${twice} locks fired more than once`);
    if (missing.length > 0)
      problems.push(`${missing.length} locks never fired (e.g. ${missing.slice(0, 3).join(', ')})`);
    const fromVictim = commands.filter((command) => command.pid === victim.pid).length;
    if (fromVictim > 0) problems.push(`${fromVictim} commands from the killed member`);
    const first = (id: string) => perLock.get(id)?.[0];
    const victimFires = victimLocks.map(first).filter((c): c is Command => c !== undefined);
    const survivorLocks = all.filter((id) => ownerOf.get(id) !== 0);
    const survivorFires = survivorLocks.map(first).filter((c): c is Command => c !== undefined);
    const newerToken = victimFires.filter((c) => c.token > (victimTokens.get(c.lockId) ?? Number.POSITIVE_INFINITY));
    if (newerToken.length !== victimFires.length) {
      problems.push(`${victimFires.length - newerToken.length} taken-over locks fired without a newer fencing token`);
    }
    const late = (list: readonly Command[]) => list.map((c) => c.at - (ends.get(c.lockId) ?? Number.NaN));
    const lastVictimFire = Math.max(...victimFires.map((c) => c.at));
    const firstVictimFire = Math.min(...victimFires.map((c) => c.at));
    profileWindows.push({
      label: 'failover',
      startUs: onProfileClock(killedAt),
      endUs: onProfileClock(lastVictimFire),
    });
    profileWindows.push({
      label: 'survivors-fires',
      startUs: onProfileClock(firstEnd),
      endUs: onProfileClock(Math.max(...survivorFires.map((c) => c.at))),
    });
    const survivorEvents = members.slice(1).flatMap((member) => member.events.filter((e) => e.at >= killedAt));
    const takeovers = survivorEvents.filter((event) => event.event === 'cluster.claimed');
    const result = {
      lease_ms: leaseMs,
      seconds,
      locks: n,
      startup,
      start_all_ms: startMs,
      start_ms_per_member: started.map((reply) => reply.ms as number),
      start_attempts: startAttempts,
      killed: {
        locks: victimLocks.length,
        lease_left_at_kill_ms: leaseLeftMs,
        first_end_after_kill_ms: firstEnd - killedAt,
        last_end_after_kill_ms: lastEnd - killedAt,
        victim_last_end_after_kill_ms: Math.max(...victimLocks.map((id) => ends.get(id) ?? 0)) - killedAt,
      },
      failover: {
        kill_to_last_overdue_fire_ms: lastVictimFire - killedAt,
        kill_to_first_fire_of_killed_locks_ms: firstVictimFire - killedAt,
        kill_to_first_claim_ms: takeovers.length === 0 ? null : Math.min(...takeovers.map((e) => e.at)) - killedAt,
        kill_to_last_claim_ms: takeovers.length === 0 ? null : Math.max(...takeovers.map((e) => e.at)) - killedAt,
        claims: takeovers.map((e) => ({ member: e.member, count: e.count, after_kill_ms: e.at - killedAt })),
        lateness_of_killed_locks: spread(late(victimFires)),
        lateness_of_survivors_locks: spread(late(survivorFires)),
        errors: survivorEvents.filter((e) => e.event === 'cluster.error').map((e) => e.message),
        survivors_leases_lost: survivorEvents.filter((e) => e.event === 'cluster.lease-lost').length,
      },
      check: {
        commands: commands.length,
        fired_exactly_once: perLock.size - twice,
        fired_more_than_once: twice,
        never_fired: missing.length,
        from_killed_member: fromVictim,
        killed_locks_fired_with_a_newer_token: newerToken.length,
      },
      load: loadAt,
      problems,
    };
    const f = result.failover;
    printTable(
      [`failover, 3 processes × ${fmt(n)} locks, lease ${fmt(leaseMs)} ms`, 'measured'],
      [
        ['3 members start, claim every lock (placement settled)', `${fmt(claimMs)} ms`],
        [`start ${fmt(n)} autolocks (3 members at once)`, `${fmt(startMs)} ms`],
        ['killed member: locks; lease left at the kill', `${fmt(victimLocks.length)}; ${fmt(leaseLeftMs)} ms`],
        ['kill → first claim by a survivor', `${fmt(f.kill_to_first_claim_ms)} ms`],
        ['kill → last claim by a survivor', `${fmt(f.kill_to_last_claim_ms)} ms`],
        ['kill → first fire of a killed member lock', `${fmt(f.kill_to_first_fire_of_killed_locks_ms)} ms`],
        ['kill → last overdue fire (failover time)', `${fmt(f.kill_to_last_overdue_fire_ms)} ms`],
        [
          "killed member's locks, lateness p50 / p99 / max",
          `${fmt(f.lateness_of_killed_locks.p50_ms)} / ${fmt(f.lateness_of_killed_locks.p99_ms)} / ${fmt(f.lateness_of_killed_locks.max_ms)} ms`,
        ],
        [
          "survivors' own locks, lateness p50 / p99 / max",
          `${fmt(f.lateness_of_survivors_locks.p50_ms, 1)} / ${fmt(f.lateness_of_survivors_locks.p99_ms, 1)} / ${fmt(f.lateness_of_survivors_locks.max_ms, 1)} ms`,
        ],
        [
          'fired exactly once / twice / never / from the killed pid',
          `${fmt(result.check.fired_exactly_once)} / ${twice} / ${missing.length} / ${fromVictim}`,
        ],
      ],
    );
    for (const problem of problems) console.log(`  failover check failed: ${problem}`);

    // 5. the survivors stop (releasing their locks); anything left is killed by its pid
    const stopped = await Promise.all(
      members.slice(1).map((member) =>
        member.ask({ op: 'stop' }, 30_000).then(
          async () => {
            // it exits on its own (writing its CPU profile, if asked)
            const deadline = Date.now() + 15_000;
            while (member.alive() && Date.now() < deadline) await pause(50);
            return 'stopped';
          },
          () => {
            member.kill();
            return `killed: ${member.stderr}`;
          },
        ),
      ),
    );
    return { ...result, survivors_stopped: stopped };
  } finally {
    for (const member of members) member.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadStart: load(),
  loadEnd: [] as number[],
  redis: '',
};
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a checkout
}
const redis = await startBenchRedis();
machine.redis = redis.version;
console.log(
  `relock bench:cluster, ${new Date().toISOString()}, commit ${commit}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, ` +
    `node ${machine.node}, load ${machine.loadStart.join(' ')}, ${redis.version.split(' ').slice(0, 3).join(' ')} at ${redis.url} (pid ${redis.pid})`,
);
const stopOnSignal = () => {
  for (const member of members) member.kill();
  void redis.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

let rows: Row[] = [];
const runs: Row[] = [];
let cluster: Awaited<ReturnType<typeof failover>> | undefined;
try {
  if (wanted('W')) {
    await useRedis(redis.url);
    for (let round = 1; round <= rounds; round++) {
      for (const workload of [w1, w2, w5]) {
        const row = await workload('redis', n);
        runs.push(row);
        const short = (side: 'baseline' | 'floor' | 'relock') => fmt(row.sides[side]?.value, 1);
        console.log(
          `${row.workload} redis (round ${round}): baseline ${short('baseline')}, floor ${short('floor')}, relock ${short('relock')} ms; load ${load()[0]}`,
        );
      }
    }
    closeRedis();
    rows = medianRows(runs);
    console.log('');
    printRows(rows, 'redis');
    console.log('');
  }
  if (wanted('F')) cluster = await failover(redis);
} finally {
  await redis.stop();
  cleanUp();
}

machine.loadEnd = load();
const secondsTaken = (performance.now() - started) / 1000;
console.log(
  `done in ${secondsTaken.toFixed(0)} s; load average ${machine.loadStart.join(' ')} at the start, ${machine.loadEnd.join(' ')} at the end`,
);
if (!filtered || option('out') !== undefined) {
  const file = option('out') ?? new URL('./results-cluster.json', import.meta.url).pathname.replace('/.tmp/build', '');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), commit, machine, seconds: secondsTaken, rounds, rows, runs, cluster }, null, 2)}\n`,
  );
  // formatted as the repository's checks expect (biome), when biome is installed
  try {
    execFileSync('node_modules/.bin/biome', ['format', '--write', file], { stdio: 'ignore' });
  } catch {
    // left as written
  }
}
const windowsFile = option('windows');
if (windowsFile !== undefined) writeFileSync(windowsFile, `${JSON.stringify(profileWindows, null, 2)}\n`);
process.exit(0);
