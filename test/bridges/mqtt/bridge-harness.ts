/**
 * An in-process MQTT bridge for tests: relock on a `ManualClock` and a memory store, on a real
 * broker, with its log lines and relock's events recorded.
 *
 * Invariants: every bridge gets topics of its own (base topic, discovery prefix, zigbee2mqtt
 * names carry a fresh tag), so retained messages of one test never reach another on the same
 * broker; `stop()` stops the bridge (idempotent).
 */

import { type MqttBridge, startMqttBridge } from '../../../src/bridges/mqtt/bridge.js';
import { parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import { ManualClock } from '../../../src/clock/manual-clock.js';
import type { RelockEvent } from '../../../src/events.js';
import type { LogFields, Logger } from '../../../src/logger.js';
import type { LockStatus } from '../../../src/status/lock-status.js';
import { HANG_LIMIT_MS, type Player, type Seen, until } from './player.js';

export interface LogLine {
  readonly level: keyof Logger;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

export interface TestBridge {
  readonly bridge: MqttBridge;
  readonly clock: ManualClock;
  readonly logs: LogLine[];
  readonly events: RelockEvent[];
  /** The tag in this bridge's topics. */
  readonly tag: string;
  /** `<tag>/…`: the bridge's base topic. */
  readonly base: string;
  /** `z2m-<tag>/<name>`: a zigbee2mqtt device topic of this test. */
  z2m(name: string): string;
  status(lockId: string): LockStatus;
  /**
   * The first message the player saw (from index `from` on) that matches, waiting for it (bounded,
   * real time) while relock's zero-delay timers run on the manual clock.
   */
  waitMessage(player: Player, match: (message: Seen) => boolean, from?: number): Promise<Seen>;
  /** The parsed state messages of a lock the player saw, in order. */
  states(player: Player, lockId: string): Array<Record<string, unknown>>;
  /** Waits (bounded, real time) until the lock's status satisfies `check`. */
  waitStatus(lockId: string, check: (status: LockStatus) => boolean, what: string): Promise<LockStatus>;
  stop(): Promise<void>;
}

let counter = 0;
export const START = Date.UTC(2026, 5, 1, 12, 0, 0);

/** `build(tag)` returns the config document; its mqtt url, base topic and node id are set here. */
export async function startTestBridge(
  url: string,
  build: (z2m: (name: string) => string) => Record<string, unknown>,
): Promise<TestBridge> {
  counter += 1;
  const tag = `t${process.pid}-${counter}`;
  const z2m = (name: string): string => `z2m-${tag}/${name}`;
  const document = build(z2m);
  const config = parseBridgeConfig({
    store: 'memory',
    ...document,
    mqtt: { url, baseTopic: tag, reconnectMinSeconds: 0.1, reconnectMaxSeconds: 0.5, ...(document.mqtt as object) },
    homeAssistant: { discoveryPrefix: `ha-${tag}`, ...(document.homeAssistant as object) },
  });
  const clock = new ManualClock(START);
  const logs: LogLine[] = [];
  const log =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      logs.push({ level, message, fields });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const bridge = await startMqttBridge({ config, clock, logger });
  const events: RelockEvent[] = [];
  bridge.relock.subscribe((event) => events.push(event));
  await until(() => bridge.connected, 'the bridge connects');
  return {
    bridge,
    clock,
    logs,
    events,
    tag,
    base: tag,
    z2m,
    status: (lockId) => bridge.relock.status(lockId),
    async waitMessage(player, match, from = 0) {
      const deadline = Date.now() + HANG_LIMIT_MS;
      for (;;) {
        await clock.advance(0);
        const found = player.messages.slice(from).find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching MQTT message within ${HANG_LIMIT_MS} ms; last: ${JSON.stringify(player.messages.slice(-3))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    states(player, lockId) {
      return player.on(`${tag}/${lockId}/state`).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    },
    async waitStatus(lockId, check, what) {
      // zero-delay timers of relock run on the manual clock: let them run while waiting
      const deadline = Date.now() + HANG_LIMIT_MS;
      for (;;) {
        await clock.advance(0);
        const status = bridge.relock.status(lockId);
        if (check(status)) return status;
        if (Date.now() > deadline)
          throw new Error(`${what}: not within ${HANG_LIMIT_MS} ms (${JSON.stringify(status)})`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop: () => bridge.stop(),
  };
}
