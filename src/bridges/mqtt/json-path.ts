/**
 * The JSON path of the generic mapping: where in a gateway's JSON payload a state value sits.
 *
 * Invariants:
 * - a path is keys separated by dots, with `[n]` (or a plain whole-number segment) indexing an
 *   array: `value`, `state.lock`, `attributes[0].value`; `''` is the whole payload;
 * - parsing is total: a malformed path is refused with `InvalidArgumentError` naming the field;
 * - reading never throws: a path that does not lead to a value reads as `undefined`; only own
 *   properties of plain objects count (never `__proto__`, `constructor` or other inherited ones).
 */
import { InvalidArgumentError } from '../../errors.js';

export type PathSegment = string | number;

const SEGMENT = /^([^.[\]]*)((?:\[\d+\])*)$/;

/** Parses `a.b[0].c` into `['a', 'b', 0, 'c']`; `''` is `[]`. */
export function parseJsonPath(text: unknown, field: string): readonly PathSegment[] {
  if (typeof text !== 'string') throw new InvalidArgumentError(field, text, 'a JSON path such as "state.lock" or ""');
  if (text === '') return [];
  const segments: PathSegment[] = [];
  for (const part of text.split('.')) {
    const match = SEGMENT.exec(part);
    if (match === null || (match[1] === '' && match[2] === '')) {
      throw new InvalidArgumentError(
        field,
        text,
        'keys separated by "." with optional [index]: "state.lock", "values[0]"',
      );
    }
    const key = match[1] as string;
    if (key !== '') segments.push(/^\d+$/.test(key) ? Number(key) : key);
    for (const index of (match[2] as string).matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

/** The value at `path` in `value`, or `undefined` when the path leads nowhere. */
export function readJsonPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
