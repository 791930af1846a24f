/**
 * zigbee2mqtt payloads read as lock and door states; the generic mapping; JSON paths.
 */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import { decodeGeneric } from '../../../src/bridges/mqtt/generic-mapping.js';
import { parseJsonPath, readJsonPath } from '../../../src/bridges/mqtt/json-path.js';
import { decodeZigbeeContact, decodeZigbeeLock } from '../../../src/bridges/mqtt/zigbee2mqtt.js';

describe('zigbee2mqtt lock payloads', () => {
  it.each([
    ['{"state":"LOCK","lock_state":"locked"}', 'locked'],
    ['{"state":"UNLOCK","lock_state":"unlocked","battery":80}', 'unlocked'],
    ['{"state":"LOCK"}', 'locked'],
    ['{"state":"UNLOCK"}', 'unlocked'],
    // the bolt as reported wins over the commanded state
    ['{"state":"LOCK","lock_state":"unlocked"}', 'unlocked'],
    // not fully locked: the door is not locked, and another command could strain the motor
    ['{"state":"LOCK","lock_state":"not_fully_locked"}', 'jammed'],
  ])('%s is %s', (payload, state) => {
    expect(decodeZigbeeLock(payload)).toEqual({ kind: 'state', state });
  });

  it('a message about something else (battery, link quality) says nothing', () => {
    expect(decodeZigbeeLock('{"battery":50,"linkquality":120}')).toEqual({ kind: 'none' });
    expect(decodeZigbeeLock('{"state":null,"lock_state":null}')).toEqual({ kind: 'none' });
  });

  it.each([
    ['not json', 'not JSON'],
    ['"LOCK"', 'expected a JSON object, got a string'],
    ['[]', 'expected a JSON object, got an array'],
    ['null', 'expected a JSON object, got null'],
    [
      '{"lock_state":"sideways"}',
      'lock_state is an unknown word (8 characters), expected one of locked, unlocked, not_fully_locked',
    ],
    ['{"state":1}', 'state is a number, expected one of LOCK, UNLOCK'],
    ['{"state":"toString"}', 'state is an unknown word (8 characters), expected one of LOCK, UNLOCK'],
  ])('%s is malformed: %s', (payload, reason) => {
    expect(decodeZigbeeLock(payload)).toEqual({ kind: 'malformed', reason });
  });

  it('a reason never shows the payload (a lock may publish PIN codes)', () => {
    const decoded = decodeZigbeeLock('{"lock_state":"482913"}');
    expect(JSON.stringify(decoded)).not.toContain('482913');
  });
});

describe('zigbee2mqtt contact payloads', () => {
  it('contact true is closed, false is open; no contact says nothing; anything else is malformed', () => {
    expect(decodeZigbeeContact('{"contact":true,"battery":90}')).toEqual({ kind: 'state', state: 'closed' });
    expect(decodeZigbeeContact('{"contact":false}')).toEqual({ kind: 'state', state: 'open' });
    expect(decodeZigbeeContact('{"battery":90}')).toEqual({ kind: 'none' });
    expect(decodeZigbeeContact('{"contact":"open"}')).toEqual({
      kind: 'malformed',
      reason: 'contact is a string, expected true or false',
    });
    expect(decodeZigbeeContact('1')).toEqual({ kind: 'malformed', reason: 'expected a JSON object, got a number' });
  });
});

describe('generic mapping', () => {
  const config = parseBridgeConfig({
    locks: [
      {
        id: 'zwave',
        generic: {
          lock: {
            topic: 'zwave/lock',
            path: 'payload.values[1]',
            values: { locked: [true, 'secured'], unlocked: [false, 'unsecured'], jammed: 'jammed' },
          },
          door: { topic: 'zwave/door', values: { open: 'OPEN', closed: 'CLOSED' } },
        },
        command: { topic: 'zwave/lock/set', payload: 'true' },
      },
    ],
  });
  const lock = config.locks[0]?.lock;
  const door = config.locks[0]?.door;
  if (lock?.kind !== 'generic' || door?.kind !== 'generic') throw new Error('generic sources expected');

  it('reads the value at the JSON path and maps it by the configured values (===)', () => {
    expect(decodeGeneric(lock, '{"payload":{"values":[0,true]}}')).toEqual({ kind: 'state', state: 'locked' });
    expect(decodeGeneric(lock, '{"payload":{"values":[0,"unsecured"]}}')).toEqual({ kind: 'state', state: 'unlocked' });
    expect(decodeGeneric(lock, '{"payload":{"values":[0,"jammed"]}}')).toEqual({ kind: 'state', state: 'jammed' });
    expect(decodeGeneric(lock, '{"payload":{"values":[0,"true"]}}')).toMatchObject({ kind: 'malformed' });
  });

  it('a bare payload that is not JSON is the value itself when the path is empty', () => {
    expect(decodeGeneric(door, 'OPEN')).toEqual({ kind: 'state', state: 'open' });
    expect(decodeGeneric(door, '"CLOSED"')).toEqual({ kind: 'state', state: 'closed' });
    expect(decodeGeneric(door, 'AJAR')).toMatchObject({
      kind: 'malformed',
      reason: expect.stringContaining('no configured state'),
    });
  });

  it('no value at the path, an object there, or not JSON with a path: malformed', () => {
    expect(decodeGeneric(lock, '{"payload":{}}')).toEqual({
      kind: 'malformed',
      reason: 'no value at path "payload.values[1]"',
    });
    expect(decodeGeneric(lock, '{"payload":{"values":[0,{"a":1}]}}')).toMatchObject({ kind: 'malformed' });
    expect(decodeGeneric(lock, 'LOCKED')).toMatchObject({
      kind: 'malformed',
      reason: expect.stringContaining('not JSON'),
    });
  });
});

describe('JSON paths', () => {
  it('parses keys, dots and indexes; reads own properties only', () => {
    expect(parseJsonPath('', 'p')).toEqual([]);
    expect(parseJsonPath('a.b[0][2].c', 'p')).toEqual(['a', 'b', 0, 2, 'c']);
    expect(parseJsonPath('values.1', 'p')).toEqual(['values', 1]);
    expect(readJsonPath({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(readJsonPath({ a: [] }, ['a', 0])).toBeUndefined();
    expect(readJsonPath({}, ['constructor'])).toBeUndefined();
    expect(readJsonPath('text', ['length'])).toBeUndefined();
    expect(() => parseJsonPath('a.', 'p')).toThrow(/Invalid p/);
    expect(() => parseJsonPath(3, 'p')).toThrow(/Invalid p: 3/);
  });
});
