/**
 * Home Assistant MQTT discovery: the retained config messages that make each lock's autolock
 * appear in Home Assistant as one device with its entities.
 *
 * Per lock, under `<prefix>/<component>/<node>/<lock key>_<entity>/config`:
 * - `switch` autolock (on/off), `number` day minutes and night minutes (0 to 10,080);
 * - `sensor` autolock at (device_class timestamp: when the next step is due), remaining seconds
 *   (device_class duration) and status (relock's phase word, its summary as an attribute);
 * - `button` lock now (`startAutolock(id, 0)`) and cancel autolock (`cancelAutolock(id)`);
 * - `binary_sensor` problem (device_class problem): failed, jammed or door open at the deadline.
 *
 * Invariants:
 * - every entity has a `unique_id` (`<node>_<lock key>_<entity>`, unique across entities and
 *   locks because lock keys are), the lock's `device` block (identifiers `<node>_<lock key>`),
 *   and `availability` on the bridge's status topic (the last-will makes it `offline`);
 * - every state is read from the lock's one retained state topic; every command topic is one the
 *   bridge subscribes to (`topics.ts`);
 * - nothing in a config is a PIN, a password or a payload from a lock.
 */

import type { BridgeConfig, BridgeLockConfig } from './config.js';
import { MAX_MINUTES_PER_SETTING } from './state.js';
import { AVAILABILITY, availabilityTopic, type Command, commandTopic, stateTopic } from './topics.js';

export type Component = 'switch' | 'number' | 'sensor' | 'button' | 'binary_sensor';

export interface DiscoveryMessage {
  readonly topic: string;
  readonly component: Component;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface Entity {
  readonly component: Component;
  readonly suffix: string;
  readonly name: string;
  readonly command?: Command;
  readonly fields: Record<string, unknown>;
}

function entities(): Entity[] {
  const minutes = (name: string) => ({
    min: 0,
    max: MAX_MINUTES_PER_SETTING,
    step: 1,
    mode: 'box',
    unit_of_measurement: 'min',
    entity_category: 'config',
    value_template: `{{ value_json.${name} }}`,
  });
  return [
    {
      component: 'switch',
      suffix: 'autolock',
      name: 'Autolock',
      command: 'autolock',
      fields: {
        payload_on: 'ON',
        payload_off: 'OFF',
        value_template: '{{ value_json.autolock }}',
        icon: 'mdi:lock-clock',
      },
    },
    {
      component: 'number',
      suffix: 'day_minutes',
      name: 'Autolock day minutes',
      command: 'day_minutes',
      fields: minutes('day_minutes'),
    },
    {
      component: 'number',
      suffix: 'night_minutes',
      name: 'Autolock night minutes',
      command: 'night_minutes',
      fields: minutes('night_minutes'),
    },
    {
      component: 'sensor',
      suffix: 'autolock_ends_at',
      name: 'Autolock at',
      fields: { device_class: 'timestamp', value_template: '{{ value_json.ends_at }}' },
    },
    {
      component: 'sensor',
      suffix: 'autolock_remaining',
      name: 'Autolock remaining',
      fields: {
        device_class: 'duration',
        unit_of_measurement: 's',
        value_template: '{{ value_json.remaining_seconds }}',
      },
    },
    {
      component: 'sensor',
      suffix: 'autolock_status',
      name: 'Autolock status',
      fields: {
        value_template: '{{ value_json.phase }}',
        json_attributes_template:
          '{{ {"summary": value_json.summary, "attempt": value_json.attempt, "attempts": value_json.attempts, "last_failure": value_json.last_failure} | tojson }}',
        icon: 'mdi:timer-lock-outline',
      },
    },
    {
      component: 'button',
      suffix: 'lock_now',
      name: 'Lock now',
      command: 'lock_now',
      fields: { payload_press: 'PRESS', icon: 'mdi:lock' },
    },
    {
      component: 'button',
      suffix: 'cancel_autolock',
      name: 'Cancel autolock',
      command: 'cancel_autolock',
      fields: { payload_press: 'PRESS', icon: 'mdi:timer-off-outline' },
    },
    {
      component: 'binary_sensor',
      suffix: 'problem',
      name: 'Autolock problem',
      fields: {
        device_class: 'problem',
        payload_on: 'ON',
        payload_off: 'OFF',
        value_template: '{{ value_json.problem }}',
        json_attributes_template: '{{ {"reason": value_json.problem_reason} | tojson }}',
      },
    },
  ];
}

/** The discovery config messages of one lock. */
export function lockDiscoveryMessages(config: BridgeConfig, lock: BridgeLockConfig): DiscoveryMessage[] {
  const { nodeId, discoveryPrefix } = config.homeAssistant;
  const state = stateTopic(config, lock);
  const device = {
    identifiers: [`${nodeId}_${lock.key}`],
    name: lock.name,
    manufacturer: 'relock',
    model: 'relock-mqtt autolock',
  };
  return entities().map((entity) => {
    const objectId = `${lock.key}_${entity.suffix}`;
    const payload: Record<string, unknown> = {
      name: entity.name,
      unique_id: `${nodeId}_${objectId}`,
      state_topic: entity.component === 'button' ? undefined : state,
      json_attributes_topic: entity.fields.json_attributes_template === undefined ? undefined : state,
      command_topic: entity.command === undefined ? undefined : commandTopic(config, lock, entity.command),
      ...entity.fields,
      availability: [
        {
          topic: availabilityTopic(config),
          payload_available: AVAILABILITY.online,
          payload_not_available: AVAILABILITY.offline,
        },
      ],
      device,
      origin: { name: 'relock-mqtt' },
    };
    for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
    return {
      topic: `${discoveryPrefix}/${entity.component}/${nodeId}/${objectId}/config`,
      component: entity.component,
      payload,
    };
  });
}

/** Every lock's discovery config messages (published retained, QoS 0, at each connect). */
export function discoveryMessages(config: BridgeConfig): DiscoveryMessage[] {
  return config.locks.flatMap((lock) => lockDiscoveryMessages(config, lock));
}
