/**
 * Publishes each lock's state (`state.ts`) to its retained state topic: when relock's status of
 * the lock changes, when the bridge changes what the status does not show (the minutes), at each
 * connect, and every `remainingIntervalSeconds` while something is due (so the remaining-seconds
 * sensor counts down; relock's status store is not refreshed as time passes).
 *
 * Invariants:
 * - the periodic tick runs on relock's clock (a test's `ManualClock` drives it), one timer for
 *   the whole bridge, and is cleared by `stop()`; nothing is published after `stop()`;
 * - while the broker is away nothing is queued: the next connect publishes every lock's state;
 * - a status that cannot be read (the lock is gone, relock stopped) is skipped, never thrown.
 */
import type { Clock, TimerHandle } from '../../clock/clock.js';
import type { Logger } from '../../logger.js';
import type { Relock } from '../../relock.js';
import type { BridgeConfig, BridgeLockConfig } from './config.js';
import type { MqttLink } from './connection.js';
import { lockStatePayload } from './state.js';
import { stateTopic } from './topics.js';

export interface StatePublisher {
  publish(lock: BridgeLockConfig): void;
  publishAll(): void;
  stop(): void;
}

export interface StatePublisherOptions {
  readonly config: BridgeConfig;
  readonly relock: Relock;
  readonly link: MqttLink;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function createStatePublisher(options: StatePublisherOptions): StatePublisher {
  const { config, relock, link, clock, logger } = options;
  let stopped = false;
  let tick: TimerHandle | undefined;

  const publish = (lock: BridgeLockConfig, onlyIfDue = false): void => {
    if (stopped || !link.connected) return;
    let payload: string;
    try {
      const status = relock.status(lock.id);
      if (onlyIfDue && status.endsAt === null) return;
      payload = JSON.stringify(lockStatePayload(status));
    } catch (error) {
      logger.debug('Lock state not published', { lockId: lock.id, message: (error as Error).message });
      return;
    }
    link
      .publish(stateTopic(config, lock), payload, { retain: true })
      .catch((error: Error) => logger.debug('Lock state not published', { lockId: lock.id, message: error.message }));
  };

  const subscriptions = config.locks.map((lock) => relock.statusStore(lock.id).subscribe(() => publish(lock)));

  const schedule = (): void => {
    tick = clock.setTimeout(() => {
      for (const lock of config.locks) publish(lock, true);
      if (!stopped) schedule();
    }, config.remainingIntervalSeconds * 1000);
  };
  schedule();

  return {
    publish: (lock) => publish(lock),
    publishAll() {
      for (const lock of config.locks) publish(lock);
    },
    stop() {
      stopped = true;
      if (tick !== undefined) clock.clearTimeout(tick);
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
