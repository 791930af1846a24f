/**
 * `relock/mqtt`: the MQTT bridge's public API. `startMqttBridge({ config })` runs relock with
 * MQTT locks, door sensors and Home Assistant discovery; `loadBridgeConfig(file)` reads a YAML or
 * JSON config; the bin `relock-mqtt` does both (README, "Home Assistant over MQTT").
 */
export { type MqttBridge, type MqttBridgeOptions, startMqttBridge } from './bridge.js';
export {
  type BridgeConfig,
  type BridgeLockConfig,
  type DoorSource,
  type GenericSource,
  type HomeAssistantConfig,
  type JsonScalar,
  type LockCommand,
  type LockSource,
  loadBridgeConfig,
  type MqttConnectionConfig,
  type ParseOptions,
  parseBridgeConfig,
} from './config.js';
export type { Decoded } from './decoded.js';
export { type Component, type DiscoveryMessage, discoveryMessages } from './discovery.js';
export { decodeGeneric } from './generic-mapping.js';
export { type LockStatePayload, lockStatePayload, type ProblemReason } from './state.js';
export { COMMANDS, type Command } from './topics.js';
export { decodeZigbeeContact, decodeZigbeeLock } from './zigbee2mqtt.js';
