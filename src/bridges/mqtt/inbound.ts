/**
 * Routes every incoming MQTT message: a lock's or a door sensor's state (zigbee2mqtt or generic)
 * to `reportLockState` / `reportDoorState`, a command to `commands.ts`, Home Assistant's birth
 * message to a new announcement.
 *
 * Invariants:
 * - a message never crashes the bridge: a payload that is too large (over 64 KiB), not UTF-8
 *   text, malformed or mapped to no state is logged at warn with its topic, the lock and why,
 *   and ignored; the payload itself is never logged (a lock's payload may carry PIN codes);
 * - a message that says nothing about the state (a battery update) is ignored silently;
 * - one topic may feed several locks (a door sensor shared by two locks): each gets the report;
 * - the topics to subscribe are exactly the routed ones.
 */
import { TextDecoder } from 'node:util';
import type { Logger } from '../../logger.js';
import { messageOf } from '../../ports/host-guards.js';
import type { Relock } from '../../relock.js';
import { type CommandContext, runCommand } from './commands.js';
import type { BridgeConfig, BridgeLockConfig } from './config.js';
import type { Decoded } from './decoded.js';
import { decodeGeneric } from './generic-mapping.js';
import { COMMANDS, commandTopic } from './topics.js';
import { decodeZigbeeContact, decodeZigbeeLock } from './zigbee2mqtt.js';

export const MAX_PAYLOAD_BYTES = 64 * 1024;

type Route = (payload: string) => void;

export interface InboundRouter {
  readonly topics: readonly string[];
  /** `retained`: a retained message the broker replayed; a retained command is never run. */
  handle(topic: string, payload: Buffer, retained?: boolean): void;
}

export interface RouterOptions {
  readonly config: BridgeConfig;
  readonly relock: Relock;
  readonly logger: Logger;
  readonly commands: CommandContext;
  /** Home Assistant came (back) online: announce everything again. */
  readonly onHomeAssistantOnline: () => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createInboundRouter(options: RouterOptions): InboundRouter {
  const { config, relock, logger } = options;
  const routes = new Map<string, Route[]>();
  /** A command left retained on the broker would run again at every (re)connect: never run one. */
  const commandTopics = new Set<string>();
  const add = (topic: string, route: Route): void => {
    routes.set(topic, [...(routes.get(topic) ?? []), route]);
  };
  const report =
    <S extends string>(
      lock: BridgeLockConfig,
      topic: string,
      what: string,
      decode: (payload: string) => Decoded<S>,
      apply: (s: S) => void,
    ) =>
    (payload: string): void => {
      const decoded = decode(payload);
      if (decoded.kind === 'state') apply(decoded.state);
      else if (decoded.kind === 'malformed') {
        logger.warn('Ignored malformed MQTT payload', { topic, lockId: lock.id, what, reason: decoded.reason });
      }
    };

  for (const lock of config.locks) {
    const source = lock.lock;
    add(
      source.topic,
      report(
        lock,
        source.topic,
        'lock state',
        source.kind === 'zigbee2mqtt' ? decodeZigbeeLock : (payload) => decodeGeneric(source, payload),
        (state) => relock.reportLockState(lock.id, state),
      ),
    );
    const door = lock.door;
    if (door !== undefined) {
      add(
        door.topic,
        report(
          lock,
          door.topic,
          'door state',
          door.kind === 'zigbee2mqtt' ? decodeZigbeeContact : (payload) => decodeGeneric(door, payload),
          (state) => relock.reportDoorState(lock.id, state),
        ),
      );
    }
    for (const command of COMMANDS) {
      const topic = commandTopic(config, lock, command);
      commandTopics.add(topic);
      add(topic, (payload) => runCommand(options.commands, lock, command, payload));
    }
  }
  if (config.homeAssistant.discovery) {
    add(config.homeAssistant.statusTopic, (payload) => {
      if (payload.trim() === 'online') options.onHomeAssistantOnline();
    });
  }

  return {
    topics: [...routes.keys()],
    handle(topic, payload, retained = false) {
      const targets = routes.get(topic);
      if (targets === undefined) return;
      if (retained && commandTopics.has(topic)) {
        logger.warn('Ignored a retained MQTT command', { topic });
        return;
      }
      if (payload.length > MAX_PAYLOAD_BYTES) {
        logger.warn('Ignored malformed MQTT payload', { topic, reason: `larger than ${MAX_PAYLOAD_BYTES} bytes` });
        return;
      }
      let text: string;
      try {
        text = utf8.decode(payload);
      } catch {
        logger.warn('Ignored malformed MQTT payload', { topic, reason: 'not UTF-8 text' });
        return;
      }
      for (const route of targets) {
        try {
          route(text);
        } catch (error) {
          logger.warn('MQTT message not applied', { topic, message: messageOf(error) });
        }
      }
    },
  };
}
