/**
 * zigbee2mqtt's lock and contact-sensor payloads, read as relock's lock and door states.
 *
 * A lock publishes `zigbee2mqtt/<name>` with `{"state":"LOCK"|"UNLOCK","lock_state":"locked"|
 * "unlocked"|"not_fully_locked", ...}` (battery, linkquality and other fields beside); a contact
 * sensor publishes `{"contact": true|false, ...}`.
 *
 * Invariants:
 * - `lock_state` (the bolt as the lock reports it) wins over `state` (the lock's commanded state):
 *   `{"state":"LOCK","lock_state":"unlocked"}` is unlocked;
 * - `not_fully_locked` is `jammed`: the bolt is neither thrown nor retracted, so the door is not
 *   locked, and sending the same command again could strain the motor. relock then holds the
 *   autolock, sends nothing, and notifies the lock's `jammed` notice; a later `locked` or
 *   `unlocked` report clears it;
 * - `contact: true` is a closed door, `false` an open one (zigbee2mqtt's meaning);
 * - a message without `lock_state`, `state` or `contact` says nothing (`none`): zigbee2mqtt
 *   publishes battery and link updates on the same topic; a value of the wrong type or an
 *   unknown word is `malformed`, as is a payload that is not a JSON object.
 */
import type { DoorState, LockState } from '../../model/lock-runtime.js';
import { type Decoded, describeType, parseJsonPayload } from './decoded.js';

const LOCK_STATES: Record<string, LockState> = {
  locked: 'locked',
  unlocked: 'unlocked',
  not_fully_locked: 'jammed',
};
const STATES: Record<string, LockState> = { LOCK: 'locked', UNLOCK: 'unlocked' };

function objectOf(payload: string): { value: Record<string, unknown> } | { reason: string } {
  const parsed = parseJsonPayload(payload);
  if (parsed === undefined) return { reason: 'not JSON' };
  const { value } = parsed;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { reason: `expected a JSON object, got ${describeType(value)}` };
  }
  return { value: value as Record<string, unknown> };
}

function word(map: Record<string, LockState>, value: unknown, field: string): Decoded<LockState> {
  if (typeof value === 'string' && Object.hasOwn(map, value)) return { kind: 'state', state: map[value] as LockState };
  const shown = typeof value === 'string' ? `an unknown word (${value.length} characters)` : describeType(value);
  return { kind: 'malformed', reason: `${field} is ${shown}, expected one of ${Object.keys(map).join(', ')}` };
}

/** A zigbee2mqtt lock's payload as a lock state. */
export function decodeZigbeeLock(payload: string): Decoded<LockState> {
  const parsed = objectOf(payload);
  if ('reason' in parsed) return { kind: 'malformed', reason: parsed.reason };
  const { value } = parsed;
  if (value.lock_state !== undefined && value.lock_state !== null)
    return word(LOCK_STATES, value.lock_state, 'lock_state');
  if (value.state !== undefined && value.state !== null) return word(STATES, value.state, 'state');
  return { kind: 'none' };
}

/** A zigbee2mqtt contact sensor's payload as a door state. */
export function decodeZigbeeContact(payload: string): Decoded<DoorState> {
  const parsed = objectOf(payload);
  if ('reason' in parsed) return { kind: 'malformed', reason: parsed.reason };
  const contact = parsed.value.contact;
  if (contact === undefined || contact === null) return { kind: 'none' };
  if (typeof contact !== 'boolean') {
    return { kind: 'malformed', reason: `contact is ${describeType(contact)}, expected true or false` };
  }
  return { kind: 'state', state: contact ? 'closed' : 'open' };
}
