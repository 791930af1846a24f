/**
 * A whole relock system on a simulated clock, with a scripted driver, a recording notifier and
 * logger, and an inspector that keeps every payload as JSON (for the PIN checks).
 */
import Keyv from 'keyv';
import { ManualClock } from '../../src/clock/manual-clock.js';
import type { RelockEvent } from '../../src/events.js';
import type { Logger } from '../../src/logger.js';
import type { DaylightSource } from '../../src/ports/daylight.js';
import type { LockView } from '../../src/ports/lock-driver.js';
import type { Notification } from '../../src/ports/notifier.js';
import { createRelock, type RelockOptions } from '../../src/relock.js';
import { FaultyMap } from './faulty-map.js';

export type DriverScript = 'ok' | 'throw' | 'hang' | (() => Promise<void>);

export class ScriptedDriver {
  /** Each command sent, as `<lockId>@<name>`. */
  readonly commands: string[] = [];
  /** Commands and relock events in the order they happened (`command <id>`, `<event type> <id>`). */
  readonly timeline: string[] = [];
  readonly #script: DriverScript[] = [];
  fallback: DriverScript = 'ok';

  /** The next commands behave as given, in order; then `fallback`. */
  script(...steps: DriverScript[]): void {
    this.#script.push(...steps);
  }

  lock = async (lock: LockView, { signal }: { signal: AbortSignal }): Promise<void> => {
    this.commands.push(`${lock.id}@${lock.name}`);
    this.timeline.push(`command ${lock.id}`);
    const step = this.#script.shift() ?? this.fallback;
    if (step === 'ok') return;
    if (step === 'throw') throw new Error(`lock ${lock.id} is offline`);
    if (step === 'hang') {
      await new Promise<void>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
      return;
    }
    await step();
  };
}

export class RecordingNotifier {
  readonly notified: Notification[] = [];
  readonly dismissed: string[] = [];
  readonly failDismissOf = new Set<string>();

  notify = async (notification: Notification): Promise<void> => {
    this.notified.push(notification);
  };

  dismiss = async (id: string): Promise<void> => {
    if (this.failDismissOf.has(id)) throw new Error(`cannot dismiss ${id}`);
    this.dismissed.push(id);
  };

  ids(): string[] {
    return this.notified.map((n) => n.id);
  }
}

export interface RelockHarnessOptions {
  readonly clock?: ManualClock;
  readonly store?: RelockOptions['store'];
  readonly map?: FaultyMap;
  readonly isDay?: boolean;
  readonly actionTimeoutMs?: number;
  /** A daylight source of the test's own (default: `isDay`, switchable through `daylight.isDay`). */
  readonly daylightSource?: DaylightSource;
}

export async function relockHarness(options: RelockHarnessOptions = {}) {
  const clock = options.clock ?? new ManualClock();
  const map = options.map ?? new FaultyMap();
  const store = options.store ?? new Keyv({ store: map });
  const driver = new ScriptedDriver();
  const notifier = new RecordingNotifier();
  const events: RelockEvent[] = [];
  const logs: string[] = [];
  const inspected: string[] = [];
  const daylight = { isDay: options.isDay ?? true };
  /** Faults of the host's own functions, armed by a test: each counts down the calls it spoils. */
  const hostFaults = { nanNow: 0, throwingDaylight: 0, throwingInspect: 0 };
  const hostClock = {
    now: () => (hostFaults.nanNow-- > 0 ? Number.NaN : clock.now()),
    setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
  const record =
    (level: string) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const relock = await createRelock({
    driver,
    notifier,
    clock: hostClock,
    store,
    logger,
    daylight: (lock, now) => {
      if (hostFaults.throwingDaylight-- > 0) throw new Error('the daylight source failed');
      return options.daylightSource ? options.daylightSource(lock, now) : daylight.isDay;
    },
    actionTimeoutMs: options.actionTimeoutMs ?? 10_000,
    // simulated hours at a time: an hour-long claim on the store keeps lease renewals rare
    storeLeaseMs: 3_600_000,
    inspect: (event) => {
      if (hostFaults.throwingInspect-- > 0) throw new Error('the inspector failed');
      try {
        inspected.push(
          JSON.stringify({
            type: event.type,
            event: 'event' in event ? event.event : undefined,
            snapshot: 'snapshot' in event ? event.snapshot : undefined,
            action: 'action' in event ? event.action : undefined,
          }),
        );
      } catch (error) {
        inspected.push(`unserializable: ${String(error)}`);
      }
    },
  });
  relock.subscribe((event) => {
    events.push(event);
    if ('lockId' in event) driver.timeline.push(`${event.type} ${event.lockId}`);
  });
  const stored = (key: string): Promise<unknown> =>
    store instanceof Keyv ? store.get(key) : Promise.resolve(undefined);
  return { clock, map, store, driver, notifier, events, logs, inspected, daylight, hostFaults, relock, stored };
}

export type RelockHarness = Awaited<ReturnType<typeof relockHarness>>;

export const MINUTE = 60_000;
