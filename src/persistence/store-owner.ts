/**
 * Store ownership: one relock system at a time fires the entries of a store.
 *
 * Invariants:
 * - a shared store (a host's Keyv, or a `sqlite://` file relock opened) holds one owner record
 *   under `owner` (outside the `timer:` and `lock:` families): `{ v, owner, expiresAt, host, pid,
 *   pidns }`; it is claimed before any lock is added, renewed every third of the lease on the
 *   injected clock, and deleted at stop only while it is still this system's;
 * - a claim finds a live record of another system and refuses with `StoreInUseError` naming the
 *   store and when the lease runs out; it takes over an expired record, a record of a process
 *   that is dead on this host (same host name and pid namespace, pid gone), an unreadable one
 *   (with a warning), or a record of this process whose system is no longer running;
 * - two claims on one store in one process (one adapter, one `sqlite://` file, or one Redis
 *   database relock opened) are decided synchronously (no await between the check and the
 *   claim); across processes a claim writes, then reads back its own token (a store
 *   without compare-and-set leaves a small window there: a later renewal settles it);
 * - a renewal that finds another system's record calls `onLost` once and renews no more; one
 *   that finds no record writes it again; a failing renewal is retried at the next tick;
 * - every store call here is bounded by a third of the lease on the injected clock; after
 *   `release()` no timer of this module is pending.
 */
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type Keyv from 'keyv';
import type { Clock, TimerHandle } from '../clock/clock.js';
import { InvalidArgumentError, StoreError, StoreInUseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ownerSlotOf } from './keyv-store.js';
import { redactStoreUrl } from './store-url.js';

/** The key of the owner record. */
export const OWNER_KEY = 'owner';
/** The default lease: a crashed owner on another host blocks a new system for at most this long. */
export const DEFAULT_STORE_LEASE_MS = 30_000;
/** The bounds of the `storeLeaseMs` option: a second to a day. */
export const MIN_STORE_LEASE_MS = 1_000;
export const MAX_STORE_LEASE_MS = 86_400_000;
/** How many times a claim or a release tries a failing store call before it gives up. */
const ATTEMPTS = 3;

interface OwnerRecord {
  readonly v: 1;
  readonly owner: string;
  readonly expiresAt: number;
  readonly host: string;
  readonly pid: number;
  readonly pidns?: string;
}

export interface StoreOwnerDeps {
  readonly store: Keyv;
  /** How the store is named in errors and logs: the URL, or `a Keyv (<adapter>)`. */
  readonly name: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaseMs: number;
  /** Called once when a renewal finds that another system took the store over. */
  readonly onLost: (message: string) => void;
}

/** Tokens of the systems in this process that hold a store, per adapter (or file) and namespace. */
const heldInProcess = new WeakMap<object, Map<string, string>>();
/** One key per `sqlite://` file in this process: each system opens its own adapter on it. */
const fileKeys = new Map<string, object>();

function fileKey(url: string): object {
  const file = resolve(url.slice('sqlite://'.length));
  const key = fileKeys.get(file) ?? {};
  fileKeys.set(file, key);
  return key;
}
const liveTokens = new Set<string>();

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function decode(value: unknown): OwnerRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (
    r.v !== 1 ||
    typeof r.owner !== 'string' ||
    typeof r.expiresAt !== 'number' ||
    !Number.isFinite(r.expiresAt) ||
    typeof r.host !== 'string' ||
    typeof r.pid !== 'number' ||
    (r.pidns !== undefined && typeof r.pidns !== 'string')
  ) {
    return undefined;
  }
  return value as OwnerRecord;
}

/** The `storeLeaseMs` option, validated (`InvalidArgumentError` naming the field). */
export function validateStoreLeaseMs(value: unknown): number {
  if (value === undefined) return DEFAULT_STORE_LEASE_MS;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_STORE_LEASE_MS ||
    value > MAX_STORE_LEASE_MS
  ) {
    throw new InvalidArgumentError('storeLeaseMs', value, 'an integer number of milliseconds from 1000 to 86400000');
  }
  return value;
}

/** How a store is named in messages: the URL relock opened (no password), or a description of a host's Keyv. */
export function describeStore(option: unknown, store: Keyv): string {
  if (typeof option === 'string') return redactStoreUrl(option);
  const adapter = (store as { store?: unknown }).store;
  const kind = typeof adapter === 'object' && adapter !== null ? adapter.constructor?.name : undefined;
  return `a Keyv (${kind ?? 'unknown adapter'}${store.namespace ? `, namespace ${store.namespace}` : ''})`;
}

/** Claims the store for one relock system; `release()` gives it back. */
export class StoreOwner {
  readonly #deps: StoreOwnerDeps;
  readonly #token = randomUUID();
  readonly #host = hostname();
  readonly #pidns = pidNamespace();
  readonly #slot: { adapter: object; namespace: string };
  #timer: TimerHandle | undefined;
  #renewing: Promise<void> | undefined;
  #state: 'idle' | 'held' | 'lost' | 'released' = 'idle';

  private constructor(deps: StoreOwnerDeps) {
    this.#deps = deps;
    const adapter = (deps.store as { store?: unknown }).store;
    this.#slot = {
      // a store relock opened is named by its URL
      adapter: deps.name.startsWith('sqlite://')
        ? fileKey(deps.name)
        : (ownerSlotOf(deps.store) ?? (typeof adapter === 'object' && adapter !== null ? adapter : deps.store)),
      namespace: deps.store.namespace ?? '',
    };
  }

  /** Claims the store, or rejects with `StoreInUseError` (another system holds it) or `StoreError`. */
  static async claim(deps: StoreOwnerDeps): Promise<StoreOwner> {
    const owner = new StoreOwner(deps);
    owner.#claimInProcess();
    try {
      await owner.#claimInStore();
    } catch (error) {
      owner.#leaveInProcess();
      throw error;
    }
    owner.#state = 'held';
    liveTokens.add(owner.#token);
    owner.#schedule();
    return owner;
  }

  /** Whether this system still holds the store (false once a renewal found another owner). */
  get held(): boolean {
    return this.#state === 'held';
  }

  /** Stops renewing and deletes the owner record if it is still this system's. */
  async release(): Promise<void> {
    const wasHeld = this.#state === 'held';
    if (this.#state !== 'lost') this.#state = 'released';
    this.#clearTimer();
    await this.#renewing;
    liveTokens.delete(this.#token);
    this.#leaveInProcess();
    if (!wasHeld) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const record = decode(await this.#call(() => this.#deps.store.get(OWNER_KEY)));
        if (record?.owner === this.#token) await this.#call(() => this.#deps.store.delete(OWNER_KEY));
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) {
          this.#deps.logger.warn('Could not release the store; another system can take it when the lease expires', {
            store: this.#deps.name,
            leaseMs: this.#deps.leaseMs,
            message: error instanceof Error ? error.message : String(error),
          });
          return;
        }
      }
    }
  }

  #claimInProcess(): void {
    const { adapter, namespace } = this.#slot;
    const held = heldInProcess.get(adapter) ?? new Map<string, string>();
    heldInProcess.set(adapter, held);
    if (held.has(namespace)) {
      // another system of this process holds it: its lease is renewed for as long as it runs
      throw new StoreInUseError(this.#deps.name, this.#deps.clock.now() + this.#deps.leaseMs, this.#deps.clock.now());
    }
    held.set(namespace, this.#token);
  }

  #leaveInProcess(): void {
    const held = heldInProcess.get(this.#slot.adapter);
    if (held?.get(this.#slot.namespace) === this.#token) held.delete(this.#slot.namespace);
  }

  async #claimInStore(): Promise<void> {
    const current = await this.#retrying('read', () => this.#deps.store.get(OWNER_KEY));
    const found = decode(current);
    if (current !== undefined && found === undefined) {
      this.#deps.logger.warn('The store owner record is unreadable; taking the store over', { store: this.#deps.name });
    }
    if (found !== undefined && !this.#mayTakeOver(found)) {
      throw new StoreInUseError(this.#deps.name, found.expiresAt, this.#deps.clock.now());
    }
    if (found !== undefined) {
      this.#deps.logger.warn('Taking over the store from a relock system that is gone', {
        store: this.#deps.name,
        host: found.host,
        pid: found.pid,
        expiresAt: found.expiresAt,
      });
    }
    await this.#retrying('write', () => this.#write());
    const mine = decode(await this.#retrying('read', () => this.#deps.store.get(OWNER_KEY)));
    if (mine?.owner !== this.#token) {
      throw new StoreInUseError(this.#deps.name, mine?.expiresAt ?? this.#deps.clock.now(), this.#deps.clock.now());
    }
  }

  #mayTakeOver(record: OwnerRecord): boolean {
    if (record.owner === this.#token) return true;
    if (record.expiresAt <= this.#deps.clock.now()) return true;
    const local = record.host === this.#host && record.pidns === this.#pidns;
    if (!local) return false;
    // a system of this process that is no longer running (its release failed)
    if (record.pid === process.pid) return !liveTokens.has(record.owner);
    return processIsGone(record.pid);
  }

  async #write(): Promise<void> {
    const record: OwnerRecord = {
      v: 1,
      owner: this.#token,
      expiresAt: this.#deps.clock.now() + this.#deps.leaseMs,
      host: this.#host,
      pid: process.pid,
      ...(this.#pidns === undefined ? {} : { pidns: this.#pidns }),
    };
    const ok = await this.#call(() => this.#deps.store.set(OWNER_KEY, record));
    if (ok === false) throw new Error('the store refused the write');
  }

  /** A store call bounded by a third of the lease on the injected clock. */
  #call<T>(run: () => Promise<T>): Promise<T> {
    const { clock } = this.#deps;
    const limit = Math.max(1, Math.floor(this.#deps.leaseMs / 3));
    return new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit);
      run().then(
        (value) => {
          clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  async #retrying<T>(operation: 'read' | 'write', run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#call(run);
      } catch (error) {
        if (attempt >= ATTEMPTS) throw new StoreError(operation, OWNER_KEY, error);
      }
    }
  }

  #schedule(): void {
    if (this.#state !== 'held') return;
    this.#timer = this.#deps.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#renewing = this.#renew().finally(() => {
          this.#renewing = undefined;
          this.#schedule();
        });
      },
      Math.max(1, Math.floor(this.#deps.leaseMs / 3)),
    );
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #renew(): Promise<void> {
    const { logger, name } = this.#deps;
    try {
      const record = decode(await this.#call(() => this.#deps.store.get(OWNER_KEY)));
      if (this.#state !== 'held') return;
      if (record !== undefined && record.owner !== this.#token) {
        this.#state = 'lost';
        this.#leaveInProcess();
        liveTokens.delete(this.#token);
        const message =
          `Another relock system (host ${record.host}, pid ${record.pid}) has taken over the store ${name}; ` +
          'this system sends no more lock commands and stops';
        logger.error(message, { store: name });
        this.#deps.onLost(message);
        return;
      }
      if (record === undefined) logger.warn('The store owner record was gone; writing it again', { store: name });
      await this.#write();
    } catch (error) {
      logger.warn('Could not renew the store lease; trying again', {
        store: name,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
