/**
 * The lock driver of the MQTT bridge: a lock command is a publish of the lock's command payload
 * (zigbee2mqtt: `{"state":"LOCK"}` to `<lock topic>/set`) to its command topic.
 *
 * Invariants (docs/driver-guide.md):
 * - it resolves once the command is published; the lock's next state message is the
 *   confirmation, and reaches relock as `reportLockState(id, 'locked')`;
 * - while the broker is away a command waits for it; when relock's action timeout aborts
 *   `signal` first, it rejects with an Error and nothing is sent later (no queue: a command that
 *   went out after relock counted it failed would be a surprise lock);
 * - an aborted signal rejects before anything is published; an unknown lock id rejects with an
 *   Error naming it;
 * - it never changes the view it is given and never sees a PIN (relock passes `{ id, name }`).
 */
import type { LockDriver } from '../../ports/lock-driver.js';
import type { BridgeLockConfig } from './config.js';
import type { MqttLink } from './connection.js';

export function mqttLockDriver(locks: readonly BridgeLockConfig[], link: MqttLink): LockDriver {
  const byId = new Map(locks.map((lock) => [lock.id, lock]));
  return {
    async lock(view, { signal }) {
      if (signal.aborted) throw new Error(`lock command for ${view.name} aborted before it was sent`);
      const lock = byId.get(view.id);
      if (lock === undefined) throw new Error(`no MQTT lock configured with id ${JSON.stringify(view.id)}`);
      await link.whenConnected(signal);
      if (signal.aborted) throw new Error(`lock command for ${view.name} aborted before it was sent`);
      await link.publish(lock.command.topic, lock.command.payload);
    },
  };
}
