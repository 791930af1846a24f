/**
 * The MQTT bridge's configuration: a YAML or JSON file (YAML is a superset of JSON, so one parser,
 * the `yaml` package, reads both), validated into a `BridgeConfig`.
 *
 * Invariants:
 * - every invalid value raises `InvalidArgumentError` naming the field as the file spells it
 *   (`locks[1].zigbee2mqtt.lock`, `mqtt.url`) and showing the value; a password is never shown
 *   (`mqtt.password` and a URL's user info are redacted);
 * - unknown keys are refused (a typo never passes silently as a default);
 * - every topic is a concrete MQTT topic: not empty, no wildcard (`+`, `#`), no NUL;
 * - lock ids follow relock's rule, are unique, and stay unique once made into Home Assistant
 *   object ids (`.` and `:` become `_`): two locks never share a discovery topic or unique_id;
 * - a relative `sqlite://` path is resolved against the config file's folder (`loadBridgeConfig`)
 *   or the `baseDir` given to `parseBridgeConfig`, so the store does not move with the working
 *   directory;
 * - no PIN is accepted: the bridge config has no code slots.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InvalidArgumentError } from '../../errors.js';
import {
  type AutolockSettings,
  checkDoorMode,
  parseAutolockSettings,
  validateLockId,
} from '../../model/lock-config.js';
import { redactStoreUrl } from '../../persistence/store-url.js';
import { type PathSegment, parseJsonPath } from './json-path.js';

export type JsonScalar = string | number | boolean | null;

/** A generic gateway's state: a topic, where the value is in its payload, and what each value means. */
export interface GenericSource<S extends string> {
  readonly topic: string;
  /** The path as written (`''`: the whole payload). */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** For each state, the payload values that mean it (compared with `===`). */
  readonly values: Readonly<Partial<Record<S, readonly JsonScalar[]>>>;
}

export type GenericLockState = 'locked' | 'unlocked' | 'jammed';
export type GenericDoorState = 'open' | 'closed';

export type LockSource =
  | { readonly kind: 'zigbee2mqtt'; readonly topic: string }
  | ({ readonly kind: 'generic' } & GenericSource<GenericLockState>);

export type DoorSource =
  | { readonly kind: 'zigbee2mqtt'; readonly topic: string }
  | ({ readonly kind: 'generic' } & GenericSource<GenericDoorState>);

export interface LockCommand {
  readonly topic: string;
  /** Sent as it is. */
  readonly payload: string;
}

export interface BridgeLockConfig {
  readonly id: string;
  readonly name: string;
  /** The lock's id as a Home Assistant object id and topic level (`.`, `:` made `_`). */
  readonly key: string;
  readonly lock: LockSource;
  readonly door: DoorSource | undefined;
  readonly command: LockCommand;
  /** The file's autolock block (relock's defaults filled in), or undefined: relock keeps what it has. */
  readonly autolock: AutolockSettings | undefined;
  readonly reportsLockState: boolean;
}

export interface MqttConnectionConfig {
  readonly url: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly clientId: string;
  /** The bridge's own topics: `<baseTopic>/status`, `<baseTopic>/<lock key>/…`. */
  readonly baseTopic: string;
  /** Reconnect backoff: the first wait, doubled after each failed attempt up to the most. */
  readonly reconnectMinSeconds: number;
  readonly reconnectMaxSeconds: number;
}

export interface HomeAssistantConfig {
  readonly discovery: boolean;
  readonly discoveryPrefix: string;
  /** The `<node>` level of every discovery topic, and the prefix of every unique_id. */
  readonly nodeId: string;
  /** Home Assistant's birth topic: `online` there makes the bridge announce itself again. */
  readonly statusTopic: string;
}

export interface BridgeConfig {
  readonly mqtt: MqttConnectionConfig;
  /** `'memory'`, `'sqlite://<absolute path>'` or a `redis://` URL, as `createRelock` takes it. */
  readonly store: string;
  readonly actionTimeoutSeconds: number;
  /** How often a running countdown's remaining seconds are published. */
  readonly remainingIntervalSeconds: number;
  readonly daylight: { readonly latitude: number; readonly longitude: number } | undefined;
  readonly homeAssistant: HomeAssistantConfig;
  /** Where notifications go (`null`: nowhere). */
  readonly notificationsTopic: string | null;
  readonly locks: readonly BridgeLockConfig[];
}

export interface ParseOptions {
  /** The folder a relative `sqlite://` path is resolved against. Default: the working directory. */
  readonly baseDir?: string;
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, field: string): Raw {
  if (!isRecord(value)) throw new InvalidArgumentError(field, value, 'a mapping (key: value)');
  return value;
}

function refuseUnknown(value: Raw, keys: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      // the value is not shown: a misspelt `password` must not print the password
      throw new InvalidArgumentError(`${field}.${key}`, '(not shown)', `no such setting (known: ${keys.join(', ')})`);
    }
  }
}

function text(value: unknown, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidArgumentError(field, value, 'a non-empty string');
  return value;
}

function topic(value: unknown, field: string, fallback?: string): string {
  const result = text(value, field, fallback);
  if (/[+#\0]/.test(result) || Buffer.byteLength(result) > 65_535) {
    throw new InvalidArgumentError(field, result, 'an MQTT topic without wildcards (+, #)');
  }
  return result;
}

function number(value: unknown, field: string, fallback: number, min: number, max: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(field, value, `a number from ${min} to ${max}`);
  }
  if (integer && !Number.isInteger(value))
    throw new InvalidArgumentError(field, value, `a whole number from ${min} to ${max}`);
  return value;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, value, 'true or false');
  return value;
}

/** The value of a lock id as a Home Assistant object id and a topic level. */
export function objectKey(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

const MQTT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'];

function parseMqtt(value: unknown): MqttConnectionConfig {
  const raw = value === undefined ? {} : record(value, 'mqtt');
  refuseUnknown(
    raw,
    ['url', 'username', 'password', 'clientId', 'baseTopic', 'reconnectMinSeconds', 'reconnectMaxSeconds'],
    'mqtt',
  );
  const url = text(raw.url, 'mqtt.url', 'mqtt://127.0.0.1:1883');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !MQTT_PROTOCOLS.includes(parsed.protocol) || parsed.hostname === '') {
    throw new InvalidArgumentError('mqtt.url', redactStoreUrl(url), 'mqtt://host[:port] (or mqtts://, ws://, wss://)');
  }
  if (raw.password !== undefined && typeof raw.password !== 'string') {
    throw new InvalidArgumentError('mqtt.password', '[redacted]', 'a string');
  }
  const username = raw.username === undefined ? undefined : text(raw.username, 'mqtt.username');
  const baseTopic = topic(raw.baseTopic, 'mqtt.baseTopic', 'relock');
  const min = number(raw.reconnectMinSeconds, 'mqtt.reconnectMinSeconds', 1, 0.1, 3600, false);
  const max = number(raw.reconnectMaxSeconds, 'mqtt.reconnectMaxSeconds', 30, min, 3600, false);
  return {
    url,
    username,
    password: raw.password,
    clientId: text(raw.clientId, 'mqtt.clientId', `relock-mqtt-${objectKey(baseTopic)}`),
    baseTopic: baseTopic.replace(/\/+$/, ''),
    reconnectMinSeconds: min,
    reconnectMaxSeconds: max,
  };
}

function parseStore(value: unknown, baseDir: string): string {
  const store = text(value, 'store', 'memory');
  if (store === 'memory' || /^redis:\/\//i.test(store)) return store;
  const match = /^sqlite:\/\/(.+)$/i.exec(store);
  if (match === null) {
    throw new InvalidArgumentError(
      'store',
      redactStoreUrl(store),
      "'memory', 'sqlite://<file>' or 'redis://host[:port]'",
    );
  }
  const path = match[1] as string;
  return `sqlite://${isAbsolute(path) ? path : resolve(baseDir, path)}`;
}

function parseHomeAssistant(value: unknown, baseTopic: string): HomeAssistantConfig {
  const raw = value === undefined ? {} : record(value, 'homeAssistant');
  refuseUnknown(raw, ['discovery', 'discoveryPrefix', 'nodeId', 'statusTopic'], 'homeAssistant');
  const nodeId = text(raw.nodeId, 'homeAssistant.nodeId', objectKey(baseTopic));
  if (!/^[A-Za-z0-9_-]+$/.test(nodeId)) {
    throw new InvalidArgumentError('homeAssistant.nodeId', nodeId, 'letters, digits, "_" or "-"');
  }
  const discoveryPrefix = topic(raw.discoveryPrefix, 'homeAssistant.discoveryPrefix', 'homeassistant');
  return {
    discovery: bool(raw.discovery, 'homeAssistant.discovery', true),
    discoveryPrefix,
    nodeId,
    statusTopic: topic(raw.statusTopic, 'homeAssistant.statusTopic', `${discoveryPrefix}/status`),
  };
}

function scalars(value: unknown, field: string): readonly JsonScalar[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new InvalidArgumentError(field, value, 'a value or a list of values');
  for (const item of list) {
    if (item !== null && !['string', 'number', 'boolean'].includes(typeof item)) {
      throw new InvalidArgumentError(field, value, 'strings, numbers, true, false or null');
    }
  }
  return list as JsonScalar[];
}

function parseGeneric<S extends string>(
  value: unknown,
  field: string,
  states: readonly S[],
  required: readonly S[],
): GenericSource<S> {
  const raw = record(value, field);
  refuseUnknown(raw, ['topic', 'path', 'values'], field);
  const values = record(raw.values, `${field}.values`);
  refuseUnknown(values, states, `${field}.values`);
  const parsed: Partial<Record<S, readonly JsonScalar[]>> = {};
  const seen = new Map<JsonScalar, S>();
  for (const state of states) {
    if (values[state] === undefined) {
      if (required.includes(state)) {
        throw new InvalidArgumentError(`${field}.values.${state}`, undefined, 'the payload value(s) that mean it');
      }
      continue;
    }
    const list = scalars(values[state], `${field}.values.${state}`);
    for (const item of list) {
      const other = seen.get(item);
      if (other !== undefined) {
        throw new InvalidArgumentError(`${field}.values.${state}`, item, `a value not already meaning ${other}`);
      }
      seen.set(item, state);
    }
    parsed[state] = list;
  }
  const path = raw.path === undefined ? '' : raw.path;
  return {
    topic: topic(raw.topic, `${field}.topic`),
    path: path as string,
    segments: parseJsonPath(path, `${field}.path`),
    values: parsed,
  };
}

const LOCK_KEYS = ['id', 'name', 'zigbee2mqtt', 'generic', 'command', 'autolock', 'reportsLockState'];

function parseLock(value: unknown, field: string): BridgeLockConfig {
  const raw = record(value, field);
  refuseUnknown(raw, LOCK_KEYS, field);
  const id = validateLockId(raw.id, `${field}.id`);
  const name = text(raw.name, `${field}.name`, id);
  if ((raw.zigbee2mqtt === undefined) === (raw.generic === undefined)) {
    throw new InvalidArgumentError(
      field,
      { id },
      'exactly one of zigbee2mqtt: or generic: (where its state comes from)',
    );
  }
  let lock: LockSource;
  let door: DoorSource | undefined;
  if (raw.zigbee2mqtt !== undefined) {
    const z2m = record(raw.zigbee2mqtt, `${field}.zigbee2mqtt`);
    refuseUnknown(z2m, ['lock', 'contact'], `${field}.zigbee2mqtt`);
    lock = { kind: 'zigbee2mqtt', topic: topic(z2m.lock, `${field}.zigbee2mqtt.lock`) };
    door =
      z2m.contact === undefined
        ? undefined
        : { kind: 'zigbee2mqtt', topic: topic(z2m.contact, `${field}.zigbee2mqtt.contact`) };
  } else {
    const generic = record(raw.generic, `${field}.generic`);
    refuseUnknown(generic, ['lock', 'door'], `${field}.generic`);
    const states: GenericLockState[] = ['locked', 'unlocked', 'jammed'];
    lock = { kind: 'generic', ...parseGeneric(generic.lock, `${field}.generic.lock`, states, ['locked', 'unlocked']) };
    door =
      generic.door === undefined
        ? undefined
        : {
            kind: 'generic',
            ...parseGeneric(generic.door, `${field}.generic.door`, ['open', 'closed'], ['open', 'closed']),
          };
  }
  const command = parseCommand(raw.command, `${field}.command`, lock);
  const autolock = raw.autolock === undefined ? undefined : parseAutolockSettings(raw.autolock, `${field}.autolock`);
  if (autolock !== undefined) checkDoorMode(autolock, door !== undefined, `${field}.autolock`);
  return {
    id,
    name,
    key: objectKey(id),
    lock,
    door,
    command,
    autolock,
    reportsLockState: bool(raw.reportsLockState, `${field}.reportsLockState`, true),
  };
}

const ZIGBEE_LOCK_PAYLOAD = JSON.stringify({ state: 'LOCK' });

function parseCommand(value: unknown, field: string, lock: LockSource): LockCommand {
  const raw = value === undefined ? {} : record(value, field);
  refuseUnknown(raw, ['topic', 'payload'], field);
  const fallbackTopic = lock.kind === 'zigbee2mqtt' ? `${lock.topic}/set` : undefined;
  if (raw.topic === undefined && fallbackTopic === undefined) {
    throw new InvalidArgumentError(`${field}.topic`, undefined, 'the topic a lock command is published to');
  }
  const payload = raw.payload;
  let body: string;
  if (payload === undefined) {
    if (lock.kind !== 'zigbee2mqtt') {
      throw new InvalidArgumentError(`${field}.payload`, undefined, 'the payload that locks the lock');
    }
    body = ZIGBEE_LOCK_PAYLOAD;
  } else if (typeof payload === 'string') {
    body = payload;
  } else if (payload !== null && ['number', 'boolean', 'object'].includes(typeof payload)) {
    body = JSON.stringify(payload);
  } else {
    throw new InvalidArgumentError(`${field}.payload`, payload, 'a string, or a value sent as JSON');
  }
  return { topic: topic(raw.topic, `${field}.topic`, fallbackTopic), payload: body };
}

function parseDaylight(value: unknown): BridgeConfig['daylight'] {
  if (value === undefined) return undefined;
  const raw = record(value, 'daylight');
  refuseUnknown(raw, ['latitude', 'longitude'], 'daylight');
  if (raw.latitude === undefined)
    throw new InvalidArgumentError('daylight.latitude', undefined, 'a number from -90 to 90');
  if (raw.longitude === undefined) {
    throw new InvalidArgumentError('daylight.longitude', undefined, 'a number from -180 to 180');
  }
  return {
    latitude: number(raw.latitude, 'daylight.latitude', 0, -90, 90, false),
    longitude: number(raw.longitude, 'daylight.longitude', 0, -180, 180, false),
  };
}

const TOP_KEYS = [
  'mqtt',
  'store',
  'actionTimeoutSeconds',
  'remainingIntervalSeconds',
  'daylight',
  'homeAssistant',
  'notifications',
  'locks',
];

/** Validates a parsed config document (the YAML or JSON file's content). */
export function parseBridgeConfig(value: unknown, options: ParseOptions = {}): BridgeConfig {
  const raw = record(value, 'config');
  refuseUnknown(raw, TOP_KEYS, 'config');
  const mqtt = parseMqtt(raw.mqtt);
  const notifications = raw.notifications === undefined ? {} : record(raw.notifications, 'notifications');
  refuseUnknown(notifications, ['topic'], 'notifications');
  const notificationsTopic =
    notifications.topic === null
      ? null
      : topic(notifications.topic, 'notifications.topic', `${mqtt.baseTopic}/notifications`);
  if (!Array.isArray(raw.locks) || raw.locks.length === 0) {
    throw new InvalidArgumentError('locks', raw.locks, 'a list of at least one lock');
  }
  const locks = raw.locks.map((lock, i) => parseLock(lock, `locks[${i}]`));
  const byKey = new Map<string, string>();
  locks.forEach((lock, i) => {
    const other = byKey.get(lock.key);
    if (other !== undefined) {
      throw new InvalidArgumentError(
        `locks[${i}].id`,
        lock.id,
        `an id distinct from ${JSON.stringify(other)} (ids must differ once "." and ":" become "_")`,
      );
    }
    byKey.set(lock.key, lock.id);
  });
  return {
    mqtt,
    store: parseStore(raw.store, options.baseDir ?? process.cwd()),
    actionTimeoutSeconds: number(raw.actionTimeoutSeconds, 'actionTimeoutSeconds', 30, 1, 600, false),
    remainingIntervalSeconds: number(raw.remainingIntervalSeconds, 'remainingIntervalSeconds', 10, 1, 3600, false),
    daylight: parseDaylight(raw.daylight),
    homeAssistant: parseHomeAssistant(raw.homeAssistant, mqtt.baseTopic),
    notificationsTopic,
    locks,
  };
}

/** Reads and validates a YAML or JSON config file; relative `sqlite://` paths are resolved against its folder. */
export function loadBridgeConfig(file: string): BridgeConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InvalidArgumentError('--config', file, `a readable YAML or JSON file (${reason})`);
  }
  let document: unknown;
  try {
    document = parseYaml(source);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new InvalidArgumentError('--config', file, `valid YAML or JSON (${message})`);
  }
  return parseBridgeConfig(document, { baseDir: dirname(resolve(file)) });
}
