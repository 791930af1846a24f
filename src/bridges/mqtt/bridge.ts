/**
 * The MQTT bridge: one relock system whose locks and door sensors are MQTT devices
 * (zigbee2mqtt or a generic gateway), whose driver publishes lock commands, whose notifier
 * publishes notifications, and which announces itself to Home Assistant.
 *
 * Invariants:
 * - relock is started and every lock added before the first connection, so no message reaches a
 *   lock that is not there yet; the locks are added together (`addLocks`: stored autolocks are
 *   recovered, overdue ones fire, waiting for the broker within the action timeout);
 * - the broker going away stops nothing: relock's countdowns run on its clock, a fire waits for
 *   the broker (`driver.ts`), and every connect announces the bridge again: availability
 *   `online`, discovery, every lock's state, notifications that waited;
 * - relock's clock is injectable (`clock`), so a test drives every countdown, retry and the
 *   remaining-seconds tick with a `ManualClock`; the network's own timers are real time;
 * - `stop()` is idempotent: it stops the publisher, then relock (`relock.stop()`: pending writes
 *   flushed, the store released), then publishes availability `offline` and disconnects;
 * - a failed start (a store in use, an invalid lock) stops what it started and rethrows.
 */
import { type Clock, systemClock } from '../../clock/clock.js';
import { consoleLogger, type Logger, safeLogger } from '../../logger.js';
import type { LockConfigInput } from '../../model/lock-config.js';
import { redactStoreUrl } from '../../persistence/store-url.js';
import { createRelock, type Relock } from '../../relock.js';
import type { BridgeConfig, BridgeLockConfig } from './config.js';
import { createMqttLink, type MqttLink } from './connection.js';
import { discoveryMessages } from './discovery.js';
import { mqttLockDriver } from './driver.js';
import { createInboundRouter } from './inbound.js';
import { mqttNotifier } from './notifier.js';
import { createStatePublisher } from './state-publisher.js';
import { AVAILABILITY, availabilityTopic } from './topics.js';

export interface MqttBridgeOptions {
  /** A validated config (`loadBridgeConfig(file)` or `parseBridgeConfig(document)`). */
  readonly config: BridgeConfig;
  /** relock's clock. Default: the system clock. Tests pass a `ManualClock`. */
  readonly clock?: Clock;
  /** Default: relock's console logger (warnings and errors). */
  readonly logger?: Logger;
}

export interface MqttBridge {
  /** The relock system the bridge runs (status, events, the API). */
  readonly relock: Relock;
  /** Whether the broker is connected now. */
  readonly connected: boolean;
  /** Stops relock, publishes availability `offline` and disconnects. Idempotent. */
  stop(): Promise<void>;
}

function lockConfig(lock: BridgeLockConfig): LockConfigInput {
  return {
    id: lock.id,
    name: lock.name,
    hasDoorSensor: lock.door !== undefined,
    reportsLockState: lock.reportsLockState,
    ...(lock.autolock === undefined ? {} : { autolock: lock.autolock }),
  };
}

export async function startMqttBridge(options: MqttBridgeOptions): Promise<MqttBridge> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = safeLogger(options.logger ?? consoleLogger);
  let topics: readonly string[] = [];
  const link: MqttLink = createMqttLink({
    config: config.mqtt,
    logger,
    topics: () => topics,
    availability: { topic: availabilityTopic(config), ...AVAILABILITY },
  });
  const notifier =
    config.notificationsTopic === null ? undefined : mqttNotifier(link, config.notificationsTopic, logger);

  const relock = await createRelock({
    driver: mqttLockDriver(config.locks, link),
    store: config.store,
    clock,
    logger,
    actionTimeoutMs: Math.round(config.actionTimeoutSeconds * 1000),
    ...(notifier === undefined ? {} : { notifier }),
    ...(config.daylight === undefined ? {} : { daylight: config.daylight }),
  });
  try {
    await relock.addLocks(config.locks.map(lockConfig));
  } catch (error) {
    await relock.stop();
    throw error;
  }

  const publisher = createStatePublisher({ config, relock, link, clock, logger });
  const announce = (): void => {
    if (!link.connected || !config.homeAssistant.discovery) return;
    for (const message of discoveryMessages(config)) {
      link
        .publish(message.topic, JSON.stringify(message.payload), { retain: true })
        .catch((error: Error) => logger.debug('Discovery config not published', { message: error.message }));
    }
  };
  const router = createInboundRouter({
    config,
    relock,
    logger,
    commands: { relock, logger },
    onHomeAssistantOnline: () => {
      announce();
      publisher.publishAll();
    },
  });
  topics = router.topics;
  link.onMessage((topic, payload, retained) => router.handle(topic, payload, retained));
  link.onConnect(() => {
    link
      .publish(availabilityTopic(config), AVAILABILITY.online, { retain: true })
      .catch((error: Error) => logger.debug('Availability not published', { message: error.message }));
    announce();
    publisher.publishAll();
    notifier?.flush();
  });
  link.start();
  logger.info('relock MQTT bridge started', { locks: config.locks.length, store: redactStoreUrl(config.store) });

  let stopping: Promise<void> | undefined;
  return {
    relock,
    get connected() {
      return link.connected;
    },
    stop() {
      stopping ??= (async () => {
        publisher.stop();
        try {
          await relock.stop();
        } finally {
          await link.end();
        }
        logger.info('relock MQTT bridge stopped', {});
      })();
      return stopping;
    },
  };
}
