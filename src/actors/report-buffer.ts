/**
 * Host reports of lock and door state within one synchronous burst, kept short per lock.
 *
 * Invariants:
 * - a report is validated when the host makes it (by the caller) and applied on the next
 *   microtask, or sooner: before any other call of the API reads or acts (`flush()`), so a host
 *   never reads a status or starts a command that misses a report it made;
 * - per lock and kind (lock, door), a burst keeps at most the last two distinct states, in the
 *   order they were reported among the lock's other reports: the last word, and the one it
 *   changed from. That keeps every effect a burst can have on the statecharts (`locked` then
 *   `unlocked` still starts a new cycle; a repeated state is a no-op anyway) while a burst of N
 *   reports on one lock costs N small array updates and a bounded number of transitions;
 * - reports keep their order relative to every other API call.
 */
import type { LockEvent } from '../machines/lock.machine.js';

export type StateReport = Extract<LockEvent, { type: 'LOCK_STATE' | 'DOOR_STATE' }>;

export class ReportBuffer {
  readonly #deliver: (lockId: string, report: StateReport) => void;
  #pending = new Map<string, StateReport[]>();
  #scheduled = false;

  constructor(deliver: (lockId: string, report: StateReport) => void) {
    this.#deliver = deliver;
  }

  add(lockId: string, report: StateReport): void {
    let reports = this.#pending.get(lockId);
    if (reports === undefined) {
      reports = [];
      this.#pending.set(lockId, reports);
    }
    const sameKind = reports.filter((earlier) => earlier.type === report.type);
    const last = sameKind.at(-1);
    if (last?.state === report.state) return; // the same state again changes nothing
    if (sameKind.length >= 2) {
      // only the state this one changes from stays, where it was
      const dropped = sameKind[0];
      reports.splice(reports.indexOf(dropped), 1);
    }
    reports.push(report);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Applies every pending report now, in order. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [lockId, reports] of pending) for (const report of reports) this.#deliver(lockId, report);
  }
}
