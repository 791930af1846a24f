/**
 * The bridge's config: YAML and JSON files, defaults, and typed errors that name the field as
 * the file spells it and show the value (never a password).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBridgeConfig, objectKey, parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import { InvalidArgumentError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'relock-mqtt-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const z2mLock = { id: 'front', name: 'Front Door', zigbee2mqtt: { lock: 'zigbee2mqtt/Front Lock' } };

function errorOf(document: unknown): InvalidArgumentError {
  try {
    parseBridgeConfig(document);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('MQTT bridge config', () => {
  it('examples/mqtt.yaml loads: two locks, its store beside the repository data folder', () => {
    const file = new URL('../../../examples/mqtt.yaml', import.meta.url).pathname;
    const config = loadBridgeConfig(file);
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:1883');
    expect(config.store).toBe(`sqlite://${new URL('../../../data/relock-mqtt.sqlite', import.meta.url).pathname}`);
    expect(config.locks.map((lock) => [lock.id, lock.lock.kind, lock.command.topic, lock.command.payload])).toEqual([
      ['front', 'zigbee2mqtt', 'zigbee2mqtt/Front Door Lock/set', '{"state":"LOCK"}'],
      ['garage', 'generic', 'zwave/garage-door/lock/set', '{"value": true}'],
    ]);
    expect(config.locks[0]?.autolock?.doorMode).toBe('never-while-open');
    expect(config.locks[0]?.door).toEqual({ kind: 'zigbee2mqtt', topic: 'zigbee2mqtt/Front Door Contact' });
  });

  it('a JSON file is read too; a relative sqlite path is resolved against the file folder', () => {
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ store: 'sqlite://state/relock.sqlite', locks: [z2mLock] }));
    const config = loadBridgeConfig(file);
    expect(config.store).toBe(`sqlite://${join(dir, 'state/relock.sqlite')}`);
    expect(config.locks[0]?.autolock).toBeUndefined();
  });

  it('defaults: local broker, base topic relock, memory store, discovery on, notifications under the base topic', () => {
    const config = parseBridgeConfig({ locks: [z2mLock] });
    expect(config.mqtt).toMatchObject({
      url: 'mqtt://127.0.0.1:1883',
      baseTopic: 'relock',
      clientId: 'relock-mqtt-relock',
    });
    expect(config.store).toBe('memory');
    expect(config.homeAssistant).toEqual({
      discovery: true,
      discoveryPrefix: 'homeassistant',
      nodeId: 'relock',
      statusTopic: 'homeassistant/status',
    });
    expect(config.notificationsTopic).toBe('relock/notifications');
    expect(config.actionTimeoutSeconds).toBe(30);
    expect(parseBridgeConfig({ notifications: { topic: null }, locks: [z2mLock] }).notificationsTopic).toBeNull();
  });

  it('a misspelt setting is refused by its name alone: its value (a password) is never shown', () => {
    const error = errorOf({ locks: [z2mLock], mqtt: { pasword: 'hunter2' } });
    expect(error.message).toMatch(/mqtt\.pasword/);
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    [{ locks: [] }, 'locks', /a list of at least one lock/],
    [{ locks: [z2mLock], mqtt: { url: 'http://x' } }, 'mqtt.url', /mqtt:\/\/host/],
    [{ locks: [z2mLock], mqtt: { port: 1883 } }, 'mqtt.port', /no such setting/],
    [{ locks: [z2mLock], stroe: 'memory' }, 'config.stroe', /no such setting/],
    [{ locks: [z2mLock], store: 'postgres://x' }, 'store', /sqlite/],
    [{ locks: [{ ...z2mLock, zigbee2mqtt: { lock: 'zigbee2mqtt/#' } }] }, 'locks[0].zigbee2mqtt.lock', /wildcards/],
    [{ locks: [{ id: 'a', zigbee2mqtt: { lock: 'x' }, generic: {} }] }, 'locks[0]', /exactly one of/],
    [{ locks: [{ ...z2mLock, id: 'front door' }] }, 'locks[0].id', /letters, digits/],
    [{ locks: [{ ...z2mLock, autolock: { dayMinutes: -1 } }] }, 'locks[0].autolock.dayMinutes', /minutes/],
    [
      { locks: [{ ...z2mLock, autolock: { doorMode: 'never-while-open' } }] },
      'locks[0].autolock.doorMode',
      /door sensor/,
    ],
    [
      {
        locks: [
          { id: 'g', generic: { lock: { topic: 't', values: { locked: 1 } } }, command: { topic: 'c', payload: 1 } },
        ],
      },
      'locks[0].generic.lock.values.unlocked',
      /the payload value/,
    ],
    [
      { locks: [{ id: 'g', generic: { lock: { topic: 't', values: { locked: 1, unlocked: 1 } } } }] },
      'locks[0].generic.lock.values.unlocked',
      /not already meaning locked/,
    ],
    [
      { locks: [{ id: 'g', generic: { lock: { topic: 't', path: 'a..b', values: { locked: 1, unlocked: 0 } } } }] },
      'locks[0].generic.lock.path',
      /keys separated by/,
    ],
    [
      { locks: [{ id: 'g', generic: { lock: { topic: 't', values: { locked: 1, unlocked: 0 } } } }] },
      'locks[0].command.topic',
      /the topic a lock command/,
    ],
    [
      {
        locks: [
          { id: 'g', generic: { lock: { topic: 't', values: { locked: 1, unlocked: 0 } } }, command: { topic: 'c' } },
        ],
      },
      'locks[0].command.payload',
      /the payload that locks/,
    ],
    [{ locks: [z2mLock], daylight: { latitude: 95, longitude: 0 } }, 'daylight.latitude', /-90 to 90/],
    [{ locks: [z2mLock], homeAssistant: { nodeId: 'my node' } }, 'homeAssistant.nodeId', /letters, digits/],
    [{ locks: [z2mLock, z2mLock] }, 'locks[1].id', /distinct from "front"/],
  ])('refuses %j naming %s', (document, field, expected) => {
    const error = errorOf(document);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(expected);
    expect(error.message.startsWith(`Invalid ${field}: `)).toBe(true);
  });

  it('never shows the broker password: not a wrong-typed one, not one in a refused URL', () => {
    expect(errorOf({ locks: [z2mLock], mqtt: { password: 12345678 } }).message).not.toContain('12345678');
    const error = errorOf({ locks: [z2mLock], mqtt: { url: 'http://user:s3cret@host' } });
    expect(error.message).not.toContain('s3cret');
    expect(parseBridgeConfig({ locks: [z2mLock], mqtt: { password: 's3cret' } }).mqtt.password).toBe('s3cret');
  });

  it('a missing or unparsable file is an InvalidArgumentError on --config saying why', () => {
    expect(() => loadBridgeConfig(join(dir, 'nope.yaml'))).toThrow(/Invalid --config: .*nope\.yaml.*ENOENT/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'locks: [unclosed\n');
    expect(() => loadBridgeConfig(bad)).toThrow(/Invalid --config: .*valid YAML or JSON/);
  });

  it('object keys: "." and ":" become "_" so a lock id is one topic level and a Home Assistant object id', () => {
    expect(objectKey('front')).toBe('front');
    expect(objectKey('garage.side:2')).toBe('garage_side_2');
  });
});
