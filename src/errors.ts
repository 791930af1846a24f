/**
 * The typed errors relock throws.
 *
 * Invariants:
 * - every error a caller can act on is a `RelockError` with a stable `code`;
 * - an `InvalidArgumentError` names the field and shows the offending value, except for secret
 *   fields (a PIN, and every field of a code slot, where a PIN may have been typed by mistake:
 *   `codeSlots: ['482913']`), whose value is never put into a message, the stack or a property,
 *   also when the rejected value is an object or array that holds one (nested too deep to check:
 *   not shown either);
 * - a `StoreError` names the key and the operation and keeps the store's own error as `cause`;
 *   its message says so once: a store error passed on for the same operation and key (as the
 *   error or as its message) is not wrapped again (no "failed: Store write … failed:").
 */

export type RelockErrorCode =
  | 'INVALID_ARGUMENT'
  | 'TIMER_NOT_RECOVERED'
  | 'STORE_ERROR'
  | 'LOCK_NOT_FOUND'
  | 'LOCK_EXISTS'
  | 'SYSTEM_STOPPED'
  | 'MISSING_IMPLEMENTATION'
  | 'STORE_IN_USE'
  | 'NO_COUNTDOWN'
  | 'LOCK_NOT_OWNED';

export class RelockError extends Error {
  readonly code: RelockErrorCode;

  constructor(code: RelockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Field paths whose values are secret and must never be echoed: a PIN, and anything inside code slots. */
const SECRET_FIELD = /(^|\.)(pin$|codeSlots(\[|\.|$))/i;
const SECRET_KEY = /^(pin|codeSlots)$/i;
const MAX_DEPTH = 6;

/** A copy of plain objects and arrays with every `pin` and `codeSlots` field replaced, so no rejected value shows one. */
function withoutSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? '[redacted]' : withoutSecrets(item, depth + 1),
    ]),
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    const text = JSON.stringify(value);
    return text === undefined ? typeof value : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return typeof value;
  }
}

/** An argument or config field has a value relock cannot accept. */
export class InvalidArgumentError extends RelockError {
  readonly field: string;
  /** The rejected value; `'[redacted]'` for secret fields, and any `pin` inside it redacted. */
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string) {
    const secret = SECRET_FIELD.test(field);
    const shown = secret ? '[redacted]' : withoutSecrets(value);
    super('INVALID_ARGUMENT', `Invalid ${field}: ${secret ? shown : describe(shown)} (expected ${expected})`);
    this.field = field;
    this.value = shown;
  }
}

/** A timer was asked to start before its stored entry was recovered. */
export class TimerNotRecoveredError extends RelockError {
  constructor(lockId: string) {
    super(
      'TIMER_NOT_RECOVERED',
      `The autolock timer for lock ${JSON.stringify(lockId)} has not finished recovery; call recover() and wait for it before start()`,
    );
  }
}

/** An extend was asked for while no countdown runs (nothing to push: start one instead). */
export class NoCountdownError extends RelockError {
  readonly lockId: string;

  constructor(lockId: string, phase: string) {
    super(
      'NO_COUNTDOWN',
      `No autolock countdown runs for lock ${JSON.stringify(lockId)} (the timer is ${phase}); start one with startAutolock() instead of extending`,
    );
    this.lockId = lockId;
  }
}

/** `open`: relock could not open a store it was asked to open (`key` is then the store's URL). */
export type StoreOperation = 'read' | 'write' | 'remove' | 'open';

/** The keyv store failed an operation. */
export class StoreError extends RelockError {
  readonly key: string;
  readonly operation: StoreOperation;

  /** `advice`: what a person can do about it, appended to the message. */
  constructor(operation: StoreOperation, key: string, cause: unknown, advice?: string) {
    const prefix = `Store ${operation} of ${JSON.stringify(key)} failed: `;
    let reason = cause instanceof Error ? cause.message : String(cause);
    // a store error passed on (as itself or as its message) for the same operation and key is not wrapped again
    while (reason.startsWith(prefix)) reason = reason.slice(prefix.length);
    super('STORE_ERROR', `${prefix}${reason}${advice === undefined ? '' : `; ${advice}`}`, { cause });
    this.key = key;
    this.operation = operation;
  }
}

/** A machine was run without an implementation that must be supplied with `.provide()`. */
export class MissingImplementationError extends RelockError {
  constructor(kind: string, name: string) {
    super(
      'MISSING_IMPLEMENTATION',
      `The ${kind} "${name}" has no implementation; supply one with machine.provide({ ... })`,
    );
  }
}

/** No lock with this id is registered. */
export class LockNotFoundError extends RelockError {
  readonly lockId: string;

  constructor(lockId: string) {
    super('LOCK_NOT_FOUND', `No lock with id ${JSON.stringify(lockId)} is registered`);
    this.lockId = lockId;
  }
}

/** A lock with this id is already registered (use updateLock to reload it). */
export class LockExistsError extends RelockError {
  readonly lockId: string;

  constructor(lockId: string) {
    super(
      'LOCK_EXISTS',
      `A lock with id ${JSON.stringify(lockId)} is already registered; use updateLock() to reload it`,
    );
    this.lockId = lockId;
  }
}

/** Another relock system holds the store (a live owner record); see `store-owner.ts`. */
export class StoreInUseError extends RelockError {
  /** The store, as given (`sqlite://…`) or described (`a Keyv (Map)`). */
  readonly store: string;
  /** When the other system's lease runs out unless it is renewed (epoch ms, on relock's clock). */
  readonly expiresAt: number;

  constructor(store: string, expiresAt: number, now: number) {
    const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000));
    super(
      'STORE_IN_USE',
      `The store ${store} is in use by another relock system; stop that system first. If it crashed, ` +
        `its lease expires in ${seconds} s (at ${new Date(expiresAt).toISOString()}): start again after that`,
    );
    this.store = store;
    this.expiresAt = expiresAt;
  }
}

/** The relock system has been stopped. */
export class SystemStoppedError extends RelockError {
  constructor(what = 'The relock system') {
    super('SYSTEM_STOPPED', `${what} is stopped`);
  }
}

/** The default of a machine's action, guard, delay or actor that must be supplied with `.provide()`. */
export function notProvided(kind: string, name: string): () => never {
  return () => {
    throw new MissingImplementationError(kind, name);
  };
}

/** In a cluster (`createRelockCluster`), another process owns this lock: ask that one. */
export class LockNotOwnedError extends RelockError {
  readonly lockId: string;
  /** The member that owns it now, when known. */
  readonly owner: string | undefined;

  constructor(lockId: string, owner?: string) {
    super(
      'LOCK_NOT_OWNED',
      `Lock ${JSON.stringify(lockId)} is owned by ${owner === undefined ? 'another process (or none yet)' : `the process ${JSON.stringify(owner)}`}; send this to its owner`,
    );
    this.lockId = lockId;
    this.owner = owner;
  }
}
