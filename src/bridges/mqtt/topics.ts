/**
 * The bridge's own topics, under `mqtt.baseTopic` (default `relock`):
 * - `<base>/status`: availability, retained, `online` / `offline` (also the last-will);
 * - `<base>/<lock key>/state`: the lock's autolock state as JSON, retained (what every Home
 *   Assistant entity reads);
 * - `<base>/<lock key>/<command>/set`: what Home Assistant (or anyone) sends to drive relock.
 *
 * Invariants: a lock key is the lock id made a single topic level (`objectKey`), unique per
 * config; every command topic belongs to exactly one lock and one command.
 */
import type { BridgeConfig, BridgeLockConfig } from './config.js';

export const AVAILABILITY = { online: 'online', offline: 'offline' } as const;

/** What can be asked of a lock over MQTT. */
export const COMMANDS = [
  'autolock',
  'day_minutes',
  'night_minutes',
  'lock_now',
  'cancel_autolock',
  'start_autolock',
] as const;
export type Command = (typeof COMMANDS)[number];

export function availabilityTopic(config: BridgeConfig): string {
  return `${config.mqtt.baseTopic}/status`;
}

export function stateTopic(config: BridgeConfig, lock: BridgeLockConfig): string {
  return `${config.mqtt.baseTopic}/${lock.key}/state`;
}

export function commandTopic(config: BridgeConfig, lock: BridgeLockConfig, command: Command): string {
  return `${config.mqtt.baseTopic}/${lock.key}/${command}/set`;
}
