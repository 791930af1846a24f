/**
 * A lock actor created in a restored snapshot is the lock a start and a RESTORE would give: the
 * same state in every region and the same context, for every runtime state a record can hold.
 */

import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { lockMachine } from '../../src/machines/lock.machine.js';
import { lockRuntimeOf, restoredLockSnapshot, restoresDoorOpenAfterStart } from '../../src/machines/lock-snapshot.js';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { type LockRuntime, noticesOf } from '../../src/model/lock-runtime.js';

const config = parseLockConfig(
  { id: 'front', name: 'Front Door', hasDoorSensor: true, autolock: { enabled: true } },
  'config',
);

const runtimes: LockRuntime[] = [];
for (const lockState of ['locked', 'unlocked', 'jammed', 'unknown'] as const)
  for (const doorState of ['open', 'closed', 'unknown'] as const)
    for (const pendingRetry of [false, true])
      for (const jamNoticeShown of [false, true])
        runtimes.push({
          lockState,
          doorState,
          pendingRetry,
          // a cycle ended (cancelled) in some unlocked spells
          cycleEnded: lockState === 'unlocked' && jamNoticeShown,
          jamNoticeShown,
          doorNoticeShown: doorState === 'open',
          warningNoticeShown: !jamNoticeShown,
          retryNoticeShown: pendingRetry,
          doorClosedNoticeShown: jamNoticeShown && doorState === 'closed',
          failedNoticeShown: !pendingRetry,
        });

describe('restoredLockSnapshot', () => {
  it.each(runtimes.map((runtime) => [JSON.stringify(runtime), runtime] as const))(
    'a lock created in the restored snapshot equals a started lock sent RESTORE: %s',
    (_label, runtime) => {
      const input = { config, notices: noticesOf(runtime), cycleEnded: runtime.cycleEnded };
      const viaEvent = createActor(lockMachine, { input }).start();
      viaEvent.send({ type: 'RESTORE', runtime });
      const restored = createActor(lockMachine, { input, snapshot: restoredLockSnapshot(input, runtime) }).start();
      if (restoresDoorOpenAfterStart(runtime)) restored.send({ type: 'RESTORE', runtime });
      expect(restored.getSnapshot().value).toEqual(viaEvent.getSnapshot().value);
      expect(restored.getSnapshot().context).toEqual(viaEvent.getSnapshot().context);
      expect(lockRuntimeOf(restored.getSnapshot())).toEqual(runtime);
      viaEvent.stop();
      restored.stop();
    },
  );
});
