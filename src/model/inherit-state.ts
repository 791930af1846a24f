/**
 * The reload handoff: what a lock's new configuration takes over from the old one.
 *
 * Invariants (upstream's `inherit_state_from`, as one pure function):
 * - the new lock takes the old one's runtime state and pending door-close retry;
 * - the configuration the host passes is the configuration: its autolock settings win, unless
 *   the host gave none (`inheritAutolock`), and then the old settings (from `setAutolock`, the
 *   last load or the stored record) stay;
 * - for code slots present on both sides, the old slot's user state (enabled, name, PIN,
 *   notifications, access limits) wins; within those, for weekdays present on both sides, the
 *   old weekday's user state (enabled, window) wins;
 * - structural identity (which slots, which weekdays exist) and runtime-only fields (`synced`)
 *   belong to the new configuration;
 * - a replacement with no code slots while the old had some keeps the old slots and says so in
 *   `droppedAllSlots`: losing every PIN to a transient empty config is never silent.
 */
import type { AccessLimits, CodeSlot, LockConfig, WeekdayLimit } from './lock-config.js';
import type { LockRuntime } from './lock-runtime.js';

export interface Handoff {
  readonly config: LockConfig;
  readonly runtime: LockRuntime;
  /** The new configuration had no code slots while the old had some; the old ones were kept. */
  readonly droppedAllSlots: boolean;
}

export interface HandoffOptions {
  /** The host gave no autolock block: keep the old settings. */
  readonly inheritAutolock?: boolean;
}

function inheritWeekdays(next: readonly WeekdayLimit[], old: readonly WeekdayLimit[]): readonly WeekdayLimit[] {
  const byDay = new Map(old.map((day) => [day.weekday, day]));
  return Object.freeze(
    next.map((day) => {
      const before = byDay.get(day.weekday);
      return before === undefined ? day : Object.freeze({ ...day, enabled: before.enabled, window: before.window });
    }),
  );
}

function inheritLimits(next: AccessLimits, old: AccessLimits): AccessLimits {
  return Object.freeze({
    useCount: old.useCount,
    dateRange: old.dateRange,
    weekdays: inheritWeekdays(next.weekdays, old.weekdays),
  });
}

function inheritSlot(next: CodeSlot, old: CodeSlot): CodeSlot {
  return Object.freeze({
    ...next,
    enabled: old.enabled,
    name: old.name,
    pin: old.pin,
    notifications: old.notifications,
    accessLimits: inheritLimits(next.accessLimits, old.accessLimits),
  });
}

export function inheritState(
  next: LockConfig,
  old: { config: LockConfig; runtime: LockRuntime },
  options: HandoffOptions = {},
): Handoff {
  const droppedAllSlots = next.codeSlots.length === 0 && old.config.codeSlots.length > 0;
  const bySlot = new Map(old.config.codeSlots.map((slot) => [slot.number, slot]));
  const codeSlots = droppedAllSlots
    ? old.config.codeSlots
    : Object.freeze(
        next.codeSlots.map((slot) => {
          const before = bySlot.get(slot.number);
          return before === undefined ? slot : inheritSlot(slot, before);
        }),
      );
  return {
    config: Object.freeze({
      ...next,
      autolock: options.inheritAutolock ? old.config.autolock : next.autolock,
      codeSlots,
    }),
    runtime: old.runtime,
    droppedAllSlots,
  };
}
