/**
 * The generic mapping, for gateways other than zigbee2mqtt (Z-Wave JS UI, Tasmota, ESPHome...):
 * a topic, a JSON path into its payload, and the values that mean each state.
 *
 * Invariants:
 * - a payload that is not JSON is taken as a string when the path is `''` (gateways that publish
 *   `LOCKED` or `true` bare), and is `malformed` otherwise;
 * - the value found is compared with `===` to the configured values (`true` is not `"true"`);
 *   each value means at most one state (the config refuses duplicates);
 * - a path that leads nowhere, a value that is an object or array, or a value mapped to no state
 *   is `malformed`; decoding never throws and a reason never shows the value.
 */

import type { GenericSource } from './config.js';
import { type Decoded, describeType, parseJsonPayload } from './decoded.js';
import { readJsonPath } from './json-path.js';

export function decodeGeneric<S extends string>(source: GenericSource<S>, payload: string): Decoded<S> {
  const parsed = parseJsonPayload(payload);
  let document: unknown;
  if (parsed !== undefined) document = parsed.value;
  else if (source.segments.length === 0) document = payload;
  else return { kind: 'malformed', reason: `not JSON (path ${JSON.stringify(source.path)} needs a JSON payload)` };
  const value = readJsonPath(document, source.segments);
  if (value === undefined) return { kind: 'malformed', reason: `no value at path ${JSON.stringify(source.path)}` };
  if (typeof value === 'object' && value !== null) {
    return { kind: 'malformed', reason: `the value at path ${JSON.stringify(source.path)} is ${describeType(value)}` };
  }
  for (const [state, values] of Object.entries(source.values) as [S, readonly unknown[]][]) {
    if (values.includes(value)) return { kind: 'state', state };
  }
  return {
    kind: 'malformed',
    reason: `the value at path ${JSON.stringify(source.path)} (${describeType(value)}) means no configured state`,
  };
}
