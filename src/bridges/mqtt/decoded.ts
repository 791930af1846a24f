/**
 * What an incoming state message says, once decoded: a state, nothing about the state (a message
 * about something else, such as a battery level), or a malformed payload and why.
 *
 * Invariants:
 * - decoding never throws: every payload, however broken, becomes one of the three kinds;
 * - a `malformed` reason names what was wrong, never the payload's content (a lock's payload may
 *   carry PIN codes), so it is safe to log.
 */

export type Decoded<S extends string> =
  | { readonly kind: 'state'; readonly state: S }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** The JSON in a payload, or `undefined` when it is not JSON. */
export function parseJsonPayload(payload: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(payload) };
  } catch {
    return undefined;
  }
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
