/**
 * The workloads W1–W5, each run for the bare baseline, the XState floor and relock, one side at a
 * time, each side on a fresh store (W2: the same seeded data), in the same process.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { makeSide, type Side, seed } from './sides.js';
import {
  type CountedStore,
  gc,
  ids,
  nextTurn,
  now,
  type Ops,
  openStore,
  opsSince,
  pause,
  percentiles,
  SIDES,
  type SideName,
  type StoreKind,
  tempFile,
  time,
  until,
} from './support.js';

export interface Measure {
  /** The workload's figure for this side: milliseconds, or bytes per lock for W4. */
  readonly value: number;
  /** Store operations asked during the measured part. */
  readonly ops?: Ops;
  /** Anything else a reader needs to trust the figure (lateness percentiles, head-room, ...). */
  readonly detail?: Record<string, number | string>;
}

export interface Row {
  readonly workload: 'W1' | 'W2' | 'W3' | 'W4' | 'W5';
  readonly title: string;
  readonly store: StoreKind;
  readonly locks: number;
  /** What `value` counts. */
  readonly unit: string;
  readonly sides: Partial<Record<SideName, Measure>>;
  /** Things a check found wrong; an empty list when every side did what the workload says. */
  readonly problems: string[];
}

const AUTOLOCK_SECONDS = 3600;

async function forEachSide(
  sides: readonly SideName[],
  run: (name: SideName, problems: string[]) => Promise<Measure>,
): Promise<{ measures: Partial<Record<SideName, Measure>>; problems: string[] }> {
  const measures: Partial<Record<SideName, Measure>> = {};
  const problems: string[] = [];
  for (const name of SIDES) {
    if (!sides.includes(name)) continue;
    gc();
    measures[name] = await run(name, problems);
    gc();
  }
  return { measures, problems };
}

function expectAll(side: Side, lockIds: readonly string[], running: boolean, what: string, problems: string[]): void {
  const wrong = lockIds.filter((id) => side.running(id) !== running).length;
  if (wrong > 0) problems.push(`${side.name}: ${wrong} of ${lockIds.length} locks ${what}`);
}

/** W1: start every lock's autolock; the clock stops when every entry is durable. */
export async function w1(kind: StoreKind, n: number, sides: readonly SideName[] = SIDES): Promise<Row> {
  const lockIds = ids(n);
  const { measures, problems } = await forEachSide(sides, async (name, problems) => {
    const counted = await openStore(kind);
    const side = await makeSide(name, counted);
    await side.add(lockIds);
    await side.settle();
    gc();
    const before = counted.ops();
    const ms = await time(
      () => Promise.all(lockIds.map((id) => side.start(id, AUTOLOCK_SECONDS))),
      `W1-${kind}-${name}`,
    );
    const ops = opsSince(before, counted.ops());
    expectAll(side, lockIds, true, 'not running after the start', problems);
    await side.stop();
    await counted.close();
    return { value: ms, ops };
  });
  return {
    workload: 'W1',
    title: 'start autolock, every entry durable',
    store: kind,
    locks: n,
    unit: 'ms',
    sides: measures,
    problems,
  };
}

/**
 * W2: a restart. A first system left, per lock, a lock record (runtime `unlocked`) and a running
 * 60-minute timer entry (`seed`); each side opens the store afresh (SQLite: a new connection to
 * the file), reads and decodes both, and arms every timer. The clock stops when every lock is
 * recovered and every write the side asked meanwhile is durable (relock writes each recovered
 * lock record back; the baseline and the floor write nothing).
 */
export async function w2(kind: StoreKind, n: number, sides: readonly SideName[] = SIDES): Promise<Row> {
  const lockIds = ids(n);
  const file = kind === 'sqlite' ? tempFile('w2') : undefined;
  const seeded = await openStore(kind, file);
  await seed(seeded, lockIds);
  if (kind === 'sqlite') await seeded.close();
  const { measures, problems } = await forEachSide(sides, async (name, problems) => {
    const counted: CountedStore = kind === 'sqlite' ? await openStore(kind, file) : seeded;
    const side = await makeSide(name, counted);
    gc();
    const before = counted.ops();
    const ms = await time(async () => {
      await side.recover(lockIds);
      await side.settle();
    }, `W2-${kind}-${name}`);
    const ops = opsSince(before, counted.ops());
    expectAll(side, lockIds, true, 'not running after the recovery', problems);
    const ends = lockIds.map((id) => side.endsAt(id));
    if (ends.some((end) => end === null || end < Date.now())) problems.push(`${name}: a recovered deadline is wrong`);
    await side.stop();
    if (kind === 'sqlite') await counted.close();
    return { value: ms, ops };
  });
  if (kind !== 'sqlite') await seeded.close();
  return {
    workload: 'W2',
    title: 'recovery of lock records and timer entries, until recovered and durable',
    store: kind,
    locks: n,
    unit: 'ms',
    sides: measures,
    problems,
  };
}

/** How W3 spreads its deadlines: the same for every side, whatever its start costs. */
export const W3_WINDOW_MS = 4_000;
export const W3_SECONDS = 15;

/**
 * W3: fire lateness on the real clock. Every side starts its timers at the same pace (n over
 * `W3_WINDOW_MS`, each for `W3_SECONDS`), so the deadlines have the same density for every side
 * (n in about 4 s) and the last start is durable ≥ 10 s before the first deadline: the figure is
 * fire lateness, not start overrun. Lateness is the instant the lock command is sent (relock: the
 * driver is called; the others: the timer fires) minus the deadline the side computed. relock's
 * driver reports `locked` on the next turn after each command, as a host does, which ends the cycle.
 */
export async function w3(kind: StoreKind, n: number, sides: readonly SideName[] = SIDES): Promise<Row> {
  const lockIds = ids(n);
  const { measures, problems } = await forEachSide(sides, async (name, problems) => {
    const counted = await openStore(kind);
    const late: number[] = [];
    const ends = new Map<string, number>();
    const side = await makeSide(name, counted, {
      onFire: (id) => late.push(now() - (ends.get(id) ?? Number.NaN)),
    });
    await side.add(lockIds);
    await side.settle();
    gc();
    const before = counted.ops();
    const pending: Promise<unknown>[] = [];
    const t0 = Date.now();
    let started = 0;
    while (started < n) {
      const due = Math.min(n, Math.floor(((Date.now() - t0) / W3_WINDOW_MS) * n) + 1);
      for (; started < due; started++) pending.push(side.start(lockIds[started] as string, W3_SECONDS));
      await pause(2);
    }
    await Promise.all(pending);
    const durable = Date.now();
    for (const id of lockIds) ends.set(id, side.endsAt(id) ?? Number.NaN);
    const deadlines = [...ends.values()];
    const first = Math.min(...deadlines);
    const last = Math.max(...deadlines);
    const headroomMs = first - durable;
    if (!(headroomMs >= 10_000)) problems.push(`${name}: only ${headroomMs} ms of head-room before the first deadline`);
    if (late.length > 0) problems.push(`${name}: ${late.length} fires before every start was durable`);
    // profiled (with --cpu-profile): the fire window, until every cycle has ended
    await time(async () => {
      await until(() => late.length >= n, `${name}'s ${n} fires`, last - Date.now() + 60_000);
      // the cycles end (removals durable; relock: the host's locked reports taken)
      await side.settle();
      await until(() => lockIds.every((id) => !side.running(id)), `${name}'s cycles to end`, 60_000, 200);
      await side.settle();
    }, `W3-${kind}-${name}`);
    const ops = opsSince(before, counted.ops());
    if (late.length !== n) problems.push(`${name}: ${late.length} lock commands for ${n} timers`);
    const failed = side.events.get('autolock.failed') ?? 0;
    if (failed > 0) problems.push(`${name}: ${failed} autolock.failed events`);
    await side.stop();
    await counted.close();
    const { p50, p99, max } = percentiles(late);
    return {
      value: p99,
      ops,
      detail: {
        p50_ms: +p50.toFixed(1),
        p99_ms: +p99.toFixed(1),
        max_ms: +max.toFixed(1),
        headroom_ms: headroomMs,
        deadline_spread_ms: last - first,
      },
    };
  });
  return {
    workload: 'W3',
    title: `fire lateness p99 (real clock, deadlines of ${n.toLocaleString('en-US')} timers spread over ${W3_WINDOW_MS / 1000} s, ≥ 10 s head-room)`,
    store: kind,
    locks: n,
    unit: 'ms',
    sides: measures,
    problems,
  };
}

/**
 * W4: heap per lock with every autolock running (needs --expose-gc), stored values included.
 * `heapSample`: a file to write a sampling heap profile of what is live at the measure (one side
 * at a time: give `--side`), summarized by `profile.ts`.
 */
export async function w4(n: number, sides: readonly SideName[] = SIDES, heapSample?: string): Promise<Row> {
  const lockIds = ids(n);
  const { measures, problems } = await forEachSide(sides, async (name) => {
    const session = heapSample === undefined ? undefined : new Session();
    session?.connect();
    await session?.post('HeapProfiler.startSampling', { samplingInterval: 1024 });
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const counted = await openStore('memory');
    const side = await makeSide(name, counted);
    await side.add(lockIds);
    await Promise.all(lockIds.map((id) => side.start(id, AUTOLOCK_SECONDS)));
    await side.settle();
    gc();
    const heap = (process.memoryUsage().heapUsed - heap0) / n;
    if (session !== undefined && heapSample !== undefined) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(heapSample, JSON.stringify(profile));
      session.disconnect();
    }
    // how much of it is the stored values (the in-memory Keyv's): what a file store keeps off the heap
    const heap1 = process.memoryUsage().heapUsed;
    await counted.store.clear();
    gc();
    const stored = (heap1 - process.memoryUsage().heapUsed) / n;
    await side.stop();
    return { value: heap, detail: { stored_values_B_per_lock: Math.round(stored) } };
  });
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') problems.push('run with node --expose-gc');
  return {
    workload: 'W4',
    title: 'heap per lock, every autolock running',
    store: 'memory',
    locks: n,
    unit: 'B/lock',
    sides: measures,
    problems,
  };
}

/**
 * W5: a burst of host lock reports: each lock reported `unlocked` (its autolock starts, the entry
 * is written), then each `locked` (it ends, the entry is removed); the clock stops when all of it
 * is durable. The baseline and the floor start and cancel a timer per report; relock takes the
 * reports as a host makes them (`reportLockState`) and also writes each lock record.
 */
export async function w5(kind: StoreKind, n: number, sides: readonly SideName[] = SIDES): Promise<Row> {
  const lockIds = ids(n);
  const reports = 2 * n;
  const { measures, problems } = await forEachSide(sides, async (name, problems) => {
    const counted = await openStore(kind);
    const side = await makeSide(name, counted);
    await side.add(lockIds);
    await side.settle();
    gc();
    const before = counted.ops();
    const ms = await time(async () => {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < reports; i++) {
        const call = side.report(lockIds[i % n] as string, Math.floor(i / n) % 2 === 0 ? 'unlocked' : 'locked');
        if (call !== undefined) pending.push(call);
      }
      await Promise.all(pending);
      await side.settle();
    }, `W5-${kind}-${name}`);
    const ops = opsSince(before, counted.ops());
    await nextTurn();
    expectAll(side, lockIds, false, 'still running after the locked reports', problems);
    const left = (await Promise.all(lockIds.map((id) => counted.store.get(`timer:${id}`)))).filter(
      (value) => value !== undefined,
    ).length;
    if (left > 0) problems.push(`${name}: ${left} timer entries left in the store after every lock reported locked`);
    await side.stop();
    await counted.close();
    return { value: ms, ops, detail: { reports_per_s: Math.round(reports / (ms / 1000)), entries_left: left } };
  });
  return {
    workload: 'W5',
    title: `${(2 * n).toLocaleString('en-US')} lock reports (unlocked, then locked), until durable`,
    store: kind,
    locks: n,
    unit: 'ms',
    sides: measures,
    problems,
  };
}
