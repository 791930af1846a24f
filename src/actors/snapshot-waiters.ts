/**
 * Waiting for a condition on an actor's snapshot, at a cost that does not grow with the number
 * of callers already waiting.
 *
 * XState's `waitFor` subscribes one observer per call, and every snapshot is offered to every
 * observer: N callers waiting on one actor make each of its steps cost N checks, so a synchronous
 * burst of N calls on one lock cost O(N²) (2,000 reports: 8 s of blocking; 4,000 start/cancel
 * pairs: 109 s). Here an actor has one subscription, and callers waiting for the same condition
 * form one group, checked once per snapshot.
 *
 * Invariants:
 * - at most one subscription per actor, held only while someone waits;
 * - a group is named by a key; its predicate depends on the snapshot alone, so every waiter of
 *   that key waits for the same thing (a caller that needs its own condition puts it in the key);
 * - like `waitFor`: a condition that already holds resolves at once with the current snapshot;
 *   otherwise a waiter resolves with the first snapshot that satisfies it, and rejects when the
 *   actor fails or ends without satisfying it.
 */
import type { Subscription } from 'xstate';

/** What is needed of an actor: its snapshot and a way to observe it. */
export interface Observable<TSnapshot> {
  getSnapshot(): TSnapshot;
  subscribe(observer: {
    next: (snapshot: TSnapshot) => void;
    error: (error: unknown) => void;
    complete: () => void;
  }): Subscription;
}

interface Group<TSnapshot> {
  readonly predicate: (snapshot: TSnapshot) => boolean;
  readonly waiters: Array<{ resolve(snapshot: TSnapshot): void; reject(error: unknown): void }>;
}

export class SnapshotWaiters<TSnapshot> {
  readonly #actor: Observable<TSnapshot>;
  readonly #groups = new Map<string, Group<TSnapshot>>();
  #subscription: Subscription | undefined;

  constructor(actor: Observable<TSnapshot>) {
    this.#actor = actor;
  }

  /** Resolves with the first snapshot (the current one included) for which `predicate` holds. */
  until(key: string, predicate: (snapshot: TSnapshot) => boolean): Promise<TSnapshot> {
    const current = this.#actor.getSnapshot();
    if (predicate(current)) return Promise.resolve(current);
    return new Promise<TSnapshot>((resolve, reject) => {
      let group = this.#groups.get(key);
      if (group === undefined) {
        group = { predicate, waiters: [] };
        this.#groups.set(key, group);
      }
      group.waiters.push({ resolve, reject });
      this.#subscribe();
    });
  }

  #subscribe(): void {
    if (this.#subscription !== undefined) return;
    let ended = false;
    const subscription = this.#actor.subscribe({
      next: (snapshot) => this.#offer(snapshot),
      error: (error) => {
        ended = true;
        this.#end(error);
      },
      complete: () => {
        ended = true;
        this.#end(new Error('Actor terminated without satisfying predicate'));
      },
    });
    // an actor that has already ended answers at once, while subscribing
    if (ended) subscription.unsubscribe();
    else this.#subscription = subscription;
  }

  #offer(snapshot: TSnapshot): void {
    for (const [key, group] of this.#groups) {
      if (!group.predicate(snapshot)) continue;
      this.#groups.delete(key);
      for (const waiter of group.waiters) waiter.resolve(snapshot);
    }
    if (this.#groups.size === 0) this.#unsubscribe();
  }

  #end(error: unknown): void {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    this.#unsubscribe();
    for (const group of groups) for (const waiter of group.waiters) waiter.reject(error);
  }

  #unsubscribe(): void {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    subscription?.unsubscribe();
  }
}
