/**
 * Finds a lock's PINs in what reaches a driver or comes back from it, without revealing them.
 *
 * Invariants:
 * - a PIN is only ever compared through `Pin.equals`: nothing here calls `reveal()`, so the digits
 *   never leave their `Pin` (a candidate run of digits is made into a `Pin` and compared);
 * - `redactPins` replaces every run of digits that contains a known PIN with `[PIN]`, so a report
 *   detail built from a driver's error message cannot carry one;
 * - walks are bounded (depth, visited set, text length) and never throw, whatever the value
 *   (throwing getters, proxies, cycles).
 */
import { Pin } from '../model/pin.js';
import { Sealed } from '../persistence/sealed.js';

const MAX_DEPTH = 5;
const MAX_TEXT = 100_000;
const PIN_DIGITS = /^\d{4,10}$/;
const DIGIT_RUN = /\d{4,}/g;

/** The PINs found in `sources`, plus the `explicit` ones; entries that are no PIN are counted. */
export function collectPins(
  sources: readonly unknown[],
  explicit: readonly (string | Pin)[],
): { readonly pins: readonly Pin[]; readonly ignored: number } {
  const pins: Pin[] = [];
  let ignored = 0;
  const add = (pin: Pin): void => {
    if (!pins.some((known) => known.equals(pin))) pins.push(pin);
  };
  for (const entry of explicit) {
    if (entry instanceof Pin) add(entry);
    else if (typeof entry === 'string' && PIN_DIGITS.test(entry)) add(Pin.from(entry));
    else ignored++;
  }
  const seen = new Set<object>();
  const walk = (value: unknown, key: string, depth: number): void => {
    if (value instanceof Pin) {
      add(value);
      return;
    }
    if (key === 'pin' && typeof value === 'string' && PIN_DIGITS.test(value)) {
      add(Pin.from(value));
      return;
    }
    if (typeof value !== 'object' || value === null || value instanceof Sealed) return;
    if (depth >= MAX_DEPTH || seen.has(value)) return;
    seen.add(value);
    for (const [name, child] of entriesOf(value)) walk(child, name, depth + 1);
  };
  for (const source of sources) walk(source, '', 0);
  return { pins, ignored };
}

/** Whether `text` holds one of `pins` (inside a longer run of digits too). */
export function containsPin(text: string, pins: readonly Pin[]): boolean {
  if (pins.length === 0) return false;
  for (const run of text.slice(0, MAX_TEXT).match(DIGIT_RUN) ?? []) {
    if (runHoldsPin(run, pins)) return true;
  }
  return false;
}

/** `text` with every run of digits that holds one of `pins` replaced by `[PIN]`. */
export function redactPins(text: string, pins: readonly Pin[]): string {
  if (pins.length === 0) return text;
  return text.replace(DIGIT_RUN, (run) => (runHoldsPin(run, pins) ? '[PIN]' : run));
}

/**
 * What in `value` carries a PIN: `undefined` when nothing does, else a description that shows no
 * digits (`a Pin object`, `a sealed value`, `PIN digits`). Errors are searched through their
 * name, message, cause and own fields; strings and numbers are searched for the digits.
 */
export function pinCarriedBy(value: unknown, pins: readonly Pin[]): string | undefined {
  const seen = new Set<object>();
  const walk = (current: unknown, depth: number): string | undefined => {
    if (current instanceof Pin) return 'a Pin object';
    if (current instanceof Sealed) return 'a sealed value';
    if (typeof current === 'string') return containsPin(current, pins) ? 'PIN digits' : undefined;
    if (typeof current === 'number' || typeof current === 'bigint') {
      return containsPin(String(current), pins) ? 'PIN digits' : undefined;
    }
    if (typeof current !== 'object' || current === null) return undefined;
    if (depth >= MAX_DEPTH || seen.has(current)) return undefined;
    seen.add(current);
    const children: unknown[] = entriesOf(current).map(([, child]) => child);
    if (current instanceof Error)
      children.push(read(current, 'name'), read(current, 'message'), read(current, 'cause'));
    for (const child of children) {
      const found = walk(child, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(value, 0);
}

function runHoldsPin(run: string, pins: readonly Pin[]): boolean {
  for (let start = 0; start + 4 <= run.length; start++) {
    for (let length = 4; length <= 10 && start + length <= run.length; length++) {
      const candidate = Pin.from(run.slice(start, start + length));
      if (pins.some((pin) => pin.equals(candidate))) return true;
    }
  }
  return false;
}

function entriesOf(value: object): Array<[string, unknown]> {
  try {
    return Object.keys(value).map((key) => [key, read(value, key)]);
  } catch {
    return [];
  }
}

function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
