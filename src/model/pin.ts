/**
 * A code slot's PIN, held so it cannot leak.
 *
 * Invariants:
 * - the digits live in a private field; `JSON.stringify`, `util.inspect`, `console.log`,
 *   template strings and XState's inspector see `[PIN]`, never the digits;
 * - `reveal()` is called in exactly two places: the lock-record encoder (to persist it) and a
 *   host's own code that asks for it;
 * - a PIN is 4 to 10 digits; an invalid one is refused with an error that does not echo it.
 */
import { InvalidArgumentError } from '../errors.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const PIN_PATTERN = /^\d{4,10}$/;

export class Pin {
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  /** Validates `digits`; `field` names it in the error (which never shows the value). */
  static from(digits: unknown, field = 'pin'): Pin {
    if (digits instanceof Pin) return digits;
    if (typeof digits !== 'string' || !PIN_PATTERN.test(digits)) {
      throw new InvalidArgumentError(field, digits, '4 to 10 digits');
    }
    return new Pin(digits);
  }

  reveal(): string {
    return this.#digits;
  }

  equals(other: Pin | null): boolean {
    return other !== null && other.#digits === this.#digits;
  }

  toJSON(): string {
    return '[PIN]';
  }

  toString(): string {
    return '[PIN]';
  }

  [INSPECT](): string {
    return '[PIN]';
  }
}
