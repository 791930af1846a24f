/**
 * Shared bench for the autolock-policy tests: whole systems on a simulated clock that are stopped
 * after each test, a restart on the same store and clock, a lock config with the policy under test,
 * the lock's notification ids, and a driver step the test finishes by hand.
 */
import { afterEach } from 'vitest';
import type { RelockEvent } from '../../src/events.js';
import type { LockConfigInput } from '../../src/model/lock-config.js';
import { type RelockHarness, type RelockHarnessOptions, relockHarness } from './relock-harness.js';

/** Call once at the top of a test file: its systems are stopped after each test. */
export function policyBench() {
  const systems: RelockHarness[] = [];
  afterEach(async () => {
    for (const h of systems.splice(0)) await h.relock.stop().catch(() => {});
  });
  const bench = async (options?: RelockHarnessOptions) => {
    const h = await relockHarness(options);
    systems.push(h);
    return h;
  };
  /** The same house after the process died: a new system on the same store and clock. */
  const restart = async (h: RelockHarness, config: LockConfigInput) => {
    const next = await bench({ clock: h.clock, map: h.map });
    await next.relock.addLock(config);
    await next.clock.advance(0);
    return next;
  };
  return { bench, restart };
}

/** The front door with a door sensor, autolock on (10 min by day, 2 at night) and the given policy. */
export const lock = (
  autolock: LockConfigInput['autolock'] = {},
  overrides: Partial<LockConfigInput> = {},
): LockConfigInput => ({
  id: 'front',
  name: 'Front Door',
  hasDoorSensor: true,
  autolock: { enabled: true, dayMinutes: 10, nightMinutes: 2, ...autolock },
  ...overrides,
});

export const FAILED = 'front_door__front_autolock_failed';
export const JAMMED = 'front_door__front_autolock_jammed';
export const DOOR_OPEN = 'front_door__front_autolock_door_open';
export const WARNING = 'front_door__front_autolock_warning';

/** The events of one type, typed. */
export const of = <T extends RelockEvent['type']>(events: RelockEvent[], type: T) =>
  events.filter((event): event is Extract<RelockEvent, { type: T }> => event.type === type);

/** A driver step the test finishes by hand (resolve, or reject with an error). */
export const manualStep = () => {
  let finish!: (error?: Error) => void;
  const step = () => new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  return { step, finish: (e?: Error) => finish(e) };
};
