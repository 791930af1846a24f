/**
 * A family of records under one key prefix (`timer:<lockId>`, `lock:<lockId>`), read and written
 * through the persistence actor, with defensive decoding.
 *
 * Invariants:
 * - a read that fails throws `StoreError`: a failed read never counts as "no record";
 * - a record that does not decode, or a value that cannot even be deserialized, is logged as a
 *   warning, reported as `store.pruned`, removed, and read as absent; it never throws and never
 *   stops recovery;
 * - a record of a newer format than this version reads (`v` above the codec's) is never removed,
 *   so a downgrade loses nothing: it is logged as a warning and reported as `store.unreadable`
 *   once per key (until it reads again), and its read throws `StoreError` (operation `read`),
 *   so its reader treats it as a failed read and retries;
 * - nothing but this family's encoder writes under its prefix.
 */

import { StoreError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { Persistence } from './persistence-contract.js';
import { UnparsableValue } from './unparsable-value.js';

/** A decoded record, or why not; `newerFormat`: written by a newer version, to be kept as it is. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly newerFormat?: true };

/** The decode result for a record whose version `v` is newer than `known`, if it is. */
export function newerFormat(v: unknown, known: number): Decoded<never> | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= known) return undefined;
  return { ok: false, newerFormat: true, reason: `format version ${v} is newer than this version reads (${known})` };
}

export interface RecordCodec<T> {
  /** Key prefix, e.g. `timer`. */
  readonly prefix: string;
  /** What the log calls one record, e.g. `timer entry`. */
  readonly label: string;
  encode(value: T): unknown;
  decode(raw: unknown): Decoded<T>;
}

export class RecordStore<T> {
  readonly #persistence: Persistence;
  readonly #logger: Logger;
  readonly #emit: EventSink;
  readonly #codec: RecordCodec<T>;
  /** Keys reported as `store.unreadable` and not read since. */
  readonly #unreadable = new Set<string>();

  constructor(codec: RecordCodec<T>, persistence: Persistence, logger: Logger, emit: EventSink) {
    this.#codec = codec;
    this.#persistence = persistence;
    this.#logger = logger;
    this.#emit = emit;
  }

  key(id: string): string {
    return `${this.#codec.prefix}:${id}`;
  }

  async read(id: string): Promise<T | null> {
    const key = this.key(id);
    return this.#decode(key, await this.#persistence.read(key));
  }

  /** Reads many records in one ask; a failed read is returned as its error, never as "none". */
  async readMany(ids: readonly string[]): Promise<Array<{ value: T | null } | { error: StoreError }>> {
    const keys = ids.map((id) => this.key(id));
    const results = await this.#persistence.readMany(keys);
    return results.map((result, i) => {
      if ('error' in result) return result;
      try {
        return { value: this.#decode(keys[i], result.value) };
      } catch (error) {
        if (error instanceof StoreError) return { error };
        throw error;
      }
    });
  }

  #decode(key: string, raw: unknown): T | null {
    const decoded: Decoded<T> | null =
      raw === undefined || raw === null
        ? null
        : raw instanceof UnparsableValue
          ? { ok: false, reason: raw.reason }
          : this.#codec.decode(raw);
    if (decoded === null || decoded.ok) {
      this.#unreadable.delete(key);
      return decoded === null ? null : decoded.value;
    }
    if (decoded.newerFormat) {
      if (!this.#unreadable.has(key)) {
        this.#unreadable.add(key);
        this.#logger.warn(`Keeping a ${this.#codec.label} of a newer format`, { key, reason: decoded.reason });
        this.#emit({ type: 'store.unreadable', key, reason: decoded.reason });
      }
      throw new StoreError('read', key, new Error(decoded.reason));
    }
    this.#unreadable.delete(key);
    this.#logger.warn(`Pruning a corrupt ${this.#codec.label}`, { key, reason: decoded.reason });
    this.#emit({ type: 'store.pruned', key, reason: decoded.reason });
    // a failed prune is reported by the persistence actor; the record still reads as absent
    this.#persistence.remove(key).catch(() => {});
    return null;
  }

  /** Whether the last read of this record found a newer format (kept as it is, unread). */
  isUnreadable(id: string): boolean {
    return this.#unreadable.has(this.key(id));
  }

  write(id: string, value: T): Promise<void> {
    return this.#persistence.write(this.key(id), this.#codec.encode(value));
  }

  remove(id: string): Promise<void> {
    return this.#persistence.remove(this.key(id));
  }
}
