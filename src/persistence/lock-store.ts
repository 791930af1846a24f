/**
 * Lock records (config, runtime state, code slots): one `lock:<lockId>` key per lock (see
 * `record-store.ts` for the read, prune and failure rules).
 */

import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import { decodeLockRecord, encodeLockRecord, type LockRecord } from './lock-record-codec.js';
import type { Persistence } from './persistence-contract.js';
import { RecordStore } from './record-store.js';

export type LockStore = RecordStore<LockRecord>;

export function createLockStore(persistence: Persistence, logger: Logger, emit: EventSink): LockStore {
  return new RecordStore<LockRecord>(
    {
      prefix: 'lock',
      label: 'lock record',
      encode: encodeLockRecord,
      decode: decodeLockRecord,
    },
    persistence,
    logger,
    emit,
  );
}
