/**
 * Values a store holds but its deserializer cannot read (`{not json`, an empty string, a bare
 * `42` where keyv expects `{ value, expires }`).
 *
 * Invariants:
 * - keyv's `get` deserializes after the store has answered, and a parse error escapes as if the
 *   store had failed; `markUnparsableValues` tags that error (`UnparsableValueError`), so a value
 *   that was read but cannot be deserialized is told apart from a read that failed;
 * - marking a Keyv is idempotent and changes nothing for values that deserialize: a host that
 *   shares the Keyv still gets a throw for an unparsable value, only of a named class;
 * - a reason never holds the stored text or the parser's message (which quotes the text, and a
 *   lock record holds PINs): only the kind of failure.
 */
import type Keyv from 'keyv';

/** The value under a key could not be deserialized; `reason` names the kind of failure only. */
export class UnparsableValueError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`The stored value cannot be deserialized (${reason})`);
    this.name = 'UnparsableValueError';
    this.reason = reason;
  }
}

/** What a read answers for a value it could not deserialize: corrupt, to be pruned by its reader. */
export class UnparsableValue {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
}

const marked = new WeakSet<Keyv>();

function kindOf(cause: unknown): string {
  return cause instanceof Error ? cause.name : typeof cause;
}

/** What keyv deserializes must be its `{ value, expires }` box; anything else is no record. */
function checked(data: unknown): unknown {
  if (data === undefined || data === null) return data;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UnparsableValueError(`not a keyv record: ${Array.isArray(data) ? 'array' : typeof data}`);
  }
  return data;
}

function tagged(cause: unknown): never {
  if (cause instanceof UnparsableValueError) throw cause;
  throw new UnparsableValueError(`unparsable: ${kindOf(cause)}`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Makes `store`'s deserializer throw `UnparsableValueError` for a value it cannot read. */
export function markUnparsableValues(store: Keyv): void {
  if (marked.has(store)) return;
  const inner = store.deserialize;
  if (typeof inner !== 'function') return;
  marked.add(store);
  store.deserialize = ((data: string) => {
    let result: unknown;
    try {
      result = inner(data);
    } catch (cause) {
      tagged(cause);
    }
    if (isThenable(result)) return Promise.resolve(result).then(checked, tagged);
    return checked(result);
  }) as typeof inner;
}
