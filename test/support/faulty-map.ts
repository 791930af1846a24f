/**
 * A Map-shaped keyv store for tests that can fail, hang or answer out of order on demand.
 *
 * Invariants: with no fault armed it behaves exactly like a Map; every armed fault applies to
 * the next matching call only (or to all calls while `down` is set).
 */
type Op = 'get' | 'set' | 'delete';

export class FaultyMap extends Map<string, unknown> {
  /** Every operation fails while set. */
  down = false;
  readonly #failNext = new Map<Op, number>();
  readonly #holds: Array<{ op: Op; release: Promise<void> }> = [];
  readonly calls: Array<{ op: Op; key: string }> = [];

  /** The next `count` calls of `op` throw. */
  failNext(op: Op, count = 1): void {
    this.#failNext.set(op, (this.#failNext.get(op) ?? 0) + count);
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

  async #gate(op: Op, key: string): Promise<void> {
    this.calls.push({ op, key });
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
  override async set(key: string, value: unknown): Promise<this> {
    await this.#gate('set', key);
    return super.set(key, value);
  }

  // @ts-expect-error deliberately async
  override async delete(key: string): Promise<boolean> {
    await this.#gate('delete', key);
    return super.delete(key);
  }
}
