/**
 * A family of records under one key prefix (`timer:<lockId>`, `lock:<lockId>`), read and written
 * through the persistence actor, with defensive decoding.
 *
 * Invariants:
 * - a read that fails throws `StoreError`: a failed read never counts as "no record";
 * - a record that does not decode, or a value that cannot even be deserialized, is logged as a
 *   warning, reported as `store.pruned`, removed, and read as absent; it never throws and never
 *   stops recovery;
 * - nothing but this family's encoder writes under its prefix.
 */
import type { Persistence } from '../actors/persistence.actor.js';
import type { StoreError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import { UnparsableValue } from './unparsable-value.js';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

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
    return results.map((result, i) => ('error' in result ? result : { value: this.#decode(keys[i], result.value) }));
  }

  #decode(key: string, raw: unknown): T | null {
    if (raw === undefined || raw === null) return null;
    const decoded: Decoded<T> =
      raw instanceof UnparsableValue ? { ok: false, reason: raw.reason } : this.#codec.decode(raw);
    if (decoded.ok) return decoded.value;
    this.#logger.warn(`Pruning a corrupt ${this.#codec.label}`, { key, reason: decoded.reason });
    this.#emit({ type: 'store.pruned', key, reason: decoded.reason });
    // a failed prune is reported by the persistence actor; the record still reads as absent
    this.#persistence.remove(key).catch(() => {});
    return null;
  }

  write(id: string, value: T): Promise<void> {
    return this.#persistence.write(this.key(id), this.#codec.encode(value));
  }

  remove(id: string): Promise<void> {
    return this.#persistence.remove(this.key(id));
  }
}
