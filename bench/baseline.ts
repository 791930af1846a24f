/**
 * The bare baseline: the simplest code that could keep autolocks. A `Map` of `setTimeout`
 * handles, one keyv call per write, removal or read, nothing else: no actors, no per-key order
 * (a start and a cancel of one lock asked together may land in either order), no lock records
 * written, no retries, no confirmation, no recovery rules beyond decoding with relock's codecs.
 */
import type Keyv from 'keyv';
import { decodeLockRecord } from '../src/persistence/lock-record-codec.js';
import { decodeTimerEntry, encodeTimerEntry } from '../src/persistence/timer-codec.js';
import { createTimerEntry } from '../src/persistence/timer-entry.js';

export class Baseline {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #ends = new Map<string, number>();
  readonly #states = new Map<string, string>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly store: Keyv,
    readonly onFire: (id: string, endsAt: number) => void = () => {},
  ) {}

  #track<T>(call: Promise<T>): Promise<T> {
    this.#inFlight.add(call);
    const done = () => this.#inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  #arm(id: string, endsAt: number): void {
    clearTimeout(this.#timers.get(id));
    this.#ends.set(id, endsAt);
    this.#timers.set(
      id,
      setTimeout(
        () => {
          this.#timers.delete(id);
          this.onFire(id, endsAt);
          void this.#track(this.store.delete(`timer:${id}`)).catch(() => {});
        },
        Math.max(0, endsAt - Date.now()),
      ),
    );
  }

  start(id: string, seconds: number): Promise<unknown> {
    const entry = createTimerEntry({ endsAt: Date.now() + seconds * 1000, durationSeconds: seconds });
    this.#arm(id, entry.endsAt);
    return this.#track(this.store.set(`timer:${id}`, encodeTimerEntry(entry)));
  }

  cancel(id: string): Promise<unknown> {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    return this.#track(this.store.delete(`timer:${id}`));
  }

  /** Reads each lock's record and timer entry (one keyv call each), decodes them, arms the timer. */
  async recover(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const [rawLock, rawTimer] = await Promise.all([this.store.get(`lock:${id}`), this.store.get(`timer:${id}`)]);
        const record = rawLock === undefined ? null : decodeLockRecord(rawLock);
        if (record?.ok) this.#states.set(id, record.value.runtime.lockState);
        const entry = rawTimer === undefined ? null : decodeTimerEntry(rawTimer);
        if (entry?.ok) this.#arm(id, entry.value.endsAt);
      }),
    );
  }

  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  endsAt(id: string): number | null {
    return this.#ends.get(id) ?? null;
  }

  running(id: string): boolean {
    return this.#timers.has(id);
  }

  stop(): void {
    for (const handle of this.#timers.values()) clearTimeout(handle);
    this.#timers.clear();
  }
}
