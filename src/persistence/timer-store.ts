/**
 * The timer entries of all locks: one `timer:<lockId>` key per lock (see `record-store.ts` for
 * the read, prune and failure rules).
 */

import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { Persistence } from './persistence-contract.js';
import { RecordStore } from './record-store.js';
import { decodeTimerEntry, encodeTimerEntry } from './timer-codec.js';
import type { TimerEntry } from './timer-entry.js';

export type TimerStore = RecordStore<TimerEntry>;

export function createTimerStore(persistence: Persistence, logger: Logger, emit: EventSink): TimerStore {
  return new RecordStore<TimerEntry>(
    {
      prefix: 'timer',
      label: 'timer entry',
      encode: encodeTimerEntry,
      decode: decodeTimerEntry,
    },
    persistence,
    logger,
    emit,
  );
}
