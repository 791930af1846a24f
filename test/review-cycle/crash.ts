/**
 * A crash: the process dies as it is, with no `stop()`. The next system opens a copy of the store
 * as it was at that moment (the dead process's claim on the store left out: its lease ran out).
 */
import { OWNER_KEY } from '../../src/persistence/store-owner.js';
import { FaultyMap } from '../support/faulty-map.js';
import type { RelockHarness } from '../support/relock-harness.js';

export function crashImage(h: RelockHarness): FaultyMap {
  const copy = new FaultyMap();
  for (const [key, value] of Map.prototype.entries.call(h.map) as IterableIterator<[string, unknown]>) {
    if (key.endsWith(OWNER_KEY)) continue;
    copy.seed(key, structuredClone(value));
  }
  return copy;
}
