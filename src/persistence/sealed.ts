/**
 * A box that carries a value through events and snapshots without showing it.
 *
 * Invariants:
 * - the content is a private field: `JSON.stringify`, `util.inspect`, `console.log`, spreading
 *   and `Object.keys` see only a placeholder, so a sealed value cannot reach a log line or an
 *   inspector payload by accident;
 * - only `unseal()` returns the content; code calls it exactly where the value is used.
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class Sealed<T> {
  readonly #value: T;
  readonly #label: string;

  constructor(value: T, label = 'sealed') {
    this.#value = value;
    this.#label = label;
  }

  unseal(): T {
    return this.#value;
  }

  toJSON(): string {
    return `[${this.#label}]`;
  }

  toString(): string {
    return `[${this.#label}]`;
  }

  [INSPECT](): string {
    return `[${this.#label}]`;
  }
}

export function seal<T>(value: T, label?: string): Sealed<T> {
  return new Sealed(value, label);
}
