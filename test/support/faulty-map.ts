/**
 * A Map-shaped keyv store for tests that can fail, hang or answer out of order on demand.
 *
 * Invariants: with no fault armed and `manual` off it behaves exactly like a Map; every armed
 * fault applies to the next matching call only (or to all calls while `down` is set); in
 * `manual` mode every call waits until the test settles it with `settleNext`; a refused call
 * changes nothing and answers `false`, as an adapter that says no does.
 */
type Op = 'get' | 'set' | 'delete';

interface Waiting {
  readonly op: Op;
  readonly key: string;
  settle(fail: boolean): void;
}

export class FaultyMap extends Map<string, unknown> {
  /** Every operation fails while set. */
  down = false;
  /** Every operation waits for `settleNext`. */
  manual = false;
  readonly waiting: Waiting[] = [];
  readonly #failNext = new Map<Op, number>();
  readonly #refuseNext = new Map<'set' | 'delete', number>();
  readonly #holds: Array<{ op: Op; release: Promise<void> }> = [];
  readonly calls: Array<{ op: Op; key: string }> = [];

  /** The next `count` calls of `op` throw. */
  failNext(op: Op, count = 1): void {
    this.#failNext.set(op, (this.#failNext.get(op) ?? 0) + count);
  }

  /** The next `count` calls of `op` resolve `false` without changing anything. */
  refuseNext(op: 'set' | 'delete', count = 1): void {
    this.#refuseNext.set(op, (this.#refuseNext.get(op) ?? 0) + count);
  }

  #refused(op: 'set' | 'delete'): boolean {
    const refusals = this.#refuseNext.get(op) ?? 0;
    if (refusals > 0) this.#refuseNext.set(op, refusals - 1);
    return refusals > 0;
  }

  /** The next call of `op` waits for the returned release function before it applies. */
  holdNext(op: Op): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#holds.push({ op, release: promise });
    return release;
  }

  /**
   * In manual mode: lets the oldest waiting call go on (or fail, if it is an `op`; calls of other
   * kinds ahead of it always succeed). False if nothing waits.
   */
  settleNext(op: Op, fail = false): boolean {
    const index = this.waiting.length > 0 ? 0 : -1;
    if (index < 0) return false;
    if (this.waiting[0].op !== op) {
      const [ahead] = this.waiting.splice(0, 1);
      ahead.settle(false);
      return true;
    }
    const [waiting] = this.waiting.splice(index, 1);
    waiting.settle(fail);
    return true;
  }

  /** Writes directly, bypassing faults and manual mode (seeding a test). */
  seed(key: string, value: unknown): void {
    if (value === undefined) super.delete(key);
    else super.set(key, value);
  }

  /** Keys whose next call (of any operation) fails, with how many failures are left. */
  readonly failKeys = new Map<string, number>();

  async #gate(op: Op, key: string): Promise<void> {
    this.calls.push({ op, key });
    const keyFailures = this.failKeys.get(key) ?? 0;
    if (keyFailures > 0) {
      this.failKeys.set(key, keyFailures - 1);
      throw new Error(`simulated store failure on ${op} ${key}`);
    }
    if (this.manual) {
      const fail = await new Promise<boolean>((resolve) => this.waiting.push({ op, key, settle: resolve }));
      if (fail) throw new Error(`simulated store failure on ${op} ${key}`);
      return;
    }
    const index = this.#holds.findIndex((hold) => hold.op === op);
    if (index >= 0) {
      const [hold] = this.#holds.splice(index, 1);
      await hold.release;
    }
    const failures = this.#failNext.get(op) ?? 0;
    if (this.down || failures > 0) {
      if (failures > 0) this.#failNext.set(op, failures - 1);
      throw new Error(`simulated store failure on ${op} ${key}`);
    }
  }

  // keyv awaits what a Map store returns, so async overrides are honoured
  override async get(key: string): Promise<unknown> {
    await this.#gate('get', key);
    return super.get(key);
  }

  // @ts-expect-error deliberately async
  override async set(key: string, value: unknown): Promise<this | false> {
    await this.#gate('set', key);
    if (this.#refused('set')) return false;
    return super.set(key, value);
  }

  // @ts-expect-error deliberately async
  override async delete(key: string): Promise<boolean> {
    await this.#gate('delete', key);
    if (this.#refused('delete')) return false;
    return super.delete(key);
  }
}
