/**
 * `npm run bench`: relock against the bare minimum, in one run, on the same machine.
 *
 * The baseline is the simplest code that could keep autolocks: a Map of setTimeout handles
 * writing straight to the same keyv store (one awaited write per timer, no queue, no actors).
 * Each workload runs for both on the in-memory store and on @keyv/sqlite (WAL, synchronous
 * NORMAL), and the table is printed and written to bench/results.json. A script, not a test:
 * it measures and prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Keyv from 'keyv';
import { systemClock } from '../src/clock/clock.js';
import { createKeyvStore } from '../src/persistence/keyv-store.js';
import { encodeTimerEntry } from '../src/persistence/timer-codec.js';
import { createTimerEntry } from '../src/persistence/timer-entry.js';
import { createRelock, type Relock } from '../src/relock.js';
import { resourceRows } from './resources.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dir = mkdtempSync(join(tmpdir(), 'relock-bench-'));
let fileNo = 0;
type StoreKind = 'memory' | 'sqlite';

interface Counted {
  store: Keyv;
  ops: () => number;
}

async function openStore(kind: StoreKind, file?: string): Promise<Counted> {
  const store = await createKeyvStore(
    kind === 'memory' ? 'memory' : `sqlite://${file ?? join(dir, `s${fileNo++}.sqlite`)}`,
  );
  let ops = 0;
  for (const method of ['get', 'set', 'delete'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      ops++;
      return original(...args);
    };
  }
  return { store, ops: () => ops };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `lock-${i}`);
const configs = (n: number) => ids(n).map((id) => ({ id, name: id, autolock: { enabled: true, dayMinutes: 60 } }));
const time = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** The bare baseline: a Map of setTimeout handles and one awaited keyv write per timer. */
class Baseline {
  readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  constructor(
    readonly store: Keyv,
    readonly onFire: (id: string, endsAt: number) => void = () => {},
  ) {}
  start(id: string, seconds: number): Promise<unknown> {
    const entry = createTimerEntry({ endsAt: Date.now() + seconds * 1000, durationSeconds: seconds });
    clearTimeout(this.timers.get(id));
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.onFire(id, entry.endsAt);
        void this.store.delete(`timer:${id}`);
      }, entry.endsAt - Date.now()),
    );
    return this.store.set(`timer:${id}`, encodeTimerEntry(entry));
  }
  cancel(id: string): Promise<unknown> {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    return this.store.delete(`timer:${id}`);
  }
  async recover(all: string[]): Promise<void> {
    await Promise.all(
      all.map(async (id) => {
        const raw = (await this.store.get(`timer:${id}`)) as { endsAt: string; durationSeconds: number } | undefined;
        if (raw === undefined) return;
        const endsAt = Date.parse(raw.endsAt);
        this.timers.set(
          id,
          setTimeout(() => this.onFire(id, endsAt), Math.max(0, endsAt - Date.now())),
        );
      }),
    );
  }
  stop(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
  }
}

async function relockOn(store: Keyv, onCommand: (id: string) => void = () => {}): Promise<Relock> {
  return createRelock({
    store,
    clock: systemClock,
    logger: quiet,
    driver: {
      async lock(lock) {
        onCommand(lock.id);
      },
    },
  });
}

const rows: Array<Record<string, string | number>> = [];
const record = (row: Record<string, string | number>) => {
  rows.push(row);
  console.log(Object.values(row).join('\t'));
};
/** A row comparing two timings of one workload. */
const compare = (
  workload: string,
  store: StoreKind,
  locks: number,
  baseMs: number,
  relockMs: number,
  relockOps: number | '',
) =>
  record({
    workload,
    store,
    locks,
    baseline_ms: Math.round(baseMs),
    relock_ms: Math.round(relockMs),
    ratio: +(relockMs / baseMs).toFixed(2),
    baseline_ops: locks,
    relock_ops: relockOps,
  });

/** W1: start 10,000 autolocks, every entry durable. */
async function w1(kind: StoreKind, n: number) {
  const base = await openStore(kind);
  const baseline = new Baseline(base.store);
  const baseMs = await time(() => Promise.all(ids(n).map((id) => baseline.start(id, 3600))));
  baseline.stop();
  const mine = await openStore(kind);
  const relock = await relockOn(mine.store);
  await relock.addLocks(configs(n));
  await relock.flush();
  const before = mine.ops();
  const relockMs = await time(() => Promise.all(ids(n).map((id) => relock.startAutolock(id, 3600))));
  const relockOps = mine.ops() - before;
  await relock.stop();
  compare('W1 start, durable', kind, n, baseMs, relockMs, relockOps);
  return { base, mine };
}

/** W2: recovery of stored entries in a new system, until every timer is scheduled. */
async function w2(kind: StoreKind, n: number) {
  const file = join(dir, `w2-${kind}-${n}-${fileNo++}.sqlite`);
  const seeded = await openStore(kind, file);
  const seeder = new Baseline(seeded.store);
  await Promise.all(ids(n).map((id) => seeder.start(id, 3600)));
  seeder.stop();
  const baseline = new Baseline(seeded.store);
  const baseMs = await time(() => baseline.recover(ids(n)));
  baseline.stop();
  const relock = await relockOn(seeded.store);
  const relockMs = await time(() => relock.addLocks(configs(n)));
  const active = ids(n).filter((id) => relock.status(id).running).length;
  await relock.stop();
  if (active !== n) throw new Error(`W2: only ${active} of ${n} timers recovered`);
  compare('W2 recover', kind, n, baseMs, relockMs, '');
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** W3: 10,000 timers ending within the same few seconds (3 to 6 s from now), on the real clock. */
async function w3(kind: StoreKind, n: number) {
  const secondsOf = (i: number) => 3 + (i % 4);
  const base = await openStore(kind);
  const baseLate: number[] = [];
  const baseline = new Baseline(base.store, (_id, endsAt) => baseLate.push(Date.now() - endsAt));
  await Promise.all(ids(n).map((id, i) => baseline.start(id, secondsOf(i))));
  while (baseLate.length < n) await new Promise((resolve) => setTimeout(resolve, 50));
  baseline.stop();
  const mine = await openStore(kind);
  const late: number[] = [];
  const ends = new Map<string, number>();
  const relock = await relockOn(mine.store, (id) => late.push(Date.now() - (ends.get(id) ?? Number.NaN)));
  await relock.addLocks(configs(n));
  await Promise.all(ids(n).map((id, i) => relock.startAutolock(id, secondsOf(i))));
  for (const id of ids(n)) ends.set(id, relock.status(id).endsAt ?? Number.NaN);
  while (late.length < n) await new Promise((resolve) => setTimeout(resolve, 50));
  await relock.stop();
  const b = percentiles(baseLate);
  const r = percentiles(late);
  record({
    workload: 'W3 lateness ms p50/p99/max',
    store: kind,
    locks: n,
    baseline_ms: `${b.p50}/${b.p99}/${b.max}`,
    relock_ms: `${r.p50}/${r.p99}/${r.max}`,
    ratio: '',
    baseline_ops: '',
    relock_ops: '',
  });
}

/** W4: memory per lock with running timers (needs --expose-gc). */
async function w4(n: number) {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const base = await openStore('memory');
  const baseline = new Baseline(base.store);
  await Promise.all(ids(n).map((id) => baseline.start(id, 3600)));
  gc();
  const baseHeap = (process.memoryUsage().heapUsed - heap0) / n;
  baseline.stop();
  base.store.clear();
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const mine = await openStore('memory');
  const relock = await relockOn(mine.store);
  await relock.addLocks(configs(n));
  await Promise.all(ids(n).map((id) => relock.startAutolock(id, 3600)));
  gc();
  const heap = (process.memoryUsage().heapUsed - heap1) / n;
  const rss = (process.memoryUsage().rss - Math.min(rss0, rss1)) / n;
  await relock.stop();
  record({
    workload: 'W4 bytes per lock (heap; rss)',
    store: 'memory',
    locks: n,
    baseline_ms: Math.round(baseHeap),
    relock_ms: `${Math.round(heap)}; ${Math.round(rss)}`,
    ratio: +(heap / baseHeap).toFixed(2),
    baseline_ops: '',
    relock_ops: '',
  });
}

/** W5: lock and unlock reports per second through the coordinator, with timer persistence. */
async function w5(kind: StoreKind, n: number, reports: number) {
  const base = await openStore(kind);
  const baseline = new Baseline(base.store);
  const baseMs = await time(async () => {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < reports; i++) {
      const id = `lock-${i % n}`;
      pending.push(Math.floor(i / n) % 2 === 0 ? baseline.start(id, 3600) : baseline.cancel(id));
    }
    await Promise.all(pending);
  });
  baseline.stop();
  const mine = await openStore(kind);
  const relock = await relockOn(mine.store);
  await relock.addLocks(configs(n));
  await relock.flush();
  const relockMs = await time(async () => {
    for (let i = 0; i < reports; i++) {
      relock.reportLockState(`lock-${i % n}`, Math.floor(i / n) % 2 === 0 ? 'unlocked' : 'locked');
    }
    await new Promise((resolve) => setImmediate(resolve));
    await relock.flush();
  });
  await relock.stop();
  record({
    workload: 'W5 reports/s',
    store: kind,
    locks: n,
    baseline_ms: Math.round(reports / (baseMs / 1000)),
    relock_ms: Math.round(reports / (relockMs / 1000)),
    ratio: +(baseMs / relockMs).toFixed(2),
    baseline_ops: reports,
    relock_ops: '',
  });
}

const started = performance.now();
console.log(
  ['workload', 'store', 'locks', 'baseline', 'relock', 'relock/baseline', 'baseline ops', 'relock ops'].join('\t'),
);
for (const kind of ['memory', 'sqlite'] as const) {
  await w1(kind, 10_000);
  await w2(kind, 10_000);
  await w5(kind, 10_000, 20_000);
}
await w3('memory', 10_000);
await w4(10_000);
for (const n of [1_000, 50_000]) {
  await w1('memory', n);
  await w2('memory', n);
}
await w1('sqlite', 1_000);
await w2('sqlite', 1_000);
const resources = await resourceRows();
const seconds = (performance.now() - started) / 1000;
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
writeFileSync(
  new URL('./results.json', import.meta.url).pathname.replace('/.tmp/build', ''),
  `${JSON.stringify({ date: new Date().toISOString(), machine, seconds, rows, resources }, null, 2)}\n`,
);
console.log(`done in ${seconds.toFixed(0)} s on ${machine.cpus} × ${machine.cpu}, node ${machine.node}`);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
